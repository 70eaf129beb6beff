/**
 * Host interface names: the kernel's rules (IFNAMSIZ) and libvirt's vnetN naming
 * for the taps virtkit makes. Pure: no processes, no files.
 */
import { VirtkitError } from '../../core/errors.js';

/** IFNAMSIZ is 16 bytes with the terminating NUL. */
export const IFNAME_MAX_BYTES = 15;

/** Why `name` cannot be a network interface name, or undefined when it can. */
export function ifNameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > IFNAME_MAX_BYTES) return `it is ${bytes} bytes long; the kernel allows at most ${IFNAME_MAX_BYTES}`;
  if (name === '.' || name === '..') return `'${name}' is reserved`;
  // eslint-disable-next-line no-control-regex -- control characters are what we refuse
  const bad = /[/:\s\x00-\x1f\x7f]/u.exec(name);
  if (bad !== null) return `it contains ${JSON.stringify(bad[0])} ('/', ':', whitespace and control characters are not allowed)`;
  return undefined;
}

/** Throws IFACE_NAME_INVALID unless `name` can be a network interface name; `what` says whose name it is. */
export function checkIfName(name: string, what = 'interface name'): void {
  const problem = ifNameProblem(name);
  if (problem !== undefined) {
    throw new VirtkitError('IFACE_NAME_INVALID', `${what} '${name}' is not a valid network interface name: ${problem}`, {
      details: { name, maxBytes: IFNAME_MAX_BYTES },
    });
  }
}

/** libvirt's prefix for the taps it names itself; a user's `<target dev>` may not use it (libvirt ignores such names). */
export const TAP_PREFIX = 'vnet';

/** Whether `name` is one that virtkit generates (vnetN), so a user cannot ask for it by `<target dev>`. */
export function isGeneratedTapName(name: string): boolean {
  return /^vnet\d+$/u.test(name);
}

/**
 * The next free vnetN as libvirt picks it (virNetDevGenerateName): counting up from `after + 1`
 * (the last number handed out), skipping names in use, so a name just freed is not reused at once
 * (a late event about the old tap cannot be taken for the new one). Wraps at `limit`.
 */
export function nextVnetName(inUse: ReadonlySet<string>, after = -1, limit = 1 << 16): { name: string; index: number } {
  for (let i = 1; i <= limit; i++) {
    const index = (after + i) % limit;
    const name = `${TAP_PREFIX}${index}`;
    if (!inUse.has(name)) return { name, index };
  }
  throw new VirtkitError('IFACE_EXISTS', `no free ${TAP_PREFIX}N name: all ${limit} are in use`);
}
