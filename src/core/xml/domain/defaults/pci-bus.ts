/**
 * The PCI address set: buses (one per PCI controller index), their slots and
 * functions in use, and what each bus model accepts, after libvirt's
 * virDomainPCIAddressSet (src/conf/domain_addr.c). Auto-assignment always
 * searches from bus 0, slot minSlot upward and takes the first compatible
 * free slot; pcie-root-ports share a slot as functions 0-7 ("aggregate").
 * In a dry run a device that finds no room grows the set by one bus of the
 * model it needs; the caller then adds the matching controllers.
 */
import type { PciAddress } from '../schema/address.js';
import { fail, hex } from './types.js';

export type PciModel =
  | 'pci-root'
  | 'pcie-root'
  | 'pci-bridge'
  | 'dmi-to-pci-bridge'
  | 'pcie-root-port'
  | 'pcie-switch-upstream-port'
  | 'pcie-switch-downstream-port'
  | 'pci-expander-bus'
  | 'pcie-expander-bus'
  | 'pcie-to-pci-bridge';

/** How a device plugs in: a conventional or Express endpoint, or a PCI controller model. */
export type ConnectType = 'pci' | 'pcie' | Exclude<PciModel, 'pci-root' | 'pcie-root'>;

interface BusModelInfo {
  minSlot: number;
  maxSlot: number;
  accepts: ReadonlySet<ConnectType>;
}

const ENDPOINT_PCIE: ReadonlySet<ConnectType> = new Set(['pcie', 'pcie-to-pci-bridge', 'pcie-switch-upstream-port']);
const ENDPOINT_PCI: ReadonlySet<ConnectType> = new Set(['pci', 'pci-bridge']);

// Auto-assignment targets only; an address written in the XML may use any bus.
const BUS_MODELS: Record<PciModel, BusModelInfo> = {
  'pci-root': { minSlot: 1, maxSlot: 31, accepts: new Set(['pci', 'pci-bridge', 'pci-expander-bus']) },
  // pcie-root is not hotpluggable: endpoints land on root ports, not here.
  'pcie-root': { minSlot: 1, maxSlot: 31, accepts: new Set(['pcie-root-port', 'dmi-to-pci-bridge', 'pcie-expander-bus']) },
  'pci-bridge': { minSlot: 1, maxSlot: 31, accepts: ENDPOINT_PCI },
  'pcie-to-pci-bridge': { minSlot: 1, maxSlot: 31, accepts: ENDPOINT_PCI },
  'dmi-to-pci-bridge': { minSlot: 1, maxSlot: 31, accepts: new Set(['pci-bridge']) },
  'pcie-root-port': { minSlot: 0, maxSlot: 0, accepts: ENDPOINT_PCIE },
  'pcie-switch-downstream-port': { minSlot: 0, maxSlot: 0, accepts: ENDPOINT_PCIE },
  'pcie-switch-upstream-port': { minSlot: 0, maxSlot: 31, accepts: new Set(['pcie-switch-downstream-port']) },
  'pci-expander-bus': { minSlot: 0, maxSlot: 31, accepts: ENDPOINT_PCI },
  'pcie-expander-bus': { minSlot: 0, maxSlot: 31, accepts: new Set(['pcie-root-port', 'dmi-to-pci-bridge']) },
};

interface Slot {
  owners: Map<number, string>;
  aggregate: boolean;
}

interface Bus {
  model: PciModel;
  slots: Map<number, Slot>;
  /** Narrower than the model's while planning: a root port kept for a pcie-to-pci-bridge. */
  accepts?: ReadonlySet<ConnectType>;
}

export const addrText = (a: { bus: number; slot: number; function: number }): string => `${hex(a.bus)}:${hex(a.slot)}.${a.function}`;

export class PciAddressSet {
  readonly buses: Bus[] = [];

  constructor(
    models: PciModel[],
    readonly dryRun: boolean,
  ) {
    for (const model of models) this.buses.push({ model, slots: new Map() });
  }

  get pcieRoot(): boolean {
    return this.buses[0]?.model === 'pcie-root';
  }

  private slot(bus: Bus, n: number): Slot {
    let s = bus.slots.get(n);
    if (!s) {
      s = { owners: new Map(), aggregate: false };
      bus.slots.set(n, s);
    }
    return s;
  }

  slotInUse(bus: number, slot: number): boolean {
    return (this.buses[bus]?.slots.get(slot)?.owners.size ?? 0) > 0;
  }

