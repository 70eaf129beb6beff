/**
 * Network interfaces: a -netdev backend (user, tap by fd or by name) and a
 * front-end -device, ids hostnetN / netN from the interface alias. An
 * <interface type='hostdev'> is a VFIO function and goes out with the
 * host devices (misc-devices.ts), as in libvirt.
 */
import type { InterfaceDef } from '../../xml/domain/schema/interface.js';
import { needBackend, needDevice, propOk } from './caps-view.js';
import type { BuildCtx } from './context.js';
import { aliasOf, pciProps, push, refuse } from './context.js';
import { jsonOpt } from './escape.js';
import { netdevId, vhostUserChardev, vhostUserChardevAdd, vhostUserNetdev } from './net-vhostuser.js';

const MODELS: Record<string, string> = {
  virtio: 'virtio-net-pci',
  'virtio-transitional': 'virtio-net-pci-transitional',
  'virtio-non-transitional': 'virtio-net-pci-non-transitional',
  e1000: 'e1000',
  e1000e: 'e1000e',
  rtl8139: 'rtl8139',
  vmxnet3: 'vmxnet3',
  'igb': 'igb',
};

function where(n: InterfaceDef, i: number): string {
  return `/domain/devices/interface[${i + 1}]`;
}

function netdev(ctx: BuildCtx, n: InterfaceDef, alias: string, w: string): Record<string, unknown> {
  const id = netdevId(alias);
  switch (n.type) {
    case 'user': {
      const o: Record<string, unknown> = { type: 'user' };
      for (const ip of n.ip ?? []) {
        const v6 = ip.family === 'ipv6' || ip.address.includes(':');
        if (v6) {
          o['ipv6-prefix'] = ip.address;
          if (ip.prefix !== undefined) o['ipv6-prefixlen'] = ip.prefix;
        } else {
          o.net = ip.prefix !== undefined ? `${ip.address}/${ip.prefix}` : ip.address;
        }
      }
      o.id = id;
      return o;
    }
    case 'vhostuser':
      return vhostUserNetdev(ctx, n, alias, w);
    case 'ethernet':
    case 'bridge':
    case 'network':
    case 'direct': {
      const o: Record<string, unknown> = { type: 'tap' };
      const tap = ctx.paths.taps?.[alias];
      if (tap !== undefined) {
        if (tap.fds.length === 0) throw refuse(w, 'RuntimePaths.taps gives no fd');
        if (tap.fds.length === 1) o.fd = String(tap.fds[0]);
        else o.fds = tap.fds.join(':');
        if (tap.vhostfds !== undefined && tap.vhostfds.length > 0) {
          o.vhost = true;
          if (tap.vhostfds.length === 1) o.vhostfd = String(tap.vhostfds[0]);
          else o.vhostfds = tap.vhostfds.join(':');
        }
      } else {
        // A macvtap is opened through its /dev/tapN char device, which QEMU cannot do by name.
        if (n.type === 'direct') throw refuse(w, "a direct (macvtap) interface needs its /dev/tapN opened by the caller (RuntimePaths.taps)");
        // No pre-opened tap: QEMU opens the named tap itself (it must exist and be set up).
        const dev = n.target?.dev;
        if (dev === undefined) throw refuse(w, `an interface of type '${n.type}' needs a pre-opened tap (RuntimePaths.taps) or <target dev>`);
        Object.assign(o, { ifname: dev, script: 'no', downscript: 'no' });
        // QEMU opens N queues of the (multi-queue) tap itself, as it does for fds=.
        const queues = n.driver?.queues;
        if (queues !== undefined && queues > 1) o.queues = queues;
      }
      if (n.tune?.sndbuf !== undefined) o.sndbuf = n.tune.sndbuf;
      o.id = id;
      return o;
    }
    default:
      throw refuse(`${w}/@type`, `interface type '${n.type}' is not supported (user, ethernet, bridge, network, direct, vhostuser, hostdev)`);
  }
}

