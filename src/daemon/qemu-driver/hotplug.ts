/**
 * Carries out the disk hotplug plans of src/core/qemu/hotplug/disk-plan.ts over a running
 * QEMU's monitor. Attach runs the steps in order and, when one fails, the undo of those done,
 * backwards. Detach sends device_del, waits for the guest to release the device
 * (DEVICE_DELETED names its id; a guest that ignores the ACPI request never sends it), and
 * only then deletes the block nodes, top first, as libvirt's qemuDomainRemoveDiskDevice, and
 * then the disk's secret objects. A disk with keys (a LUKS passphrase, a cephx key) has them
 * written to 0600 files in the domain's run dir for its object-add; the files are removed once
 * QMP has answered, whatever it answered.
 */
import { VirtkitError } from '../../core/errors.js';
import type { ArgvCaps } from '../../core/qemu/argv/index.js';
import { stat } from 'node:fs/promises';
import {
  findDisk, noSuchDisk, planBlockResize, planDiskAttach, planDiskDetach, type AttachKeyFiles, type QmpCall,
} from '../../core/qemu/hotplug/disk-plan.js';
import { removeKeyFile, writeKeyFile } from '../../host/key-files.js';
import { planChangeMedia, type Medium } from '../../core/qemu/hotplug/media-plan.js';
import type { QmpBlockInfo } from '../../core/qemu/qmp/command-types.js';
import type { DiskDef } from '../../core/xml/domain/index.js';
import type { DomainDef } from '../domain-xml.js';
import type { BlockInfo, DiskKeys, LiveDisks } from '../driver.js';
import { diskKeyFiles, type Prepare } from './launch-plan.js';
import { probeRbdDisk } from './rbd-probe.js';
import type { Monitor } from './monitor.js';

export interface LiveDiskParts {
  readonly monitor: Monitor;
  /** This QEMU's capabilities (the driver looks them up once per running domain). */
  readonly caps: () => Promise<ArgvCaps>;
  readonly prepare: Prepare;
  readonly live: () => DomainDef;
  readonly setLive: (def: DomainDef) => void;
  /** The domain's private run dir (0700), where an attach writes the new disk's key files. */
  readonly runDir: string;
  /** How long a detach waits for the guest to release the device, ms. */
  readonly unplugTimeoutMs: number;
  readonly warn: (message: string) => void;
}

export class QemuLiveDisks implements LiveDisks {
  /** Device ids sent device_del, resolved by their DEVICE_DELETED. */
  readonly #unplugged = new Map<string, () => void>();
  /** Removals under way, by device id: resolved with the live definition once done. */
  readonly #pending = new Map<string, Promise<DomainDef>>();

  constructor(private readonly p: LiveDiskParts) {
    p.monitor.onEvent((event, data) => {
      if (event !== 'DEVICE_DELETED' || typeof data['device'] !== 'string') return;
      this.#unplugged.get(data['device'])?.();
    });
  }

