/**
 * The install route: POST /v1/install (virtkit install). The body is the parsed command line; the
 * daemon reads the host files it names, builds the plan and carries it out (install/actions.ts).
 */
import type { ErrorCode } from '../../core/errors.js';
import { route, type Route } from './router.js';

const errors: ErrorCode[] = [
  'INVALID_ARGUMENT', 'UNSUPPORTED_OPERATION', 'HOST_UNSUPPORTED', 'KVM_UNAVAILABLE', 'DOMAIN_EXISTS', 'OPERATION_INVALID', 'MAC_IN_USE',
  'POOL_NOT_FOUND', 'VOLUME_NOT_FOUND', 'VOLUME_EXISTS', 'NO_SPACE', 'NETWORK_NOT_FOUND', 'NETWORK_INACTIVE', 'QEMU_FAILED',
  'QEMU_IMG_FAILED', 'STORAGE_FAILED', 'IO_ERROR', 'OPERATION_IN_PROGRESS',
];

export const installRoutes: Route[] = [
  route({
    method: 'GET', path: '/v1/osinfo', operationId: 'listOsinfo', tag: 'host',
    summary: "The host's OS database (Debian's osinfo-db) as virt-install --osinfo list orders it",
    query: {}, response: 'OsinfoList', errors: ['INTERNAL_ERROR'],
    handle: async ({ engine }) => ({ body: { oses: (await engine.dispatch({ kind: 'osinfoList' })).oses.map((o) => ({ ...o, shortIds: [...o.shortIds] })) } }),
  }),
  route({
    method: 'POST', path: '/v1/install', operationId: 'install', tag: 'domains',
    summary: 'virt-install: build a domain from its command line, make its disks, define and start it',
    description: 'With dryRun or printXml (or --dry-run / --print-xml in args) only the plan is built (answered with 200, not 201). On a failure ' +
      'everything the install made is removed again; the error\'s details.undo lists what was (and what could not be) removed.',
    query: {}, body: 'InstallBody', response: 'InstallResult', status: 201, errors,
    handle: async ({ body, engine }) => {
      const { plan, made } = await engine.dispatch({
        kind: 'install', args: body.args,
        ...(body.dryRun === undefined ? {} : { dryRun: body.dryRun }), ...(body.printXml === undefined ? {} : { printXml: body.printXml }),
        ...(body.cwd === undefined ? {} : { cwd: body.cwd }),
      });
      return {
        status: made === null ? 200 : 201,
        body: {
          plan,
          made: made === null ? null : {
            domain: made.domain.name, uuid: made.domain.uuid, running: made.running, volumes: made.volumes, files: made.files,
          },
        },
      };
    },
  }),
];
