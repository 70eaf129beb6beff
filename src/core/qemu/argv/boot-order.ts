/**
 * bootindex per device. Per-device <boot order> wins; otherwise <os><boot dev>
 * gives the first disk / cdrom / floppy / interface of each kind the position
 * of its dev in the list, as libvirt does.
 */
import { VirtkitError } from '../../errors.js';
import type { PreparedDomain } from './types.js';

export function bootIndexes(def: PreparedDomain): Map<string, number> {
  const out = new Map<string, number>();
  const d = def.devices ?? {};
  const withBoot: Array<{ alias?: { name: string }; boot?: { order: number } }> = [
    ...(d.disk ?? []),
    ...(d.interface ?? []),
    ...(d.hostdev ?? []),
  ];
  const perDevice = withBoot.filter((x) => x.boot !== undefined);
  const osBoot = def.os?.boot ?? [];
  if (perDevice.length > 0) {
    if (osBoot.length > 0) throw new VirtkitError('XML_CONFLICT', '/domain/os/boot: per-device <boot order> and <os><boot dev> cannot be mixed');
    for (const x of perDevice) if (x.alias && x.boot) out.set(x.alias.name, x.boot.order);
    return out;
  }
  osBoot.forEach((b, i) => {
    let dev: { alias?: { name: string } } | undefined;
    switch (b.dev) {
      case 'hd':
        dev = (d.disk ?? []).find((x) => (x.device ?? 'disk') === 'disk' || x.device === 'lun');
        break;
      case 'cdrom':
        dev = (d.disk ?? []).find((x) => x.device === 'cdrom');
        break;
      case 'fd':
        dev = (d.disk ?? []).find((x) => x.device === 'floppy');
        break;
      case 'network':
        dev = (d.interface ?? [])[0];
        break;
    }
    if (dev?.alias && !out.has(dev.alias.name)) out.set(dev.alias.name, i + 1);
  });
  return out;
}
