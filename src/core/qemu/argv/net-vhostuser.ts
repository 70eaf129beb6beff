/**
 * `<interface type='vhostuser'>`: the NIC's data path is a vhost-user backend (DPDK, OVS-DPDK,
 * VPP) on a unix socket, as libvirt builds it for QEMU 7.2 (qemuBuildVhostuserCommandLine):
 *
 *     -chardev socket,id=charnet0,path=/tmp/vhost0.sock,server=on,wait=off   (mode='server')
 *     -chardev socket,id=charnet1,path=/tmp/vhost1.sock                      (mode='client')
 *     -netdev {"type":"vhost-user","chardev":"charnet0","queues":4,"id":"hostnet0"}
 *
 * mode is QEMU's side: 'server' makes QEMU listen on the socket (the backend connects),
 * 'client' makes QEMU connect to a socket the backend listens on. The backend reads and writes
 * the guest's memory directly, so that memory must be shared: a file descriptor QEMU can hand
 * over (memfd, or hugetlbfs with share=on). Like libvirt, a domain whose memory is not shared is
 * refused ("vhost-user requires shared memory").
 */
import { VirtkitError } from '../../errors.js';
import type { InterfaceDef } from '../../xml/domain/schema/interface.js';
import type { BuildCtx } from './context.js';
import { refuse } from './context.js';
import { keyval, type OptPair } from './escape.js';

/** The -netdev id of an interface (libvirt's `hostnetN` for alias `netN`), also the id hot-plug and undo use. */
export function netdevId(alias: string): string {
  return `host${alias}`;
}

/** The chardev id of a vhost-user interface's socket, as libvirt names it. */
export function vhostUserChardevId(alias: string): string {
  return `char${alias}`;
}

function source(n: InterfaceDef, w: string): { path: string; server: boolean } {
  const s = n.source;
  if (s?.path === undefined) {
    throw new VirtkitError('XML_MISSING', `${w}/source/@path: a vhostuser interface needs <source type='unix' path='SOCKET' mode='client|server'/>`, { details: { path: `${w}/source/@path` } });
  }
  if (s.type !== undefined && s.type !== 'unix') throw refuse(`${w}/source/@type`, "only type='unix' sockets are supported");
  const mode = s.mode ?? 'client';
  if (mode !== 'client' && mode !== 'server') {
    throw new VirtkitError('XML_CONFLICT', `${w}/source/@mode: a vhostuser socket's mode is 'client' or 'server', not '${mode}'`, { details: { path: `${w}/source/@mode` } });
  }
  return { path: s.path, server: mode === 'server' };
}

/** The -chardev value of a vhost-user interface (QEMU listens on the socket when mode='server'). */
export function vhostUserChardev(n: InterfaceDef, alias: string, w: string): string {
  const s = source(n, w);
  const pairs: OptPair[] = [['id', vhostUserChardevId(alias)], ['path', s.path]];
  if (s.server) pairs.push(['server', true], ['wait', false]);
  return keyval('socket', pairs);
}

/** The same socket as QMP's chardev-add takes it (hotplug). */
export function vhostUserChardevAdd(n: InterfaceDef, alias: string, w: string): Record<string, unknown> {
  const s = source(n, w);
  const data: Record<string, unknown> = { addr: { type: 'unix', data: { path: s.path } }, server: s.server };
  if (s.server) data.wait = false;
  return { id: vhostUserChardevId(alias), backend: { type: 'socket', data } };
}

/** The -netdev object of a vhost-user interface. */
export function vhostUserNetdev(ctx: BuildCtx, n: InterfaceDef, alias: string, w: string): Record<string, unknown> {
  source(n, w);
  const model = n.model?.type ?? 'virtio';
  if (!model.startsWith('virtio')) throw refuse(`${w}/model/@type`, `a vhostuser interface needs a virtio NIC, not '${model}'`);
  if (n.tune?.sndbuf !== undefined) throw refuse(`${w}/tune/sndbuf`, 'sndbuf is a tap setting; a vhostuser interface has no tap');
  requireSharedMemory(ctx, `${w}`);
  const o: Record<string, unknown> = { type: 'vhost-user', chardev: vhostUserChardevId(alias) };
  const queues = n.driver?.queues;
  if (queues !== undefined && queues > 1) o.queues = queues;
  o.id = netdevId(alias);
  return o;
}

/**
 * Whether every piece of the guest's RAM is shared and has a file descriptor (what a vhost-user
 * backend maps): memoryBacking access mode='shared', or with guest NUMA each cell's memAccess
 * (falling back to memoryBacking's); and memfd or hugepages behind it, since plain anonymous
 * memory cannot be handed to another process.
 */
export function requireSharedMemory(ctx: BuildCtx, w: string): void {
  const mb = ctx.def.memoryBacking;
  const cells = ctx.def.cpu?.numa?.cell ?? [];
  const domainShared = mb?.access?.mode === 'shared';
  const unshared = cells.length === 0 ? (domainShared ? [] : ['/domain/memoryBacking/access'])
    : cells.flatMap((c, i) => ((c.memAccess ?? mb?.access?.mode) === 'shared' ? [] : [`/domain/cpu/numa/cell[${i + 1}]/@memAccess`]));
  if (unshared.length > 0) {
    throw new VirtkitError('XML_CONFLICT', `${w}: vhost-user requires shared memory: the backend reads and writes the guest's RAM; ` +
      "add <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking> (or hugepages with access mode='shared', " +
      `or memAccess='shared' on every NUMA cell); not shared: ${unshared.join(', ')}`, { details: { path: w, paths: unshared } });
  }
  if (mb?.hugepages === undefined && mb?.source?.type !== 'memfd') {
    throw new VirtkitError('XML_CONFLICT', `${w}: vhost-user requires shared memory with a file behind it: add <source type='memfd'/> ` +
      'or <hugepages/> to <memoryBacking>', { details: { path: w, paths: ['/domain/memoryBacking/source'] } });
  }
}
