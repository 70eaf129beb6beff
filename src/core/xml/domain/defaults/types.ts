/**
 * Shared vocabulary of the defaults step (parse -> defaults -> validate ->
 * format): the injected context, the machine family and the element types
 * the other files work on. Pure: no clock, no randomness except ctx.random.
 */
import { VirtkitError } from '../../../errors.js';
import type { ErrorCode } from '../../../errors.js';
import type { DeviceAddress } from '../schema/address.js';
import type { DevicesDef, DomainDef } from '../schema/domain.js';

export interface PrepareCaps {
  /** Guest architecture when <type arch> is absent (the host's); default x86_64. */
  arch?: 'x86_64' | 'i686';
  /** Machine type when <type machine> is absent; default 'pc'. */
  defaultMachine?: string;
}

export interface PrepareContext {
  /** n random bytes: crypto.randomBytes in production, a fixed stream in tests. */
  random(n: number): Uint8Array;
  caps?: PrepareCaps;
}

type Item<T> = T extends Array<infer U> ? U : never;
export type Disk = Item<NonNullable<DevicesDef['disk']>>;
export type Controller = Item<NonNullable<DevicesDef['controller']>>;
export type Interface = Item<NonNullable<DevicesDef['interface']>>;
export type Hostdev = Item<NonNullable<DevicesDef['hostdev']>>;
export type Chr = Item<NonNullable<DevicesDef['serial']>>;
export type Video = Item<NonNullable<DevicesDef['video']>>;
export type Input = Item<NonNullable<DevicesDef['input']>>;
export type { DevicesDef, DomainDef, DeviceAddress };

/** i440fx ('pc', 'pc-i440fx-*', 'pc-1.x'), q35 ('q35', 'pc-q35-*'), or a machine without PCI (isapc, microvm). */
export type MachineKind = 'i440fx' | 'q35' | 'other';

export function machineKind(def: DomainDef): MachineKind {
  const m = def.os?.type?.machine ?? 'pc';
  if (m === 'q35' || m.startsWith('pc-q35')) return 'q35';
  if (m === 'pc' || m.startsWith('pc-')) return 'i440fx';
  return 'other';
}

export function fail(code: ErrorCode, path: string, message: string): VirtkitError {
  return new VirtkitError(code, `${path}: ${message}`, { details: { path } });
}

/** The devices element, created when absent. */
export function devicesOf(def: DomainDef): DevicesDef {
  if (!def.devices) def.devices = {};
  return def.devices;
}

/** Where each element of the user's document was, so errors name it even after virtkit inserted devices before it. */
const ORIGIN = new WeakMap<object, string>();

/** Paths index devices the way validate.ts does: /domain/devices/disk[2] (1-based, only when there are several). */
function positionPath(kind: string, i: number, n: number): string {
  return n > 1 ? `/domain/devices/${kind}[${i + 1}]` : `/domain/devices/${kind}`;
}

/** The path of list[i]: where the user wrote it, or its place in the prepared def for an added device. */
export function devicePath(kind: string, list: readonly object[], i: number): string {
  const o = list[i];
  return (o === undefined ? undefined : ORIGIN.get(o)) ?? positionPath(kind, i, list.length);
}

/** Records the user's element paths before anything is added (call on the fresh copy). */
export function rememberPaths(d: DevicesDef | undefined): void {
  if (!d) return;
  for (const [kind, v] of Object.entries(d)) {
    if (Array.isArray(v)) v.forEach((o: unknown, i) => typeof o === 'object' && o !== null && ORIGIN.set(o, positionPath(kind, i, v.length)));
    else if (typeof v === 'object' && v !== null) ORIGIN.set(v, `/domain/devices/${kind}`);
  }
}

export const hex = (n: number): string => `0x${n.toString(16)}`;