/** The -netdev backend and the -device front-end of one interface, as JSON objects (also what netdev_add / device_add take). */
export interface NetParts {
  /** The -chardev value the netdev needs first (vhost-user's socket), if any. */
  readonly chardev?: string;
  /** That chardev as QMP's chardev-add arguments (hotplug). */
  readonly chardevAdd?: Record<string, unknown>;
  readonly netdev: Record<string, unknown>;
  readonly device: Record<string, unknown>;
}

/** The parts of the interface `n` (at index `i` of the domain's interfaces; not a hostdev). */
export function netParts(ctx: BuildCtx, n: InterfaceDef, i: number): NetParts {
  const w = where(n, i);
  const alias = aliasOf(n, w);
  const model = n.model?.type ?? 'virtio';
  const driver = MODELS[model];
  if (driver === undefined) throw refuse(`${w}/model/@type`, `NIC model '${model}' is not supported`);
  needDevice(ctx.caps, driver, w);
  const nd = netdev(ctx, n, alias, w);
  needBackend(ctx.caps, 'netdev', nd.type as string, w);
  const virtio = driver.startsWith('virtio');
  const o: Record<string, unknown> = { driver };
  const dr = n.driver;
  if (virtio) {
    if (dr?.queues !== undefined && dr.queues > 1) Object.assign(o, { mq: true, vectors: 2 * dr.queues + 2 });
    if (dr?.txmode === 'timer') o.tx = 'timer';
    else if (dr?.txmode === 'iothread') o.tx = 'bh';
    if (dr?.ioeventfd !== undefined) o.ioeventfd = dr.ioeventfd;
    if (dr?.event_idx !== undefined) o.event_idx = dr.event_idx;
    if (dr?.rx_queue_size !== undefined) o.rx_queue_size = dr.rx_queue_size;
    if (dr?.tx_queue_size !== undefined) o.tx_queue_size = dr.tx_queue_size;
    if (n.mtu !== undefined) {
      if (!propOk(ctx.caps, driver, 'host_mtu')) throw refuse(`${w}/mtu`, 'this QEMU has no host_mtu property');
      o.host_mtu = n.mtu.size;
    }
  } else if (n.mtu !== undefined && n.type === 'user') {
    throw refuse(`${w}/mtu`, 'an MTU needs a virtio NIC');
  }
  // TCG only: QEMU 7.2 never starts a vhost-user device whose guest notifiers are MSI-X
  // vectors without KVM's irqfds (the guest's driver hangs at probe); with INTx it works.
  if (n.type === 'vhostuser' && ctx.def.type === 'qemu') o.vectors = 0;
  o.netdev = netdevId(alias);
  o.id = alias;
  if (n.mac === undefined) throw refuse(`${w}/mac`, 'no MAC address (prepareDomain generates one)');
  o.mac = n.mac.address;
  const boot = ctx.bootIndex.get(alias);
  if (boot !== undefined) o.bootindex = boot;
  if (n.rom?.bar !== undefined) o.rombar = n.rom.bar ? 1 : 0;
  if (n.rom?.file !== undefined) o.romfile = n.rom.file;
  if (n.rom?.enabled === 'no') o.romfile = '';
  Object.assign(o, pciProps(ctx, n.address, w));
  const chardev = n.type === 'vhostuser' ? { chardev: vhostUserChardev(n, alias, w), chardevAdd: vhostUserChardevAdd(n, alias, w) } : {};
  return { ...chardev, netdev: nd, device: o };
}

export function buildNet(ctx: BuildCtx): void {
  (ctx.devices.interface ?? []).forEach((n, i) => {
    if (n.type === 'hostdev') return;
    const { chardev, netdev: nd, device } = netParts(ctx, n, i);
    if (chardev !== undefined) push(ctx, '-chardev', chardev);
    push(ctx, '-netdev', jsonOpt(nd));
    push(ctx, '-device', jsonOpt(device));
  });
}

export function interfaceHostdevs(ctx: BuildCtx): InterfaceDef[] {
  return (ctx.devices.interface ?? []).filter((n) => n.type === 'hostdev');
}
