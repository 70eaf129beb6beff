/**
 * Settings that do not go on QEMU's command line (libvirt applies them to the
 * running process, not through argv; docs/argv.md): what the driver applies
 * over QMP while QEMU is still paused (-S), before `cont`, and what nothing
 * applies yet, which a start refuses rather than silently dropping.
 *
 * Parse, validate, define and domxml-to-native accept all of it (libvirt
 * prints no pinning on a command line either); only a start refuses.
 * Pure: the plan is a list of QMP commands, carried out by the driver.
 */
import { VirtkitError } from '../../core/errors.js';
import type { DomainDef as CoreDomainDef } from '../../core/xml/domain/index.js';
import type { InterfaceDef } from '../../core/xml/domain/schema/interface.js';
import { startupVcpusProblem } from '../../core/qemu/hotplug/vcpu-plan.js';

export interface QmpStep {
  readonly command: string;
  readonly args: Readonly<Record<string, unknown>>;
  /** The element it applies, for error messages. */
  readonly path: string;
}

/** Why a setting is refused at start. */
export interface Unapplied {
  readonly path: string;
  readonly why: string;
}

/** Every setting of `def` that virtkit accepts but does not apply yet, with its element path. */
export function unappliedSettings(def: CoreDomainDef): Unapplied[] {
  const out: Unapplied[] = [];
  // <cputune>, <vcpu cpuset> and the cgroup part of <numatune> are applied by tuning.ts.
  // virtkitd resolves placement='auto' into pins before it calls the driver (daemon/engine/placement.ts): one left here was not placed.
  const vcpus = startupVcpusProblem(def);
  if (vcpus !== undefined) out.push({ path: '/domain/vcpus', why: vcpus });
  if (def.vcpu?.placement === 'auto') out.push({ path: '/domain/vcpu/@placement', why: "placement='auto' reached the QEMU driver unplaced: virtkitd places such a domain at start (docs/placement.md)" });
  const nt = def.numatune;
  const cells = def.cpu?.numa?.cell ?? [];
  const mode = nt?.memory?.mode ?? 'strict';
  if (nt?.memory !== undefined && cells.length === 0 && (mode === 'preferred' || mode === 'interleave')) {
    out.push({ path: '/domain/numatune/memory', why: `mode='${mode}' without guest NUMA cells is a policy of the whole QEMU process, which virtkit does not set yet; define a guest NUMA cell (<cpu><numa><cell .../></numa></cpu>) or use mode='strict'` });
  }
  (nt?.memnode ?? []).forEach((m, i) => {
    if (m.mode === 'restrictive') out.push({ path: `/domain/numatune/memnode[${i + 1}]`, why: "a per-cell mode='restrictive' is applied through cgroups per cell, which virtkit does not do yet; set <memory mode='restrictive'> for the whole domain" });
  });
  (def.devices?.interface ?? []).forEach((n, i) => {
    const w = `/domain/devices/interface[${i + 1}]`;
    if (n.type === 'hostdev') {
      // The VF's MAC and one VLAN tag are set through its PF before start (daemon/nodedev/hostdevs.ts).
      const tags = n.vlan?.tag ?? [];
      if (n.vlan?.trunk === true || tags.length > 1 || tags.some((t) => t.nativeMode !== undefined)) {
        out.push({ path: `${w}/vlan`, why: 'an SR-IOV VF takes one VLAN tag (ip link set PF vf N vlan TAG), not a trunk or a native VLAN' });
      }
      if (n.virtualport !== undefined) out.push({ path: `${w}/virtualport`, why: 'virtual port profiles are not applied to SR-IOV VFs' });
      return;
    }
    out.push(...unappliedHostSide(n, w));
  });
  if (def.os?.loader?.secure === true) {
    out.push({ path: '/domain/os/loader/@secure', why: 'secure boot needs a pflash loader with SMM, which virtkit does not run yet' });
  }
  (def.devices?.graphics ?? []).forEach((g, i) => {
    if (g.passwdValidTo !== undefined) out.push({ path: `/domain/devices/graphics[${i + 1}]/@passwdValidTo`, why: 'password expiry (expire_password) is not applied yet' });
  });
  return out;
}

