/**
 * The network interface REST routes of a domain that are not device XML (attach and detach go
 * through disk-routes.ts' device routes, which take an <interface> too): domif-setlink.
 */
import type { ErrorCode } from '../../core/errors.js';
import { WAIT, type QuerySpec } from './query.js';
import { route, type Route } from './router.js';

const dom = '/v1/domains/{id}';
const job: ErrorCode[] = ['DOMAIN_NOT_FOUND', 'NOT_FOUND', 'OPERATION_IN_PROGRESS', 'OPERATION_INVALID', 'QEMU_FAILED', 'UNSUPPORTED_OPERATION'];
const WaitQuery = { wait: WAIT } as const satisfies QuerySpec;

export const ifaceRoutes: Route[] = [
  route({
    method: 'POST', path: `${dom}/actions/domif-setlink`, operationId: 'setInterfaceLink', tag: 'interfaces',
    summary: "Set a NIC's link up or down as the guest sees it (virsh domif-setlink): QMP set_link, or the definition with config",
    query: WaitQuery, body: 'IfaceLinkBody', response: 'DomainInfo', errors: job,
    handle: async ({ params, query, body, engine }) => ({
      body: await engine.dispatch({
        kind: 'ifSetLink', name: params['id'] ?? '', iface: body.interface, state: body.state, ...(body.config === true ? { config: true } : {}),
      }, query.wait === undefined ? {} : { wait: query.wait }),
    }),
  }),
];
