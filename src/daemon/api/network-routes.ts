/**
 * The virtual network REST routes: /v1/networks/{id} (a name or UUID; `default` is defined on
 * first use). Each parses its request into an engine Action.
 */
import type { ErrorCode } from '../../core/errors.js';
import { WAIT, type QuerySpec } from './query.js';
import { route, type Route } from './router.js';

const net = '/v1/networks/{id}';
const lookup: ErrorCode[] = ['NETWORK_NOT_FOUND'];
const job: ErrorCode[] = [...lookup, 'OPERATION_IN_PROGRESS', 'OPERATION_TIMEOUT', 'OPERATION_INVALID'];
const xmlErrors: ErrorCode[] = ['INVALID_XML', 'XML_UNSUPPORTED', 'XML_INVALID_VALUE', 'XML_MISSING', 'XML_CONFLICT', 'XML_DUPLICATE', 'IFACE_EXISTS'];
const hostErrors: ErrorCode[] = ['HOST_NET_FAILED', 'FIREWALL_ERROR', 'DNSMASQ_FAILED', 'HOST_UNSUPPORTED', 'IO_ERROR'];
const p = (params: Readonly<Record<string, string>>): string => params['id'] ?? '';
const opts = (q: { wait?: number | undefined }) => (q.wait === undefined ? {} : { wait: q.wait });
const bool = (description: string) => ({ kind: 'bool', description }) as const;
const NoQuery = {} as const satisfies QuerySpec;
const WaitQuery = { wait: WAIT } as const satisfies QuerySpec;

