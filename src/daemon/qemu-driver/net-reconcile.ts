/**
 * A re-attached domain's interfaces against its QEMU. An attach records its new NIC in the status
 * file while QEMU runs the hot-plug (engine/iface-ops.ts), and writes it again without the NIC when
 * the hot-plug fails. A daemon killed in between leaves a status that names a NIC the guest may
 * never have got: the hot-plug failed, or QEMU dropped the commands it had not run yet when the
 * monitor closed. The next daemon asks QEMU for its devices (qom-list /machine/peripheral: each NIC
 * is the device whose id is its alias) and drops each recorded NIC it lacks, with its netdev (in
 * case QEMU made that much) and its tap.
 */
import { netdevId } from '../../core/qemu/argv/net-vhostuser.js';
import type { DomainDef } from '../domain-xml.js';
import type { Monitor } from './monitor.js';
import { dropTap, withoutNics } from './net-hotplug.js';
import type { DomainTaps } from './net-taps.js';

/** The aliases of the interfaces of `def` that are not among QEMU's `devices` (hostdev interfaces are not NICs of QEMU's own). */
export function missingNics(def: DomainDef, devices: ReadonlySet<string>): string[] {
  return (def.devices?.interface ?? []).flatMap((n) => {
    const alias = n.alias?.name;
    return n.type === 'hostdev' || alias === undefined || devices.has(alias) ? [] : [alias];
  });
}

/** `def` without the NICs its QEMU lacks (missingNics), whose netdevs and taps are removed; `def` itself when none is. */
export async function dropMissingNics(monitor: Monitor, def: DomainDef, taps: DomainTaps, warn: (message: string) => void): Promise<DomainDef> {
  let devices: Set<string>;
  try {
    const list = (await monitor.execute('qom-list', { path: '/machine/peripheral' })) as { name: string }[];
    devices = new Set(list.map((d) => d.name));
  } catch (e) {
    warn(`cannot list its devices (qom-list), so its interfaces are taken as recorded: ${(e as Error).message}`);
    return def;
  }
  const missing = missingNics(def, devices);
  if (missing.length === 0) return def;
  for (const alias of missing) {
    warn(`interface '${alias}' is recorded but QEMU has no such device (a hot-plug the daemon did not see end): it is dropped`);
    await monitor.execute('netdev_del', { id: netdevId(alias) }).catch(() => undefined);
    await dropTap(taps, alias, warn);
  }
  return withoutNics(def, missing);
}
