/**
 * The storage bench's libvirt column: Debian's libvirtd 9.0 from the
 * libvirt-daemon .deb unpacked into .cache/libvirt-daemon/root (never
 * installed), started as every bench's private libvirtd (libvirt-instance.ts:
 * a private mount namespace with its own /etc/libvirt, /run and /var), but
 * loading only its storage and secret drivers (LIBVIRT_DRIVER_DIR: the
 * network and nwfilter modules needed libraries this machine lacked, and no
 * QEMU driver is needed for pools), no virtlogd, reached as storage:///system.
 * An overlay of the unpacked /usr/lib on /usr/lib (inside the namespace only)
 * lets it find libvirt_iohelper, which vol-upload and vol-download run.
 * Timings: whole `virsh` processes for vol-list (as a user runs it), and
 * one long-lived `virsh` shell for API calls (virsh-shell.ts: its process start not counted).
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { repoRoot } from '../../tests/helpers/paths.js';
import { LibvirtInstance } from './libvirt-instance.js';

/** The unpacked .deb, or why the column is skipped. */
export function findStorageLibvirt(): { root: string } | { skipped: string } {
  const root = resolve(process.env['VIRTKIT_LIBVIRT_ROOT'] ?? join(repoRoot, '.cache', 'libvirt-daemon', 'root'));
  if (!existsSync(join(root, 'usr', 'sbin', 'libvirtd'))) {
    return { skipped: `no libvirtd in ${root} (apt-get download libvirt-daemon && dpkg-deb -x libvirt-daemon_*.deb root, see docs/bench.md)` };
  }
  if (process.getuid?.() !== 0) return { skipped: 'libvirt needs root here (a private mount namespace for its daemon)' };
  if (!existsSync('/etc/libvirt')) return { skipped: 'no /etc/libvirt to mount the private configuration on' };
  return { root };
}

/** The pool's directory of the storage bench's libvirt (inside its temp dir). */
export const storagePoolDir = (lv: LibvirtInstance): string => join(lv.dir, 'pool');

/** libvirtd from the unpacked tree `root`, storage and secret drivers only, answering pool-list. */
export async function startStorageLibvirt(root: string): Promise<LibvirtInstance> {
  const mods = join(root, 'usr', 'lib', 'x86_64-linux-gnu', 'libvirt');
  const bins = { libvirtd: join(root, 'usr', 'sbin', 'libvirtd'), virtlogd: '', virsh: 'virsh', describe: `libvirtd from ${root}` };
  const lv = await LibvirtInstance.create(bins, {
    scheme: 'storage',
    drivers: ['libvirt_driver_storage.so', 'libvirt_driver_secret.so'].map((m) => join(mods, 'connection-driver', m)),
    env: { LIBVIRT_STORAGE_BACKEND_DIR: join(mods, 'storage-backend'), LIBVIRT_STORAGE_FILE_DIR: join(mods, 'storage-file') },
    overlayRoot: root,
    ready: ['pool-list', '--all'],
  });
  try {
    await mkdir(storagePoolDir(lv));
    await lv.startDaemon();
    return lv;
  } catch (e) {
    await lv.dispose().catch(() => undefined);
    throw e;
  }
}