  /** Checks that an address written in the XML can exist; `path` names the device. */
  validate(a: PciAddress, path: string): void {
    if (a.domain !== 0) throw fail('ADDRESS_CONFLICT', `${path}/address/@domain`, 'only PCI domain 0 exists on this machine');
    const bus = this.buses[a.bus];
    if (!bus) throw fail('XML_CONFLICT', `${path}/address/@bus`, `there is no PCI controller with index ${a.bus} for bus ${hex(a.bus)}`);
    const m = BUS_MODELS[bus.model];
    if (a.slot < m.minSlot || a.slot > m.maxSlot) {
      const range = m.minSlot === m.maxSlot ? `only slot ${hex(m.minSlot)}` : `slots ${hex(m.minSlot)}-${hex(m.maxSlot)}`;
      throw fail('ADDRESS_CONFLICT', `${path}/address/@slot`, `PCI bus ${hex(a.bus)} (${bus.model}) has ${range}, not ${hex(a.slot)}`);
    }
  }

  /** Marks one function used; conflicts name both devices. */
  reserve(a: { bus: number; slot: number; function: number }, owner: string, aggregate = false): void {
    const bus = this.buses[a.bus];
    if (!bus) throw fail('XML_CONFLICT', owner, `there is no PCI bus ${hex(a.bus)}`);
    const s = this.slot(bus, a.slot);
    const prev = s.owners.get(a.function);
    if (prev !== undefined) throw fail('ADDRESS_CONFLICT', owner, `PCI address ${addrText(a)} is already in use by ${prev}`);
    if (s.owners.size === 0) s.aggregate = aggregate;
    s.owners.set(a.function, owner);
  }

  fullyReserved(bus: number): boolean {
    const b = this.buses[bus];
    if (!b) return true;
    const m = BUS_MODELS[b.model];
    for (let s = m.minSlot; s <= m.maxSlot; s++) if (!this.slotInUse(bus, s)) return false;
    return true;
  }

  /** Finds, reserves and returns the next free address for a device of `type` (libvirt's ReserveNextAddr). */
  next(type: ConnectType, owner: string, fn?: number): PciAddress {
    const aggregate = type === 'pcie-root-port' && fn === undefined;
    for (let b = 0; b < this.buses.length; b++) {
      const bus = this.buses[b];
      if (!bus) continue;
      const m = BUS_MODELS[bus.model];
      if (!(bus.accepts ?? m.accepts).has(type)) continue;
      for (let s = m.minSlot; s <= m.maxSlot; s++) {
        const slot = bus.slots.get(s);
        let f: number | undefined;
        if (!slot || slot.owners.size === 0) f = fn ?? 0;
        else if (aggregate && slot.aggregate) {
          for (let i = 0; i < 8 && f === undefined; i++) if (!slot.owners.has(i)) f = i;
        }
        if (f === undefined) continue;
        const a: PciAddress = { type: 'pci', domain: 0, bus: b, slot: s, function: f };
        this.reserve(a, owner, aggregate);
        return a;
      }
    }
    if (!this.dryRun) throw fail('ADDRESS_CONFLICT', owner, `no free PCI slot for a ${type} device`);
    const b = this.grow(type, owner);
    const m = BUS_MODELS[this.buses[b]?.model ?? 'pci-bridge'];
    const a: PciAddress = { type: 'pci', domain: 0, bus: b, slot: m.minSlot, function: fn ?? 0 };
    this.reserve(a, owner, aggregate);
    return a;
  }

  /**
   * Adds the bus a `type` device needs (virDomainPCIAddressSetGrow) and
   * returns the index the device goes on. A conventional PCI device in a
   * pure PCIe guest needs two: a pcie-root-port reserved for the bridge,
   * then the pcie-to-pci-bridge itself.
   */
  private grow(type: ConnectType, owner: string): number {
    if (ENDPOINT_PCIE.has(type)) {
      if (!this.pcieRoot) throw fail('ADDRESS_CONFLICT', owner, `a ${type} device needs a PCI Express machine (q35)`);
      this.buses.push({ model: 'pcie-root-port', slots: new Map() });
    } else if (ENDPOINT_PCI.has(type)) {
      const bridgeable = this.buses.some((b) => (b.accepts ?? BUS_MODELS[b.model].accepts).has('pci-bridge'));
      if (this.pcieRoot && !bridgeable && type === 'pci') {
        this.buses.push({ model: 'pcie-root-port', slots: new Map(), accepts: new Set(['pcie-to-pci-bridge']) });
        this.buses.push({ model: 'pcie-to-pci-bridge', slots: new Map() });
      } else {
        this.buses.push({ model: 'pci-bridge', slots: new Map() });
      }
    } else {
      throw fail('ADDRESS_CONFLICT', owner, `no free PCI slot for a ${type}, and virtkit does not add one automatically`);
    }
    return this.buses.length - 1;
  }
}

export function connectTypeOfController(model: PciModel): ConnectType | undefined {
  return model === 'pci-root' || model === 'pcie-root' ? undefined : model;
}
