/**
 * Which interfaces of a prepared definition need a tap that virtkit makes (libvirt's "managed"
 * taps), and how each is set up: type bridge (plugged into an existing host bridge), type
 * network (plugged into the bridge the network resolver names), type ethernet without a
 * `<target dev>` or with managed='yes' (not plugged anywhere). A type ethernet interface with a
 * `<target dev>` and no managed='yes' is a tap the user made: QEMU opens it and nobody touches it.
 * Pure: the driver (net-taps.ts) carries the plan out.
 */
import { VirtkitError } from '../../core/errors.js';
import type { DomainDef as CoreDomainDef } from '../../core/xml/domain/index.js';
import type { InterfaceDef } from '../../core/xml/domain/schema/interface.js';
import { checkIfName, isGeneratedTapName } from '../../host/net/link-names.js';

/** Where a managed tap is plugged. */
export type TapUplink = { readonly kind: 'bridge'; readonly bridge: string } | { readonly kind: 'network'; readonly network: string } | { readonly kind: 'none' };

export interface TapPlan {
  /** The interface's device alias (net0...). */
  readonly alias: string;
  /** /domain/devices/interface[N], for messages. */
  readonly path: string;
  /** The name asked for (<target dev>), or undefined: the driver picks the next free vnetN. */
  readonly name: string | undefined;
  readonly uplink: TapUplink;
  /** The tap's own MAC: the guest's with the first byte 0xFE, as libvirt sets it (the bridge never takes the tap's MAC as its own). */
  readonly mac: string;
  /** <mtu size>, else undefined: the bridge's MTU for a plugged tap, the kernel's default otherwise. */
  readonly mtu: number | undefined;
  /** <driver queues=N>: a multi-queue tap for N > 1. */
  readonly queues: number;
}

/** The guest's MAC with the first byte 0xFE: what libvirt gives the host side of a tap. */
export function tapMac(guestMac: string): string {
  return `fe${guestMac.slice(2)}`.toLowerCase();
}

/** Whether `n` is a tap virtkit makes (and so removes). */
export function isManagedTap(n: InterfaceDef): boolean {
  if (n.type === 'bridge' || n.type === 'network') return true;
  return n.type === 'ethernet' && (n.target === undefined || n.target.managed === true);
}

/** The tap plan of one interface of a prepared definition (alias and MAC set), or undefined when virtkit makes no tap for it. */
export function planTap(n: InterfaceDef, path: string): TapPlan | undefined {
  if (!isManagedTap(n)) return undefined;
  if ((n.type === 'bridge' || n.type === 'network') && n.target?.managed === false) {
    throw new VirtkitError('XML_CONFLICT', `${path}/target/@managed: managed='no' is only for type='ethernet' (a tap you made); a ${n.type} interface's tap is made by virtkit`, { details: { path: `${path}/target/@managed` } });
  }
  const alias = n.alias?.name;
  const mac = n.mac?.address;
  if (alias === undefined || mac === undefined) throw new VirtkitError('INTERNAL_ERROR', `${path}: not prepared (no alias or MAC)`);
  let uplink: TapUplink = { kind: 'none' };
  if (n.type === 'bridge') {
    const bridge = n.source?.bridge;
    if (bridge === undefined) throw new VirtkitError('XML_MISSING', `${path}/source/@bridge: a bridge interface needs <source bridge='NAME'/>`, { details: { path: `${path}/source/@bridge` } });
    checkIfName(bridge, `${path}/source/@bridge`);
    uplink = { kind: 'bridge', bridge };
  } else if (n.type === 'network') {
    const network = n.source?.network;
    if (network === undefined) throw new VirtkitError('XML_MISSING', `${path}/source/@network: a network interface needs <source network='NAME'/>`, { details: { path: `${path}/source/@network` } });
    uplink = { kind: 'network', network };
  }
  // libvirt ignores a requested name that looks generated (vnetN) and picks one itself, so
  // that a saved live XML never claims a name the counter will hand out again.
  let name = n.target?.dev;
  if (name !== undefined && isGeneratedTapName(name)) name = undefined;
  if (name !== undefined) checkIfName(name, `${path}/target/@dev`);
  const queues = n.driver?.queues ?? 1;
  return { alias, path, name, uplink, mac: tapMac(mac), mtu: n.mtu?.size, queues };
}

/** The tap plans of every interface of a prepared definition, in order. */
export function planTaps(def: CoreDomainDef): TapPlan[] {
  return (def.devices?.interface ?? []).flatMap((n, i) => {
    const p = planTap(n, `/domain/devices/interface[${i + 1}]`);
    return p === undefined ? [] : [p];
  });
}

/** Writes the names the taps got into the definition (`<target dev='vnetN'/>`), by alias, as the live XML shows them. */
export function setTapNames(def: CoreDomainDef, names: Readonly<Record<string, string>>): void {
  for (const n of def.devices?.interface ?? []) {
    const alias = n.alias?.name;
    const name = alias === undefined ? undefined : names[alias];
    if (name === undefined) continue;
    n.target = { dev: name, ...(n.target?.managed === undefined ? {} : { managed: n.target.managed }) };
  }
}
