/**
 * NIC hotplug over a running QEMU's monitor, as libvirt's qemuDomainAttachNetDevice: the
 * interface gets its alias, MAC and PCI address from prepareDomain run on the live definition,
 * its tap is made as at start (net-taps.ts), then netdev_add and device_add with the same
 * properties the command line would carry (core/qemu/argv net parts); a failed step undoes the
 * ones before. Detach: device_del, wait for DEVICE_DELETED, netdev_del, the tap removed.
 * domif-setlink is set_link on the NIC's alias, recorded as <link state> in the live XML.
 */
import { VirtkitError } from '../../core/errors.js';
import type { ArgvCaps } from '../../core/qemu/argv/index.js';
import { buildNetParts } from '../../core/qemu/argv/index.js';
import { netdevId, vhostUserChardevId } from '../../core/qemu/argv/net-vhostuser.js';
import type { InterfaceDef } from '../../core/xml/domain/schema/interface.js';
import type { DomainDef } from '../domain-xml.js';
import type { LiveNics } from '../driver.js';
import type { Prepare } from './launch-plan.js';
import type { Monitor } from './monitor.js';
import { planTap, setSourceBridges, setTapNames } from './net-plan.js';
import type { DomainTaps } from './net-taps.js';

export interface LiveNicParts {
  readonly monitor: Monitor;
  /** This QEMU's capabilities (the driver looks them up once per running domain). */
  readonly caps: () => Promise<ArgvCaps>;
  readonly prepare: Prepare;
  readonly live: () => DomainDef;
  readonly setLive: (def: DomainDef) => void;
  readonly taps: DomainTaps;
  readonly unplugTimeoutMs: number;
  readonly warn: (message: string) => void;
}

/** Removes the tap of NIC `alias`, warning (not throwing) when it cannot: the undo of a hot-plug, and the restart's reconcile. */
export function dropTap(taps: DomainTaps, alias: string, warn: (message: string) => void): Promise<void> {
  return taps.unplug(alias).catch((e: unknown) => warn(`cannot remove the tap of '${alias}': ${(e as Error).message}`));
}

/** A copy of `def` without the interfaces whose alias is in `aliases`. */
export function withoutNics(def: DomainDef, aliases: readonly string[]): DomainDef {
  const next = structuredClone(def);
  if (next.devices) next.devices.interface = (next.devices.interface ?? []).filter((n) => !aliases.includes(n.alias?.name ?? ''));
  return next;
}

/** The interface `ref` names: its MAC (any case), its tap (<target dev>) or its alias. */
export function findNic(def: DomainDef, ref: string): InterfaceDef | undefined {
  const list = def.devices?.interface ?? [];
  const mac = ref.toLowerCase();
  return list.find((n) => n.mac?.address.toLowerCase() === mac) ?? list.find((n) => n.target?.dev === ref) ?? list.find((n) => n.alias?.name === ref);
}

export function noSuchNic(def: DomainDef, ref: string): VirtkitError {
  return new VirtkitError('NOT_FOUND', `domain '${def.name}' has no interface whose MAC, target dev or alias is '${ref}'`, { details: { domain: def.name, interface: ref } });
}

export class QemuLiveNics implements LiveNics {
  readonly #unplugged = new Map<string, () => void>();
  readonly #pending = new Map<string, Promise<DomainDef>>();

  constructor(private readonly p: LiveNicParts) {
    p.monitor.onEvent((event, data) => {
      if (event === 'DEVICE_DELETED' && typeof data['device'] === 'string') this.#unplugged.get(data['device'])?.();
    });
  }

