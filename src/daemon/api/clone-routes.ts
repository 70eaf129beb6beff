/**
 * The REST routes of `virtkit clone` (engine/clone.ts): a defined, shut-off domain by name, UUID
 * or id, or a domain given as XML (virt-clone --original-xml). 201 with the new domain; 200 with
 * printXml (nothing made).
 */
import type { ErrorCode } from '../../core/errors.js';
import type { CloneOptions } from '../engine/clone.js';
import { WAIT, type QuerySpec } from './query.js';
import { route, type Route } from './router.js';

const errors: ErrorCode[] = [
  'DOMAIN_NOT_FOUND', 'DOMAIN_EXISTS', 'OPERATION_IN_PROGRESS', 'OPERATION_TIMEOUT', 'OPERATION_INVALID', 'INVALID_ARGUMENT', 'INVALID_NAME',
  'CLONE_TARGET_EXISTS', 'CLONE_TARGET_MISSING', 'POOL_NOT_FOUND', 'VOLUME_EXISTS', 'UNSUPPORTED_OPERATION', 'BACKING_NOT_ALLOWED', 'QEMU_IMG_FAILED', 'NO_SPACE', 'IO_ERROR',
];
const WaitQuery = { wait: WAIT } as const satisfies QuerySpec;
const DESCRIPTION = 'One job: the disks are copied (or linked, or shared), the NVRAM copied, the definition saved last; '
  + 'a failure removes whatever the job made. The original must be shut off and holds its job lock meanwhile.';

type Body = { readonly [K in keyof CloneOptions]?: CloneOptions[K] | undefined } & { readonly name?: string | undefined };

/** The body's options as the action takes them (`name` is the new name there). */
export function optionsOf(b: Body): CloneOptions {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(b)) if (v !== undefined && k !== 'name' && k !== 'originalXml') o[k] = v;
  if (b.name !== undefined) o['newName'] = b.name;
  return o as CloneOptions;
}

export const cloneRoutes: Route[] = [
  route({
    method: 'POST', path: '/v1/domains/{id}/actions/clone', operationId: 'cloneDomain', tag: 'domains',
    summary: 'Clone a shut-off domain (virt-clone): new name, UUID and MACs; disks copied, linked or shared', description: DESCRIPTION,
    query: WaitQuery, body: 'CloneBody', response: 'CloneResult', status: 201, errors,
    handle: async ({ params, query, body, engine }) => {
      const r = await engine.dispatch({ kind: 'clone', name: params['id'] ?? '', ...optionsOf(body) }, query.wait === undefined ? {} : { wait: query.wait });
      return { status: r.domain === null ? 200 : 201, body: r };
    },
  }),
  route({
    method: 'POST', path: '/v1/actions/clone', operationId: 'cloneDomainXml', tag: 'domains',
    summary: 'Clone a domain given as XML (virt-clone --original-xml)', description: DESCRIPTION,
    query: WaitQuery, body: 'CloneXmlBody', response: 'CloneResult', status: 201, errors: [...errors, 'INVALID_XML', 'XML_UNSUPPORTED', 'XML_INVALID_VALUE', 'XML_MISSING'],
    handle: async ({ query, body, engine }) => {
      const r = await engine.dispatch({ kind: 'clone', originalXml: body.originalXml, ...optionsOf(body) }, query.wait === undefined ? {} : { wait: query.wait });
      return { status: r.domain === null ? 200 : 201, body: r };
    },
  }),
];
