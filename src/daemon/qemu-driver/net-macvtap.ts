/**
 * `<interface type='direct'>`: which macvtaps a prepared definition needs, and how each is set
 * up (libvirt's qemuInterfaceDirectConnect): a macvtap on `<source dev>` in `<source mode>`
 * (libvirt's default: vepa), named `<target dev>` or the next free macvtapN, with the guest's
 * own MAC (a macvtap is the guest's address on the NIC's segment, unlike a tap's fe: MAC).
 * QEMU gets the char device's fds, one per queue, numbered from 3 up in interface order: the
 * daemon passes them in the spawn's stdio (`-netdev tap,fd=N`).
 */
import { VirtkitError } from '../../core/errors.js';
import type { TapFds } from '../../core/qemu/argv/types.js';
import type { DomainDef as CoreDomainDef } from '../../core/xml/domain/index.js';
import type { InterfaceDef } from '../../core/xml/domain/schema/interface.js';
import { checkIfName } from '../../host/net/link-names.js';
import { MACVTAP_MODES, type MacvtapMode } from '../../host/net/macvtap.js';

export const MACVTAP_PREFIX = 'macvtap';
/** The first fd a spawned QEMU gets past stdin, stdout and stderr. */
const FIRST_FD = 3;

export interface MacvtapPlan {
  readonly alias: string;
  /** /domain/devices/interface[N], for messages. */
  readonly path: string;
  /** The name asked for (<target dev>), or undefined: the next free macvtapN. */
  readonly name: string | undefined;
  readonly parent: string;
  readonly mode: MacvtapMode;
  readonly mac: string;
  readonly queues: number;
}

/** A name the counter hands out (macvtapN): a requested one is ignored, as libvirt does. */
export function isGeneratedMacvtapName(name: string): boolean {
  return /^macvtap\d+$/.test(name);
}

/** The lowest macvtapN not in use. */
export function nextMacvtapName(inUse: ReadonlySet<string>): string {
  for (let i = 0; ; i++) if (!inUse.has(`${MACVTAP_PREFIX}${i}`)) return `${MACVTAP_PREFIX}${i}`;
}

export function planMacvtap(n: InterfaceDef, path: string): MacvtapPlan | undefined {
  if (n.type !== 'direct') return undefined;
  const alias = n.alias?.name;
  const mac = n.mac?.address;
  if (alias === undefined || mac === undefined) throw new VirtkitError('INTERNAL_ERROR', `${path}: not prepared (no alias or MAC)`);
  const parent = n.source?.dev;
  if (parent === undefined) throw new VirtkitError('XML_MISSING', `${path}/source/@dev: a direct interface needs <source dev='NIC' mode='bridge|vepa|private|passthrough'/>`, { details: { path: `${path}/source/@dev` } });
  checkIfName(parent, `${path}/source/@dev`);
  const mode = n.source?.mode ?? 'vepa';
  if (!(mode in MACVTAP_MODES)) {
    throw new VirtkitError('XML_CONFLICT', `${path}/source/@mode: a direct interface's mode is vepa, bridge, private or passthrough, not '${mode}'`, { details: { path: `${path}/source/@mode` } });
  }
  if (n.virtualport !== undefined) throw new VirtkitError('XML_UNSUPPORTED', `${path}/virtualport: 802.1Qbg/h port profiles on a macvtap are not applied yet`, { details: { path: `${path}/virtualport`, paths: [`${path}/virtualport`] } });
  let name = n.target?.dev;
  if (name !== undefined && isGeneratedMacvtapName(name)) name = undefined;
  if (name !== undefined) checkIfName(name, `${path}/target/@dev`);
  return { alias, path, name, parent, mode: mode as MacvtapMode, mac: mac.toLowerCase(), queues: n.driver?.queues ?? 1 };
}

export function planMacvtaps(def: CoreDomainDef): MacvtapPlan[] {
  return (def.devices?.interface ?? []).flatMap((n, i) => {
    const p = planMacvtap(n, `/domain/devices/interface[${i + 1}]`);
    return p === undefined ? [] : [p];
  });
}

/** The fd numbers QEMU sees for each macvtap's queues (3, 4, ... in plan order), as RuntimePaths.taps. */
export function macvtapFdNumbers(plans: readonly MacvtapPlan[]): Record<string, TapFds> {
  const out: Record<string, TapFds> = {};
  let next = FIRST_FD;
  for (const p of plans) {
    out[p.alias] = { fds: Array.from({ length: p.queues }, () => next++) };
  }
  return out;
}