/**
 * What an interface asks of the host side that virtkit does not do yet: QEMU would get a tap
 * that is not set up as the XML says. The tap itself (type bridge, network, managed ethernet)
 * is made by the driver (net-plan.ts, net-taps.ts); a type network interface is refused there
 * while no network objects resolve its bridge.
 */
function unappliedHostSide(n: InterfaceDef, w: string): Unapplied[] {
  const out: Unapplied[] = [];
  // A type='bridge' tap with an Open vSwitch virtualport is an OVS port, with its VLANs (net-taps.ts).
  const ovsPort = n.type === 'bridge' && n.virtualport?.type === 'openvswitch';
  if (n.vlan !== undefined && !ovsPort) out.push({ path: `${w}/vlan`, why: "VLAN tags are set only on an Open vSwitch port (type='bridge' with <virtualport type='openvswitch'/>) so far" });
  if (n.virtualport !== undefined && !ovsPort) out.push({ path: `${w}/virtualport`, why: "virtual port profiles are applied only for type='bridge' with type='openvswitch' so far" });
  if (n.type !== 'user') (n.ip ?? []).forEach((_, j) => out.push({ path: `${w}/ip[${j + 1}]`, why: "addresses on the host side of a tap are not set yet" }));
  if (n.script !== undefined) out.push({ path: `${w}/script`, why: 'interface scripts are not run yet' });
  if (n.downscript !== undefined) out.push({ path: `${w}/downscript`, why: 'interface scripts are not run yet' });
  if (n.coalesce !== undefined) out.push({ path: `${w}/coalesce`, why: 'tap interrupt coalescing is not set yet' });
  return out;
}

/** Refuses a start that would drop settings: XML_UNSUPPORTED naming each element. */
export function refuseUnapplied(def: CoreDomainDef): void {
  const u = unappliedSettings(def);
  if (u.length === 0) return;
  const first = u[0] as Unapplied;
  throw new VirtkitError('XML_UNSUPPORTED', `cannot start domain '${def.name}': ${u.map((x) => `${x.path}: ${x.why}`).join('; ')}; ` +
    'remove these settings to start it (they are kept in the definition)', { details: { path: first.path, paths: u.map((x) => x.path) } });
}

/**
 * The QMP commands that apply the run-time settings of a prepared definition (aliases set),
 * as libvirt sends them before the vCPUs first run: each NIC's link state (set_link on the
 * NIC's alias), the balloon's statistics period (qom-set on its QOM path), and the VNC
 * password (set_password; the command line only says password=on, which refuses every client
 * until a password is set).
 */
export function liveSettingSteps(def: CoreDomainDef): QmpStep[] {
  const steps: QmpStep[] = [];
  (def.devices?.interface ?? []).forEach((n, i) => {
    const alias = n.alias?.name;
    if (n.link?.state !== 'down' || n.type === 'hostdev' || alias === undefined) return;
    steps.push({ command: 'set_link', args: { name: alias, up: false }, path: `/domain/devices/interface[${i + 1}]/link` });
  });
  const b = def.devices?.memballoon;
  const balloonAlias = b?.alias?.name;
  if (b !== undefined && b.model !== 'none' && b.stats !== undefined && balloonAlias !== undefined) {
    steps.push({
      command: 'qom-set',
      args: { path: `/machine/peripheral/${balloonAlias}`, property: 'guest-stats-polling-interval', value: b.stats.period },
      path: '/domain/devices/memballoon/stats',
    });
  }
  (def.devices?.graphics ?? []).forEach((g, i) => {
    if (g.type !== 'vnc' || g.passwd === undefined) return;
    steps.push({ command: 'set_password', args: { protocol: 'vnc', password: g.passwd }, path: `/domain/devices/graphics[${i + 1}]/@passwd` });
  });
  return steps;
}
