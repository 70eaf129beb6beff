/**
 * The REST routes: each parses its request into an engine Action and
 * returns what the engine answers. No logic lives here beyond that mapping.
 */
import type { ErrorCode } from '../../core/errors.js';
import type { ActionOf } from '../engine/actions.js';
import { WAIT, type QuerySpec } from './query.js';
import { route, Router, type Route, type SchemaName } from './router.js';
import { networkRoutes } from './network-routes.js';
import { nodeRoutes } from './node-routes.js';
import { nodedevRoutes } from './nodedev-routes.js';
import { secretRoutes } from './secret-routes.js';
import { snapshotRoutes } from './snapshot-routes.js';
import { agentRoutes } from './agent-routes.js';
import { storageRoutes } from './storage-routes.js';
import { volumeRoutes } from './volume-routes.js';
import { cloneRoutes } from './clone-routes.js';
import { diskRoutes } from './disk-routes.js';
import { ifaceRoutes } from './iface-routes.js';
import { installRoutes } from './install-routes.js';
import { tuningRoutes } from './tuning-routes.js';

const ID = 'id';
const dom = '/v1/domains/{id}';
const lookupErrors: ErrorCode[] = ['DOMAIN_NOT_FOUND'];
const jobErrors: ErrorCode[] = [...lookupErrors, 'OPERATION_IN_PROGRESS', 'OPERATION_TIMEOUT', 'OPERATION_INVALID'];
const param = (p: Readonly<Record<string, string>>): string => p[ID] ?? '';
const opts = (q: { wait?: number | undefined }) => (q.wait === undefined ? {} : { wait: q.wait });
const bool = (description: string) => ({ kind: 'bool', description }) as const;
const NoQuery = {} as const satisfies QuerySpec;
const WaitQuery = { wait: WAIT } as const satisfies QuerySpec;
const ListQuery = {
  state: { kind: 'csv', values: ['running', 'paused', 'shutoff', 'other'], description: 'Comma-separated state groups' },
  active: bool('Only active (true) or inactive (false) domains'),
  persistent: bool('Only persistent (true) or transient (false) domains'),
  autostart: bool('Only domains with (true) or without (false) autostart'),
} as const satisfies QuerySpec;

