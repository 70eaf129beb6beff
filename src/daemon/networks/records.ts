/**
 * What the daemon keeps about each virtual network, what it records about a started one
 * (run/network/status/NAME.json, written before anything is made on the host, so that a
 * daemon killed at any point leaves a record the next one reconciles), and the view the API
 * answers with.
 */
import type { ChildProcess } from 'node:child_process';
import type { NetworkDef } from '../../core/xml/network/index.js';

export interface DnsmasqHandle {
  readonly pid: number;
  /** The child, while this daemon spawned it (an adopted dnsmasq has none). */
  readonly child: ChildProcess | undefined;
}

export interface NetworkRecord {
  readonly name: string;
  readonly uuid: string;
  /** The persistent definition as stored (for a transient network: the one it was created from). */
  xml: string;
  /** The running definition while active (with live net-update changes), else the persistent one. */
  def: NetworkDef;
  persistent: boolean;
  autostart: boolean;
  active: boolean;
  /** The network's dnsmasq while active (undefined: a network without one, or between restarts). */
  dnsmasq: DnsmasqHandle | undefined;
  /** Set while destroy runs, so that dnsmasq's exit is not taken for a crash. */
  stopping: boolean;
}

/** 'starting': written before the first step; 'running' once every step is done. */
export interface NetworkStatus {
  readonly name: string;
  readonly uuid: string;
  /** The running definition (a transient network has no other copy). */
  readonly xml: string;
  readonly persistent: boolean;
  readonly state: 'starting' | 'running';
  readonly bridge: string;
  readonly dnsmasqPid: number | null;
  /** ISO 8601. */
  readonly startedAt: string;
}

export function parseNetworkStatus(v: unknown): NetworkStatus | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const ok = typeof o['name'] === 'string' && typeof o['uuid'] === 'string' && typeof o['xml'] === 'string' &&
    typeof o['persistent'] === 'boolean' && (o['state'] === 'starting' || o['state'] === 'running') &&
    typeof o['bridge'] === 'string' && (o['dnsmasqPid'] === null || typeof o['dnsmasqPid'] === 'number') && typeof o['startedAt'] === 'string';
  return ok ? (o as unknown as NetworkStatus) : undefined;
}

export interface NetworkInfo {
  readonly name: string;
  readonly uuid: string;
  readonly active: boolean;
  readonly persistent: boolean;
  readonly autostart: boolean;
  readonly bridge: string | null;
  /** libvirt's forward mode; 'isolated' when the network has no <forward>. */
  readonly forward: string;
}

export function networkView(n: NetworkRecord): NetworkInfo {
  return {
    name: n.name, uuid: n.uuid, active: n.active, persistent: n.persistent, autostart: n.autostart,
    bridge: n.def.bridge?.name ?? null, forward: n.def.forward?.mode ?? 'isolated',
  };
}

/** One DHCP lease, as net-dhcp-leases and domifaddr show it. */
export interface NetworkLease {
  readonly network: string;
  readonly bridge: string;
  /** Unix seconds; null for an infinite lease. */
  readonly expiresAt: number | null;
  readonly mac: string | null;
  readonly family: 'ipv4' | 'ipv6';
  readonly ip: string;
  readonly prefix: number;
  readonly hostname: string | null;
  readonly clientId: string | null;
  /** IPv6: the identity association id; null for IPv4. */
  readonly iaid: string | null;
}