export const networkRoutes: Route[] = [
  route({
    method: 'GET', path: '/v1/networks', operationId: 'listNetworks', tag: 'networks', summary: 'List virtual networks',
    query: {
      active: bool('Only active (true) or inactive (false) networks'),
      persistent: bool('Only persistent (true) or transient (false) networks'),
      autostart: bool('Only networks with (true) or without (false) autostart'),
    },
    response: 'NetworkList', errors: [],
    handle: async ({ query, engine }) => {
      const filter = {
        ...(query.active === undefined ? {} : { active: query.active }),
        ...(query.persistent === undefined ? {} : { persistent: query.persistent }),
        ...(query.autostart === undefined ? {} : { autostart: query.autostart }),
      };
      return { body: { networks: await engine.dispatch({ kind: 'netList', filter }) } };
    },
  }),
  route({
    method: 'POST', path: '/v1/networks', operationId: 'defineNetwork', tag: 'networks',
    summary: 'Define a network, or replace the definition of one with the same name and UUID',
    description: 'Fills in a free bridge name (virbrN) and a MAC; refuses a subnet that overlaps a host route or another network, and a bridge name in use. 201 when new, 200 when replaced.',
    query: WaitQuery, body: 'NetworkXmlBody', response: 'NetworkDefineResult', status: 201, errors: [...xmlErrors, 'NETWORK_EXISTS', 'OPERATION_IN_PROGRESS'],
    handle: async ({ query, body, engine }) => {
      const r = await engine.dispatch({ kind: 'netDefine', xml: body.xml }, opts(query));
      return { status: r.created ? 201 : 200, body: r };
    },
  }),
  route({
    method: 'POST', path: '/v1/actions/net-create', operationId: 'createNetwork', tag: 'networks',
    summary: 'Start a transient network from XML (virsh net-create)', query: WaitQuery, body: 'NetworkXmlBody',
    response: 'NetworkInfo', status: 201, errors: [...xmlErrors, 'NETWORK_EXISTS', 'OPERATION_INVALID', ...hostErrors],
    handle: async ({ query, body, engine }) => ({ body: await engine.dispatch({ kind: 'netCreate', xml: body.xml }, opts(query)) }),
  }),
  route({
    method: 'GET', path: net, operationId: 'getNetwork', tag: 'networks', summary: 'One network, by name or UUID (`default` is defined on first use)',
    query: NoQuery, response: 'NetworkInfo', errors: lookup,
    handle: async ({ params, engine }) => ({ body: await engine.dispatch({ kind: 'netGet', network: p(params) }) }),
  }),
  route({
    method: 'DELETE', path: net, operationId: 'undefineNetwork', tag: 'networks', summary: 'Undefine a network (an active one runs on as transient)',
    query: WaitQuery, response: 'NetworkInfo', errors: job,
    handle: async ({ params, query, engine }) => ({ body: await engine.dispatch({ kind: 'netUndefine', network: p(params) }, opts(query)) }),
  }),
  route({
    method: 'GET', path: `${net}/xml`, operationId: 'getNetworkXml', tag: 'networks',
    summary: 'Network XML: the running definition while active; the persistent one with inactive=true',
    query: { inactive: bool('The persistent definition, even while the network runs') }, response: 'XmlDocument', errors: lookup,
    handle: async ({ params, query, engine }) => ({ body: { xml: await engine.dispatch({ kind: 'netXml', network: p(params), inactive: query.inactive ?? false }) } }),
  }),
  route({
    method: 'POST', path: `${net}/actions/start`, operationId: 'startNetwork', tag: 'networks',
    summary: 'Start a network: its bridge, addresses, firewall table and dnsmasq (all undone on failure)',
    query: WaitQuery, body: 'EmptyBody', response: 'NetworkInfo', errors: [...job, 'XML_CONFLICT', 'IFACE_EXISTS', ...hostErrors],
    handle: async ({ params, query, engine }) => ({ body: await engine.dispatch({ kind: 'netStart', network: p(params) }, opts(query)) }),
  }),
  route({
    method: 'GET', path: `${net}/start-plan`, operationId: 'getNetworkStartPlan', tag: 'networks',
    summary: 'What starting the network would do on the host, without doing it (net-start --dry-run)',
    query: NoQuery, response: 'NetworkStartPlan', errors: [...lookup, 'OPERATION_INVALID', 'XML_MISSING', 'HOST_UNSUPPORTED'],
    handle: async ({ params, engine }) => ({ body: await engine.dispatch({ kind: 'netStartDryRun', network: p(params) }) }),
  }),
  route({
    method: 'POST', path: `${net}/actions/destroy`, operationId: 'destroyNetwork', tag: 'networks',
    summary: 'Stop a network: dnsmasq, firewall table and bridge removed; a transient network disappears',
    query: WaitQuery, body: 'EmptyBody', response: 'NetworkInfo', errors: [...job, ...hostErrors],
    handle: async ({ params, query, engine }) => ({ body: await engine.dispatch({ kind: 'netDestroy', network: p(params) }, opts(query)) }),
  }),
  route({
    method: 'PUT', path: `${net}/autostart`, operationId: 'setNetworkAutostart', tag: 'networks',
    summary: 'Start the network when the daemon starts', query: WaitQuery, body: 'AutostartBody', response: 'NetworkInfo', errors: job,
    handle: async ({ params, query, body, engine }) => ({ body: await engine.dispatch({ kind: 'netAutostart', network: p(params), enabled: body.enabled }, opts(query)) }),
  }),
  route({
    method: 'POST', path: `${net}/actions/update`, operationId: 'updateNetwork', tag: 'networks',
    summary: 'net-update: add, delete or modify a DHCP host, range or DNS record (live: dnsmasq reloaded, leases kept)',
    query: WaitQuery, body: 'NetworkUpdateBody', response: 'NetworkInfo', errors: [...job, ...xmlErrors, 'UNSUPPORTED_OPERATION', 'INVALID_ARGUMENT', ...hostErrors],
    handle: async ({ params, query, body, engine }) => {
      const { live, config, parentIndex, ...rest } = body;
      const update = { ...rest, ...(parentIndex === undefined ? {} : { parentIndex }) };
      return {
        body: await engine.dispatch({
          kind: 'netUpdate' as const, network: p(params), update, ...(live === undefined ? {} : { live }), ...(config === undefined ? {} : { config }),
        }, opts(query)),
      };
    },
  }),
  route({
    method: 'POST', path: `${net}/actions/link`, operationId: 'linkNetwork', tag: 'networks',
    summary: 'net-link: join the network to another network with a veth pair (made now if both run, else when both do; kept in the definition)',
    query: WaitQuery, body: 'NetworkLinkBody', response: 'NetworkInfo', errors: [...job, ...xmlErrors, ...hostErrors],
    handle: async ({ params, query, body, engine }) => ({
      body: await engine.dispatch({ kind: 'netLink', network: p(params), peer: body.peer, ...(body.dev === undefined ? {} : { dev: body.dev }) }, opts(query)),
    }),
  }),
  route({
    method: 'POST', path: `${net}/actions/unlink`, operationId: 'unlinkNetwork', tag: 'networks',
    summary: 'net-unlink: remove a veth link of the network from the host and from its definition',
    query: WaitQuery, body: 'NetworkUnlinkBody', response: 'NetworkInfo', errors: [...job, 'NOT_FOUND', ...hostErrors],
    handle: async ({ params, query, body, engine }) => ({ body: await engine.dispatch({ kind: 'netUnlink', network: p(params), dev: body.dev }, opts(query)) }),
  }),
  route({
    method: 'GET', path: `${net}/leases`, operationId: 'listNetworkLeases', tag: 'networks', summary: "The DHCP leases of an active network (from its dnsmasq's lease file)",
    query: { mac: { kind: 'string', description: 'Only the leases of this MAC' } }, response: 'NetworkLeaseList', errors: [...lookup, 'OPERATION_INVALID'],
    handle: async ({ params, query, engine }) => ({
      body: { leases: await engine.dispatch({ kind: 'netLeases', network: p(params), ...(query.mac === undefined ? {} : { mac: query.mac }) }) },
    }),
  }),
  route({
    method: 'GET', path: '/v1/domains/{id}/interface-addresses', operationId: 'getDomainInterfaceAddresses', tag: 'networks',
    summary: "A running domain's interface addresses (domifaddr): DHCP leases by MAC, the guest agent's view, or the host's ARP table",
    query: {
      interface: { kind: 'string', description: 'Only this interface (its tap name, or the guest\'s name with source agent, or MAC)' },
      source: { kind: 'string', description: "Where the addresses come from: 'lease' (the default: type='network' interfaces' DHCP leases), 'agent' (the guest agent), 'arp' (the host's /proc/net/arp)" },
    },
    response: 'DomainIfAddrList',
    errors: ['DOMAIN_NOT_FOUND', 'INVALID_ARGUMENT', 'OPERATION_INVALID', 'UNSUPPORTED_OPERATION', 'AGENT_UNAVAILABLE', 'AGENT_UNRESPONSIVE', 'AGENT_COMMAND_FAILED'],
    handle: async ({ params, query, engine }) => ({
      body: {
        interfaces: await engine.dispatch({
          kind: 'domIfAddr', name: p(params), ...(query.interface === undefined ? {} : { iface: query.interface }), ...(query.source === undefined ? {} : { source: query.source }),
        }),
      },
    }),
  }),
];