  async #run(call: QmpCall): Promise<unknown> {
    try {
      return await this.p.monitor.execute(call.command, call.args);
    } catch (e) {
      throw new VirtkitError('QEMU_FAILED', `${call.command} failed: ${(e as Error).message}`, { cause: e, details: { command: call.command } });
    }
  }

  async nodeNames(): Promise<string[]> {
    const nodes = (await this.p.monitor.execute('query-named-block-nodes', { flat: true })) as { 'node-name'?: string }[];
    return nodes.flatMap((n) => (n['node-name'] === undefined ? [] : [n['node-name']]));
  }

  /** The ids of the secret objects QEMU holds now (qom-list /objects): what a detach must leave none of. */
  async secretObjects(): Promise<string[]> {
    const objs = (await this.p.monitor.execute('qom-list', { path: '/objects' })) as { name: string; type: string }[];
    return objs.filter((o) => o.type === 'child<secret>').map((o) => o.name).sort();
  }

  async #blocks(): Promise<QmpBlockInfo[]> {
    return (await this.p.monitor.execute('query-block')) as QmpBlockInfo[];
  }

  async attach(disk: DiskDef, keys?: DiskKeys): Promise<DomainDef> {
    const dev = disk.target?.dev ?? '';
    const files = diskKeyFiles({ ...this.p.live(), devices: { disk: [disk] } }, this.p.runDir);
    const keyFiles: { -readonly [K in keyof AttachKeyFiles]: AttachKeyFiles[K] } = {};
    if (files.encryption[dev] !== undefined) keyFiles.encryption = files.encryption[dev];
    if (files.auth[dev] !== undefined) keyFiles.auth = files.auth[dev];
    const plan = planDiskAttach(this.p.live(), disk, await this.p.caps(), this.p.prepare, await this.nodeNames(), keyFiles);
    await probeRbdDisk(disk, keys, this.p.warn);
    const written: string[] = [];
    try {
      for (const kind of ['encryption', 'auth'] as const) {
        const file = keyFiles[kind];
        if (file === undefined) continue;
        const key = keys?.[kind];
        if (key === undefined) {
          throw new VirtkitError('INTERNAL_ERROR', `disk '${dev}' needs its ${kind} key but the engine passed none`, { details: { disk: dev } });
        }
        await writeKeyFile(file, key);
        written.push(file);
      }
      await this.#runSteps(plan.alias, plan.steps);
    } finally {
      // QEMU read each key when its object-add answered: the files go, whatever happened.
      await Promise.all(written.map(removeKeyFile));
    }
    this.p.setLive(plan.live);
    return plan.live;
  }

  /** Runs the steps in order; when one fails, the undo of those done, backwards, then throws. */
  async #runSteps(alias: string, steps: readonly { call: QmpCall; undo?: QmpCall }[]): Promise<void> {
    const done: QmpCall[] = [];
    for (const step of steps) {
      try {
        await this.#run(step.call);
      } catch (e) {
        for (const undo of done.reverse()) {
          await this.p.monitor.execute(undo.command, undo.args).catch((u: unknown) => {
            this.p.warn(`cannot undo a failed hotplug of '${alias}' with ${undo.command}: ${(u as Error).message}`);
          });
        }
        throw e;
      }
      if (step.undo !== undefined) done.push(step.undo);
    }
  }

  /**
   * Unplugs the disk and resolves once the guest has released it. A guest slower than
   * unplugTimeoutMs gets OPERATION_TIMEOUT, but the removal stays pending: when the guest
   * releases the disk later, its nodes are deleted, it leaves the live definition and `onLate`
   * hears the new one. Asking again while it is pending waits for it (QEMU refuses a second
   * device_del).
   */
  async detach(ref: string, onLate?: (live: DomainDef) => void): Promise<DomainDef> {
    const plan = planDiskDetach(this.p.live(), ref, await this.#blocks());
    let removal = this.#pending.get(plan.alias);
    if (removal === undefined) {
      const released = new Promise<void>((resolve) => this.#unplugged.set(plan.alias, resolve));
      await this.#run(plan.deviceDel).catch((e: unknown) => {
        this.#unplugged.delete(plan.alias);
        throw e;
      });
      removal = released.then(async () => {
        this.#unplugged.delete(plan.alias);
        for (const call of plan.blockdevDel) await this.#run(call);
        for (const call of plan.objectDel) await this.#run(call);
        // From the live definition as it is now: other disks may have changed meanwhile.
        const next = structuredClone(this.p.live());
        if (next.devices) next.devices.disk = (next.devices.disk ?? []).filter((d) => d.alias?.name !== plan.alias);
        this.p.setLive(next);
        return next;
      }).finally(() => this.#pending.delete(plan.alias));
      this.#pending.set(plan.alias, removal);
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), this.p.unplugTimeoutMs); });
    const done = await Promise.race([removal, timedOut]).finally(() => clearTimeout(timer));
    if (done !== undefined) return done;
    removal.then((live) => onLate?.(live), (e: unknown) => {
      this.p.warn(`the guest released disk '${plan.disk.target?.dev ?? ref}' late, and removing it failed: ${(e as Error).message}`);
    });
    const dev = plan.disk.target?.dev ?? ref;
    throw new VirtkitError('OPERATION_TIMEOUT', `the guest did not release disk '${dev}' within ${this.p.unplugTimeoutMs / 1000} s of the ` +
      'unplug request (it needs ACPI PCI hotplug and a driver that lets go of the disk); the request stays: the disk leaves the ' +
      'live definition when the guest releases it, or shut the guest down and use --config', { details: { target: dev } });
  }

  async changeMedia(ref: string, medium: Medium | undefined, force: boolean): Promise<DomainDef> {
    const [blocks, usedNodeNames, caps] = await Promise.all([this.#blocks(), this.nodeNames(), this.p.caps()]);
    const plan = planChangeMedia(this.p.live(), ref, medium, { blocks, usedNodeNames, caps, force });
    for (const call of plan.calls) await this.#run(call);
    this.p.setLive(plan.live);
    return plan.live;
  }

  async info(ref: string): Promise<BlockInfo> {
    const disk = findDisk(this.p.live(), ref);
    if (disk === undefined) throw noSuchDisk(this.p.live().name, ref);
    const alias = disk.alias?.name ?? '';
    const b = (await this.#blocks()).find((x) => x.qdev === alias || x.qdev?.startsWith(`/machine/peripheral/${alias}/`) === true);
    const target = disk.target?.dev ?? ref;
    const ins = b?.inserted;
    if (ins === undefined) return { target, capacity: 0, allocation: 0, physical: 0, source: null };
    const image = (ins.image ?? {}) as { 'virtual-size'?: number; 'actual-size'?: number };
    const capacity = image['virtual-size'] ?? 0;
    // physical: the file's size (a block device's is its capacity), as libvirt reports it.
    const physical = await stat(ins.file).then((s) => (s.isFile() ? s.size : capacity), () => capacity);
    return { target, capacity, allocation: image['actual-size'] ?? physical, physical, source: ins.file };
  }

  async resize(ref: string, bytes: number): Promise<void> {
    await this.#run(planBlockResize(this.p.live(), ref, await this.#blocks(), bytes));
  }
}