const domainRoutes: Route[] = [
  route({
    method: 'GET', path: '/v1/domains', operationId: 'listDomains', tag: 'domains',
    summary: 'List domains', query: ListQuery, response: 'DomainList', errors: [],
    handle: async ({ query, engine }) => {
      const filter = {
        ...(query.state === undefined ? {} : { states: query.state }),
        ...(query.active === undefined ? {} : { active: query.active }),
        ...(query.persistent === undefined ? {} : { persistent: query.persistent }),
        ...(query.autostart === undefined ? {} : { autostart: query.autostart }),
      };
      return { body: { domains: await engine.dispatch({ kind: 'list', filter }) } };
    },
  }),
  route({
    method: 'POST', path: '/v1/domains', operationId: 'defineDomain', tag: 'domains',
    summary: 'Define a domain, or replace the definition of one with the same name and UUID',
    description: 'Answers 201 when the domain is new, 200 when its definition was replaced.',
    query: WaitQuery, body: 'DefineBody', response: 'DefineResult', status: 201,
    errors: ['INVALID_XML', 'XML_UNSUPPORTED', 'XML_INVALID_VALUE', 'XML_MISSING', 'DOMAIN_EXISTS', 'OPERATION_IN_PROGRESS'],
    handle: async ({ query, body, engine }) => {
      const r = await engine.dispatch({ kind: 'define', xml: body.xml }, opts(query));
      return { status: r.created ? 201 : 200, body: r };
    },
  }),
  route({
    method: 'POST', path: '/v1/actions/create', operationId: 'createDomain', tag: 'domains',
    summary: 'Start a transient domain from XML (virsh create)', query: WaitQuery, body: 'CreateBody',
    response: 'DomainInfo', status: 201, errors: ['INVALID_XML', 'DOMAIN_EXISTS', 'OPERATION_INVALID', 'QEMU_FAILED'],
    handle: async ({ query, body, engine }) => ({
      body: await engine.dispatch({ kind: 'create', xml: body.xml, ...(body.paused === undefined ? {} : { paused: body.paused }) }, opts(query)),
    }),
  }),
  route({
    method: 'GET', path: dom, operationId: 'getDomain', tag: 'domains',
    summary: 'One domain, by name, UUID or runtime id', query: NoQuery, response: 'DomainInfo', errors: lookupErrors,
    handle: async ({ params, engine }) => ({ body: await engine.dispatch({ kind: 'get', name: param(params) }) }),
  }),
  route({
    method: 'DELETE', path: dom, operationId: 'undefineDomain', tag: 'domains',
    summary: 'Undefine a domain (a running one lives on as transient until it stops)',
    query: { wait: WAIT, snapshotsMetadata: bool('Forget the domain\'s snapshot metadata too (refused without it while it has snapshots)') },
    response: 'DomainInfo', errors: jobErrors,
    handle: async ({ params, query, engine }) => ({
      body: await engine.dispatch({ kind: 'undefine', name: param(params), ...(query.snapshotsMetadata === true ? { snapshotsMetadata: true } : {}) }, opts(query)),
    }),
  }),
  route({
    method: 'GET', path: `${dom}/xml`, operationId: 'getDomainXml', tag: 'domains',
    summary: 'Domain XML: the running definition while active, else (or with inactive=true) the persistent one',
    query: { inactive: bool('The persistent definition, even while the domain runs') }, response: 'DomainXml', errors: lookupErrors,
    handle: async ({ params, query, engine }) => ({
      body: { xml: await engine.dispatch({ kind: 'dumpxml', name: param(params), inactive: query.inactive ?? false }) },
    }),
  }),
  route({
    method: 'PUT', path: `${dom}/autostart`, operationId: 'setAutostart', tag: 'domains',
    summary: 'Start the domain when the daemon starts (once per host boot)', query: WaitQuery, body: 'AutostartBody',
    response: 'DomainInfo', errors: jobErrors,
    handle: async ({ params, query, body, engine }) => ({
      body: await engine.dispatch({ kind: 'setAutostart', name: param(params), enabled: body.enabled }, opts(query)),
    }),
  }),
  route({
    method: 'PUT', path: `${dom}/memory`, operationId: 'setMemory', tag: 'lifecycle',
    summary: 'Change the memory of a running domain (balloon) and/or of its definition', query: WaitQuery, body: 'MemoryBody',
    response: 'DomainInfo', errors: [...jobErrors, 'INVALID_ARGUMENT'],
    handle: async ({ params, query, body, engine }) => ({
      body: await engine.dispatch({ kind: 'setMemory', name: param(params), ...stripUndefined(body), kib: body.kib }, opts(query)),
    }),
  }),
  route({
    method: 'PUT', path: `${dom}/max-memory`, operationId: 'setMaxMemory', tag: 'lifecycle',
    summary: 'Change the maximum memory of the definition (refused live, as in libvirt)', query: WaitQuery, body: 'MaxMemoryBody',
    response: 'DomainInfo', errors: jobErrors,
    handle: async ({ params, query, body, engine }) => ({
      body: await engine.dispatch({ kind: 'setMaxMemory', name: param(params), ...stripUndefined(body), kib: body.kib }, opts(query)),
    }),
  }),
  route({
    method: 'PUT', path: `${dom}/vcpus`, operationId: 'setVcpus', tag: 'lifecycle',
    summary: 'Change the vCPU count of a running domain and/or of its definition', query: WaitQuery, body: 'VcpusBody',
    response: 'DomainInfo', errors: [...jobErrors, 'INVALID_ARGUMENT', 'UNSUPPORTED_OPERATION'],
    handle: async ({ params, query, body, engine }) => ({
      body: await engine.dispatch({ kind: 'setVcpus', name: param(params), ...stripUndefined(body), count: body.count }, opts(query)),
    }),
  }),
  route({
    method: 'GET', path: `${dom}/domstats`, operationId: 'getDomStats', tag: 'lifecycle',
    summary: 'virsh domstats: state, and while running CPU, balloon, vCPU, block and interface figures read from QEMU',
    query: NoQuery, response: 'DomStats', errors: lookupErrors,
    handle: async ({ params, engine }) => ({ body: await engine.dispatch({ kind: 'domstats', name: param(params) }) }),
  }),
  route({
    method: 'GET', path: `${dom}/vcpuinfo`, operationId: 'getVcpuInfo', tag: 'lifecycle',
    summary: 'virsh vcpuinfo: each vCPU\'s host CPU, CPU time and affinity', query: NoQuery, response: 'VcpuReport',
    errors: lookupErrors,
    handle: async ({ params, engine }) => ({ body: await engine.dispatch({ kind: 'vcpuinfo', name: param(params) }) }),
  }),
  route({
    method: 'GET', path: `${dom}/vcpucount`, operationId: 'getVcpuCount', tag: 'domains',
    summary: 'virsh vcpucount: maximum and current vCPUs, of the definition and of the running domain',
    query: NoQuery, response: 'VcpuCountReport', errors: lookupErrors,
    handle: async ({ params, engine }) => ({ body: await engine.dispatch({ kind: 'vcpucount', name: param(params) }) }),
  }),
  route({
    method: 'GET', path: `${dom}/stats`, operationId: 'getDomainStats', tag: 'lifecycle',
    summary: 'Statistics of a running domain', query: NoQuery, response: 'DomainStats',
    errors: [...lookupErrors, 'OPERATION_INVALID'],
    handle: async ({ params, engine }) => ({ body: await engine.dispatch({ kind: 'stats', name: param(params) }) }),
  }),
];

