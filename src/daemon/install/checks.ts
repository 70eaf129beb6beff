/**
 * virt-install's checks before it makes anything (virtinst/cli.py validate_disk, and the
 * interface's MAC check), each one switched off with `--check NAME=off` (`--check all=off`: all):
 *  - path_in_use: a disk of the new domain is a file or device another domain's disk uses, and
 *    they are not both read-only or both shareable (MAC's "Disk X is already in use");
 *  - path_exists: a volume the install makes is already a file;
 *  - disk_size: a new volume's capacity is more than its pool has free (the volume is sparse: it
 *    would fill the pool once written);
 *  - mac_in_use: a NIC's MAC is another domain's.
 * A check that fails is refused with virt-install's message and how to switch it off.
 */
import { stat } from 'node:fs/promises';
import { VirtkitError, type ErrorCode } from '../../core/errors.js';
import type { InstallArgs, InstallPlan } from '../../core/install/types.js';
import type { DomainDef } from '../domain-xml.js';
import type { EngineContext } from '../engine/context.js';

const CHECKS = ['path_in_use', 'path_exists', 'disk_size', 'mac_in_use'] as const;
type Check = (typeof CHECKS)[number];
const OFF = new Set(['off', 'no', 'false', '0', 'n', 'f']);

/** Which checks `--check` leaves on (all of them by default; `all=off`, then each key, in order). */
export function checksOn(args: InstallArgs): Set<Check> {
  const on = new Set<Check>(CHECKS);
  for (const use of args['check'] ?? []) {
    for (const o of use.opts) {
      const off = OFF.has((o.value ?? 'on').toLowerCase());
      const which: readonly Check[] = o.key === 'all' ? CHECKS : CHECKS.filter((c) => c === o.key);
      if (which.length === 0) {
        throw new VirtkitError('INVALID_ARGUMENT', `Unknown --check options: ['${o.key}']; valid: all, ${CHECKS.join(', ')}`, { details: { flag: 'check', valid: ['all', ...CHECKS] } });
      }
      for (const c of which) {
        if (off) on.delete(c);
        else on.add(c);
      }
    }
  }
  return on;
}

const fail = (code: ErrorCode, msg: string, check: Check, details: Record<string, unknown>): VirtkitError =>
  new VirtkitError(code, `${msg} (Use --check ${check}=off or --check all=off to override)`, { details: { ...details, check } });

type DiskUse = { path: string; readonly: boolean; shareable: boolean };
function disksOf(def: DomainDef): DiskUse[] {
  return (def.devices?.disk ?? []).flatMap((d) => {
    const path = d.source?.file ?? d.source?.dev;
    return path === undefined ? [] : [{ path, readonly: d.readonly !== undefined, shareable: d.shareable !== undefined }];
  });
}
const macsOf = (def: DomainDef): string[] =>
  (def.devices?.interface ?? []).flatMap((i) => (i.mac?.address === undefined ? [] : [i.mac.address.toLowerCase()]));

/** Runs the checks `args` leaves on against `plan` and the host. */
export async function checkInstall(ctx: EngineContext, plan: InstallPlan, args: InstallArgs): Promise<void> {
  const on = checksOn(args);
  const final = plan.phases.at(-1);
  if (final === undefined || on.size === 0) return;
  const x = await ctx.xml();
  const mine = x.parseDomain(final);
  const others = await Promise.all(ctx.registry.all().filter((r) => r.name !== plan.name).map(async (r) => ({ name: r.name, def: r.runtime?.liveDef ?? await ctx.defOf(r) })));
  if (on.has('path_in_use')) {
    for (const d of disksOf(mine)) {
      const users = others.filter((o) => disksOf(o.def).some((u) => u.path === d.path && !(u.readonly && d.readonly) && !(u.shareable && d.shareable)));
      if (users.length > 0) {
        throw fail('OPERATION_INVALID', `Disk ${d.path} is already in use by other guests [${users.map((u) => `'${u.name}'`).join(', ')}].`, 'path_in_use', { path: d.path, domains: users.map((u) => u.name) });
      }
    }
  }
  if (on.has('mac_in_use')) {
    for (const mac of macsOf(mine)) {
      const user = others.find((o) => macsOf(o.def).includes(mac));
      if (user) throw fail('MAC_IN_USE', `The MAC address '${mac}' is in use by another virtual machine.`, 'mac_in_use', { mac, domain: user.name });
    }
  }
  for (const v of plan.volumes) {
    if (on.has('path_exists') && (await stat(v.path).then(() => true, () => false))) {
      throw fail('VOLUME_EXISTS', `This will overwrite the existing path '${v.path}'`, 'path_exists', { path: v.path });
    }
    const available = ctx.storage.pools.find(v.pool)?.space.available;
    if (on.has('disk_size') && available !== undefined && v.capacity > available) {
      const mib = (n: number): number => Math.floor(n / 1048576);
      throw fail('NO_SPACE', `The requested volume capacity will exceed the available pool space when the volume is fully allocated. (${mib(v.capacity)} M requested capacity > ${mib(available)} M available)`,
        'disk_size', { pool: v.pool, volume: v.name, capacity: v.capacity, available });
    }
  }
}