  async #run(command: string, args: Record<string, unknown>): Promise<unknown> {
    try {
      return await this.p.monitor.execute(command, args);
    } catch (e) {
      throw new VirtkitError('QEMU_FAILED', `${command} failed: ${(e as Error).message}`, { cause: e, details: { command } });
    }
  }

  async attach(iface: InterfaceDef, sent?: (next: DomainDef) => Promise<void>): Promise<DomainDef> {
    const live = this.p.live();
    const mac = iface.mac?.address.toLowerCase();
    if (mac !== undefined && findNic(live, mac) !== undefined) {
      throw new VirtkitError('XML_DUPLICATE', `domain '${live.name}' already has an interface with MAC ${mac}`, { details: { mac } });
    }
    if (!['user', 'bridge', 'ethernet', 'network', 'vhostuser'].includes(iface.type)) {
      throw new VirtkitError('XML_UNSUPPORTED', `/interface/@type: hot-plugging a '${iface.type}' interface is not supported (user, bridge, ethernet, network, vhostuser)`, { details: { path: '/interface/@type' } });
    }
    const next = structuredClone(live);
    const devices = (next.devices ??= {});
    const index = (devices.interface ?? []).length;
    devices.interface = [...(devices.interface ?? []), structuredClone(iface)];
    const prepared = this.p.prepare(next);
    const placed = prepared.devices?.interface?.[index];
    const alias = placed?.alias?.name;
    if (placed === undefined || alias === undefined) throw new VirtkitError('INTERNAL_ERROR', 'the new interface has no alias after prepareDomain');
    const plan = planTap(placed, `/domain/devices/interface[${index + 1}]`, prepared.uuid);
    const caps = await this.p.caps();
    // The status write (`sent`) starts as soon as the live definition is known: with a tap, once its
    // name is chosen, so that it runs while the tap is made and QEMU runs the hot-plug. The attach
    // waits for it whatever happens, so that it never ends after the answer.
    let early: Promise<void> | undefined;
    const writeAhead = (): void => {
      early ??= Promise.resolve().then(() => sent?.(prepared));
    };
    const failed = async (e: unknown): Promise<never> => {
      await early?.catch(() => undefined);
      throw e;
    };
    const named = (tap: string): void => {
      setTapNames(prepared, { [alias]: tap });
      setSourceBridges(prepared, this.p.taps.bridges());
      writeAhead();
    };
    if (plan !== undefined) named(await this.p.taps.plug(plan, named).catch(failed));
    const undoTap = (): Promise<void> => dropTap(this.p.taps, alias, this.p.warn);
    let parts;
    try {
      parts = buildNetParts(prepared, caps, alias);
    } catch (e) {
      await undoTap();
      return failed(e);
    }
    // One hot-plug's commands are written at once, without waiting for each answer: QEMU runs one
    // monitor's commands in order, so each still finds what the one before made. A vhost-user
    // interface's socket chardev goes first; the netdev owns it once netdev_add succeeded.
    const calls: [string, Record<string, unknown>][] = [
      ...(parts.chardevAdd === undefined ? [] : [['chardev-add', parts.chardevAdd] as [string, Record<string, unknown>]]),
      ['netdev_add', parts.netdev],
      ['device_add', parts.device],
      ...(placed.link?.state === 'down' ? [['set_link', { name: alias, up: false }] as [string, Record<string, unknown>]] : []),
    ];
    const answers = Promise.allSettled(calls.map(([command, args]) => this.#run(command, args)));
    writeAhead();
    const [results, written] = await Promise.all([answers, Promise.allSettled([early])]);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (refused !== undefined) {
      await this.#undoAttach(alias, calls.map(([command], i) => (results[i]?.status === 'fulfilled' ? command : '')));
      await undoTap();
      throw refused.reason;
    }
    this.p.setLive(prepared);
    if (written[0]?.status === 'rejected') throw written[0].reason;
    return prepared;
  }

  /**
   * Undoes the commands of a failed attach that QEMU carried out (`done`: each call's command, '' when it
   * failed), as before the pipeline: device_del (not waited for), netdev_del (which takes a vhost-user
   * netdev's chardev with it), chardev-remove of a chardev no netdev took.
   */
  async #undoAttach(alias: string, done: readonly string[]): Promise<void> {
    const warn = (what: string) => (u: unknown): void => this.p.warn(`cannot undo ${what} of '${alias}': ${(u as Error).message}`);
    if (done.includes('device_add')) await this.p.monitor.execute('device_del', { id: alias }).catch(() => undefined);
    if (done.includes('netdev_add')) await this.p.monitor.execute('netdev_del', { id: netdevId(alias) }).catch(warn('netdev_add'));
    else if (done.includes('chardev-add')) await this.p.monitor.execute('chardev-remove', { id: vhostUserChardevId(alias) }).catch(warn('chardev-add'));
  }

  async detach(ref: string, onLate?: (live: DomainDef) => void): Promise<DomainDef> {
    const n = findNic(this.p.live(), ref);
    const alias = n?.alias?.name;
    if (n === undefined || alias === undefined) throw noSuchNic(this.p.live(), ref);
    let removal = this.#pending.get(alias);
    if (removal === undefined) {
      const released = new Promise<void>((resolve) => this.#unplugged.set(alias, resolve));
      await this.#run('device_del', { id: alias }).catch((e: unknown) => {
        this.#unplugged.delete(alias);
        throw e;
      });
      removal = released.then(async () => {
        this.#unplugged.delete(alias);
        await this.#run('netdev_del', { id: netdevId(alias) });
        await this.p.taps.unplug(alias);
        const next = withoutNics(this.p.live(), [alias]);
        this.p.setLive(next);
        return next;
      }).finally(() => this.#pending.delete(alias));
      this.#pending.set(alias, removal);
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), this.p.unplugTimeoutMs); });
    const done = await Promise.race([removal, timedOut]).finally(() => clearTimeout(timer));
    if (done !== undefined) return done;
    removal.then((live) => onLate?.(live), (e: unknown) => this.p.warn(`the guest released interface '${ref}' late, and removing it failed: ${(e as Error).message}`));
    throw new VirtkitError('OPERATION_TIMEOUT', `the guest did not release interface '${ref}' within ${this.p.unplugTimeoutMs / 1000} s of the unplug request ` +
      '(it needs ACPI PCI hotplug); the request stays: the interface and its tap go when the guest releases it', { details: { interface: ref } });
  }

  async setLink(ref: string, up: boolean): Promise<DomainDef> {
    const n = findNic(this.p.live(), ref);
    const alias = n?.alias?.name;
    if (n === undefined || alias === undefined) throw noSuchNic(this.p.live(), ref);
    await this.#run('set_link', { name: alias, up });
    const next = structuredClone(this.p.live());
    const m = (next.devices?.interface ?? []).find((x) => x.alias?.name === alias);
    if (m !== undefined) m.link = { state: up ? 'up' : 'down' };
    this.p.setLive(next);
    return next;
  }
}