type LifecycleActionName = 'start' | 'shutdown' | 'reboot' | 'reset' | 'destroy' | 'suspend' | 'resume';

const ACTION_BODY: Record<LifecycleActionName, SchemaName> = {
  start: 'StartBody', shutdown: 'ShutdownBody', reboot: 'RebootBody', reset: 'EmptyBody', destroy: 'DestroyBody',
  suspend: 'EmptyBody', resume: 'EmptyBody',
};

const ACTION_SUMMARY: Record<LifecycleActionName, string> = {
  start: 'Start a defined domain',
  shutdown: 'Ask the guest to power off (returns once asked)',
  reboot: 'Ask the guest to reboot',
  reset: 'Reset the guest, like a reset button',
  destroy: 'Stop the guest at once (power cord)',
  suspend: 'Pause the vCPUs',
  resume: 'Resume paused vCPUs',
};

function actionRoute(name: LifecycleActionName): Route {
  return route({
    method: 'POST', path: `${dom}/actions/${name}`, operationId: `${name}Domain`, tag: 'lifecycle',
    summary: ACTION_SUMMARY[name], query: WaitQuery, body: ACTION_BODY[name], response: 'DomainInfo',
    errors: [...jobErrors, 'UNSUPPORTED_OPERATION', 'QEMU_FAILED', 'QMP_DISCONNECTED', 'QMP_TIMEOUT'],
    handle: async ({ params, query, body: b, engine }) => {
      // The body schema of `name` has exactly the options of the action of that kind.
      const action = { kind: name, name: param(params), ...stripUndefined(b as Record<string, unknown>) } as ActionOf<LifecycleActionName>;
      return { body: await engine.dispatch(action, opts(query)) };
    },
  });
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

const hostRoutes: Route[] = [
  route({
    method: 'GET', path: '/v1/host', operationId: 'getHost', tag: 'host',
    summary: 'Daemon version, hostname, hypervisor version and node info', query: NoQuery, response: 'HostInfo',
    errors: ['IO_ERROR'],
    handle: async ({ engine }) => ({ body: await engine.dispatch({ kind: 'host' }) }),
  }),
  route({
    method: 'POST', path: '/v1/domxml-to-native', operationId: 'domxmlToNative', tag: 'host',
    summary: 'The QEMU command line start would run for this XML (virsh domxml-to-native qemu-argv)',
    description: 'Uses the probed capabilities of the installed QEMU and this instance\'s run paths for the domain.',
    query: NoQuery, body: 'DomxmlToNativeBody', response: 'NativeArgv',
    errors: ['INVALID_XML', 'XML_UNSUPPORTED', 'XML_INVALID_VALUE', 'XML_MISSING', 'UNSUPPORTED_OPERATION', 'QEMU_FAILED'],
    handle: async ({ body, engine }) => ({ body: await engine.dispatch({ kind: 'domxmlToNative', format: body.format, xml: body.xml }) }),
  }),
  route({
    method: 'GET', path: '/v1/capabilities', operationId: 'getCapabilities', tag: 'host',
    summary: "libvirt's capabilities XML: host CPU and topology, guest architecture, machines and domain types",
    query: NoQuery, response: 'XmlDocument', errors: ['UNSUPPORTED_OPERATION', 'QEMU_FAILED'],
    handle: async ({ engine }) => ({ body: { xml: await engine.dispatch({ kind: 'capabilities' }) } }),
  }),
  route({
    method: 'GET', path: '/v1/domcapabilities', operationId: 'getDomainCapabilities', tag: 'host',
    summary: "libvirt's domainCapabilities XML for the emulator, architecture, machine and domain type",
    query: {
      emulator: { kind: 'string', description: 'QEMU binary (default: the one the daemon runs)' },
      arch: { kind: 'string', description: 'Guest architecture (x86_64)' },
      machine: { kind: 'string', description: "Machine type or alias (default: QEMU's default)" },
      virttype: { kind: 'string', description: "'qemu' or 'kvm' (default: kvm when usable)" },
    },
    response: 'XmlDocument', errors: ['INVALID_ARGUMENT', 'OPERATION_INVALID', 'UNSUPPORTED_OPERATION', 'QEMU_FAILED'],
    handle: async ({ query, engine }) => ({
      body: { xml: await engine.dispatch({ kind: 'domcapabilities', query: stripUndefined(query) }) },
    }),
  }),
];

export const routes: readonly Route[] = [
  ...domainRoutes,
  ...(Object.keys(ACTION_SUMMARY) as LifecycleActionName[]).map(actionRoute),
  ...hostRoutes,
  ...cloneRoutes,
  ...nodeRoutes,
  ...diskRoutes,
  ...ifaceRoutes,
  ...tuningRoutes,
  ...networkRoutes,
  ...nodedevRoutes,
  ...storageRoutes,
  ...volumeRoutes,
  ...secretRoutes,
  ...snapshotRoutes,
  ...installRoutes,
  ...agentRoutes,
];

export const router = new Router(routes);
