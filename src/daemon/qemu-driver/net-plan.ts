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
import type { OvsVlan } from '../../host/net/ovs.js';

/** Where a managed tap is plugged. */
export type TapUplink = { readonly kind: 'bridge'; readonly bridge: string } | { readonly kind: 'network'; readonly network: string; readonly portgroup?: string } | { readonly kind: 'none' };

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
  /** <virtualport type='openvswitch'> on a type='bridge' interface: the tap is a port of that OVS bridge, with these settings. */
  readonly ovs?: OvsPortPlan;
  /** type='network': the port settings should the network turn out to be an OVS bridge (its resolver says so). */
  readonly networkOvs?: OvsPortPlan;
}

/** What libvirt sets on an interface's OVS port (virNetDevOpenvswitchAddPort). */
export interface OvsPortPlan {
  readonly vlan?: OvsVlan;
  /** The guest's MAC (external-ids:attached-mac). */
  readonly attachedMac: string;
  readonly ifaceId?: string;
  readonly profileId?: string;
  /** The domain's UUID (external-ids:vm-id). */
  readonly vmUuid?: string;
}

/** The OVS port settings of an interface with <virtualport type='openvswitch'>, else undefined. */
export function ovsPortPlan(n: InterfaceDef, guestMac: string, vmUuid: string | undefined): OvsPortPlan | undefined {
  if (n.virtualport?.type !== 'openvswitch') return undefined;
  const tags = n.vlan?.tag ?? [];
  const native = tags.find((t) => t.nativeMode !== undefined);
  const vlan: OvsVlan | undefined = tags.length === 0 ? undefined : {
    tags: tags.map((t) => t.id), trunk: n.vlan?.trunk === true,
    ...(native?.nativeMode === undefined ? {} : { native: { tag: native.id, mode: native.nativeMode } }),
  };
  const p = n.virtualport.parameters;
  return {
    attachedMac: guestMac.toLowerCase(),
    ...(vlan === undefined ? {} : { vlan }),
    ...(p?.interfaceid === undefined ? {} : { ifaceId: p.interfaceid }),
    ...(p?.profileid === undefined ? {} : { profileId: p.profileid }),
    ...(vmUuid === undefined ? {} : { vmUuid }),
  };
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
export function planTap(n: InterfaceDef, path: string, vmUuid?: string): TapPlan | undefined {
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
    const portgroup = n.source?.portgroup;
    uplink = { kind: 'network', network, ...(portgroup === undefined ? {} : { portgroup }) };
  }
  // libvirt ignores a requested name that looks generated (vnetN) and picks one itself, so
  // that a saved live XML never claims a name the counter will hand out again.
  let name = n.target?.dev;
  if (name !== undefined && isGeneratedTapName(name)) name = undefined;
  if (name !== undefined) checkIfName(name, `${path}/target/@dev`);
  const queues = n.driver?.queues ?? 1;
  // A type='network' interface's virtualport is the network's business (its resolver), not the tap's.
  const ovs = n.type === 'bridge' ? ovsPortPlan(n, mac, vmUuid) : undefined;
  const networkOvs = n.type === 'network' ? ovsPortPlan({ ...n, virtualport: { type: 'openvswitch', ...(n.virtualport?.parameters === undefined ? {} : { parameters: n.virtualport.parameters }) } }, mac, vmUuid) : undefined;
  return { alias, path, name, uplink, mac: tapMac(mac), mtu: n.mtu?.size, queues, ...(ovs === undefined ? {} : { ovs }), ...(networkOvs === undefined ? {} : { networkOvs }) };
}

/** The tap plans of every interface of a prepared definition, in order. */
export function planTaps(def: CoreDomainDef): TapPlan[] {
  return (def.devices?.interface ?? []).flatMap((n, i) => {
    const p = planTap(n, `/domain/devices/interface[${i + 1}]`, def.uuid);
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

/**
 * Writes the bridge each type='network' interface's network gave it into the definition, by alias,
 * as libvirt's live XML shows it (`<source network='N' bridge='virbrN'/>`; no portid: virtkit has
 * no network port objects).
 */
export function setSourceBridges(def: CoreDomainDef, bridges: Readonly<Record<string, string>>): void {
  for (const n of def.devices?.interface ?? []) {
    const alias = n.alias?.name;
    const bridge = alias === undefined ? undefined : bridges[alias];
    if (bridge === undefined || n.type !== 'network' || n.source === undefined) continue;
    n.source = { ...n.source, bridge };
  }
}
