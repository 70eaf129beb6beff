/**
 * macvtap links for `<interface type='direct'>`: a macvlan on a host NIC whose queue is a
 * character device, /dev/tapIFINDEX, instead of a socket. QEMU cannot open a macvtap by name
 * (it is not a tun device); the daemon opens the char device and passes the fd (`-netdev
 * tap,fd=N`), as libvirt does. The char device appears through devtmpfs as the link is made.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { VirtkitError } from '../../core/errors.js';
import { checkIfName } from './link-names.js';
import { runIp, type IpRunner } from './ip-runner.js';

/** libvirt's source modes and the names `ip link ... type macvtap mode` takes for them. */
export const MACVTAP_MODES = { vepa: 'vepa', bridge: 'bridge', private: 'private', passthrough: 'passthru' } as const;
export type MacvtapMode = keyof typeof MACVTAP_MODES;

export interface MacvtapOptions {
  readonly parent: string;
  readonly mode: MacvtapMode;
  readonly mac: string;
}

/** `ip link add link PARENT name NAME address MAC type macvtap mode M` (made down; set it up once QEMU has it). */
export async function createMacvtap(name: string, o: MacvtapOptions, run: IpRunner = runIp): Promise<void> {
  checkIfName(name, 'macvtap name');
  checkIfName(o.parent, 'macvtap source dev');
  await run(['link', 'add', 'link', o.parent, 'name', name, 'address', o.mac, 'type', 'macvtap', 'mode', MACVTAP_MODES[o.mode]]);
}

/**
 * Opens the char device of the macvtap with ifindex `index` `queues` times (one fd per queue),
 * waiting briefly for devtmpfs to show it. `devRoot` is /dev, or a fake tree in tests.
 */
export async function openMacvtap(index: number, queues: number, devRoot = '/dev'): Promise<FileHandle[]> {
  const path = `${devRoot}/tap${index}`;
  const handles: FileHandle[] = [];
  try {
    for (let q = 0; q < queues; q++) handles.push(await openRetrying(path));
  } catch (e) {
    await Promise.all(handles.map((h) => h.close()));
    throw new VirtkitError('HOST_NET_FAILED', `cannot open ${path}, the char device of a macvtap: ${(e as Error).message}`, { cause: e, details: { path } });
  }
  return handles;
}

async function openRetrying(path: string): Promise<FileHandle> {
  // devtmpfs makes the node as the kernel registers the device; a moment may pass.
  for (let attempt = 0; ; attempt++) {
    try {
      // libuv opens with O_CLOEXEC: only the spawn that passes the fd in its stdio gives it to QEMU.
      return await open(path, constants.O_RDWR);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 50) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
