/**
 * --network -> <interface> elements. Without --network: the `default` network when the host has it (virt-install
 * does not check; we fall back to user networking when it is absent), model virtio when the OS has virtio-net,
 * else e1000e on q35 and e1000 on i440fx (virt-install's DeviceInterface.default_model); random 52:54:00 MACs.
 */
import { VirtkitError } from '../errors.js';
import { Opts, uses } from './build-args.js';
import { addressNodes } from './build-disks.js';
import type { DraftDevice } from './draft.js';
import { supportsVirtio } from './os-support.js';
import type { HostFacts, InstallArgs, OsInfo } from './types.js';
import { el, type XNode } from './xml-out.js';

const TYPES = new Set(['network', 'bridge', 'direct', 'user', 'hostdev', 'vhostuser', 'ethernet', 'mcast', 'server', 'client', 'udp', 'vdpa', 'none']);

export function buildInterfaces(args: InstallArgs, os: OsInfo, host: HostFacts, q35: boolean, mac: () => string): DraftDevice[] {
  const list = uses(args, 'network');
  const model = supportsVirtio(os, 'net') ? 'virtio' : q35 ? 'e1000e' : 'e1000';
  if (list.length === 0) {
    const def = host.networks.some((n) => n.name === 'default');
    return [{ node: iface(def ? 'network' : 'user', def ? 'default' : null, new Opts('network', undefined), model, mac) }];
  }
  if (list.some((u) => new Opts('network', u).get('type') === 'none')) {
    if (list.length > 1) throw new VirtkitError('INVALID_ARGUMENT', '--network none cannot be combined with other --network options', { details: { flag: 'network' } });
    return [];
  }
  return list.map((u) => {
    const o = new Opts('network', u);
    let type = o.get('type');
    let source: string | null = null;
    // virt-install's old forms: --network network:NAME, bridge:NAME
    const colon = type?.match(/^(network|bridge):(.+)$/);
    if (colon) {
      type = colon[1];
      source = colon[2] ?? null;
    }
    if (type !== undefined && !TYPES.has(type)) {
      throw new VirtkitError('INVALID_ARGUMENT', `--network: unknown type '${type}' (one of ${[...TYPES].join(', ')})`, { details: { flag: 'network', type } });
    }
    if (type === undefined) type = o.has('bridge') ? 'bridge' : o.has('source') && !o.has('network') ? 'direct' : 'network';
    source ??= (type === 'network' ? o.get('network') ?? 'default' : type === 'bridge' ? o.get('bridge') : o.get('source')) ?? null;
    if (type === 'bridge' && source === null) throw new VirtkitError('INVALID_ARGUMENT', '--network type=bridge needs bridge=NAME', { details: { flag: 'network' } });
    return { node: iface(type, source, o, o.get('model.type') ?? model, mac) };
  });
}

function iface(type: string, source: string | null, o: Opts, model: string, mac: () => string): XNode {
  const kids: XNode[] = [];
  if (type === 'network' && source !== null) kids.push(el('source', { network: source, portgroup: o.get('source.portgroup') }));
  else if (type === 'bridge' && source !== null) kids.push(el('source', { bridge: source }));
  else if (type === 'direct' && source !== null) kids.push(el('source', { dev: source, mode: o.get('source.mode') ?? 'vepa' }));
  else if (o.has('source.type') || o.has('source.path')) kids.push(el('source', { type: o.get('source.type'), path: o.get('source.path'), mode: o.get('source.mode') }));
  kids.push(el('mac', { address: o.get('mac.address') ?? mac() }));
  if (o.has('target.dev')) kids.push(el('target', { dev: o.get('target.dev') }));
  if (o.has('virtualport.type')) {
    const p = ['managerid', 'typeid', 'typeidversion', 'instanceid', 'profileid', 'interfaceid'].filter((k) => o.has(`virtualport.parameters.${k}`));
    kids.push(el('virtualport', { type: o.get('virtualport.type') }, p.length > 0 ? [el('parameters', Object.fromEntries(p.map((k) => [k, o.get(`virtualport.parameters.${k}`)])))] : []));
  }
  kids.push(el('model', { type: model }));
  if (o.has('driver.name') || o.has('driver.queues')) kids.push(el('driver', { name: o.get('driver.name'), queues: o.get('driver.queues') }));
  if (o.has('filterref.filter')) kids.push(el('filterref', { filter: o.get('filterref.filter') }));
  if (o.has('link.state')) kids.push(el('link', { state: o.get('link.state') }));
  if (o.has('mtu.size')) kids.push(el('mtu', { size: o.get('mtu.size') }));
  if (o.has('rom.bar') || o.has('rom.file')) kids.push(el('rom', { bar: o.get('rom.bar'), file: o.get('rom.file') }));
  if (o.has('boot.order')) kids.push(el('boot', { order: o.get('boot.order') }));
  kids.push(...addressNodes(o));
  return el('interface', { type, trustGuestRxFilters: o.get('trustGuestRxFilters') }, kids);
}
