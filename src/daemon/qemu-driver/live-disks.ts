/**
 * Snapshots and block jobs on a running QEMU's disks, over QMP: internal snapshots with QMP's
 * snapshot-save / snapshot-load / snapshot-delete jobs (QEMU >= 6.0), external overlays switched
 * in with blockdev-add + blockdev-snapshot, and block-commit / block-stream jobs. Disks are named
 * by their front-end alias (virtio-disk0) and found with query-block; jobs are followed through
 * JOB_STATUS_CHANGE events and their outcome read with query-jobs before they are dismissed
 * (every job here is started with auto-dismiss off, so that its error can be read).
 */
import { randomBytes } from 'node:crypto';
import { VirtkitError } from '../../core/errors.js';
import type { BlockJobInfo, LiveDiskOps } from '../driver.js';
import type { Monitor } from './monitor.js';

type Waiter = { readonly statuses: readonly string[]; readonly resolve: (status: string) => void };

interface QueryJob {
  readonly id: string;
  readonly type: string;
  readonly status: string;
  readonly 'current-progress': number;
  readonly 'total-progress': number;
  readonly error?: string;
}

interface BlockInfo {
  readonly qdev?: string;
  readonly inserted?: { readonly 'node-name'?: string; readonly image?: { readonly filename?: string; readonly 'backing-filename'?: string } };
}

interface NamedNode {
  readonly 'node-name': string;
  readonly drv: string;
  readonly file: string;
  readonly backing_file?: string;
}

const ACTIVE_COMMIT = 'vk-active-commit-';
const activeCommitId = (alias: string): string => `${ACTIVE_COMMIT}${alias}`;
const failed = (what: string, why: string): VirtkitError => new VirtkitError('QEMU_FAILED', `${what} failed: ${why}`);

/**
 * The image file a node's filename names. QEMU writes `json:{...}` instead of the path when a
 * node's options are more than a filename says, e.g. an image whose header names its backing file
 * relatively (blockcommit --keep-relative) while its backing node was opened by absolute path.
 */
export function plainFilename(name: string): string {
  if (!name.startsWith('json:')) return name;
  try {
    const o = JSON.parse(name.slice(5)) as { filename?: unknown; file?: { filename?: unknown } };
    const f = o.file?.filename ?? o.filename;
    return typeof f === 'string' ? f : name;
  } catch {
    return name;
  }
}

export class QemuBlockOps implements LiveDiskOps {
  readonly #waiters = new Map<string, Waiter[]>();
  /** Jobs cancelled through abort(): their end is a failure even when QEMU reports no error. */
  readonly #cancelled = new Set<string>();
  #closed = false;

  constructor(private readonly monitor: Monitor) {
    monitor.onEvent((event, data) => {
      if (event !== 'JOB_STATUS_CHANGE') return;
      const id = String(data['id']);
      const status = String(data['status']);
      const list = this.#waiters.get(id) ?? [];
      for (const w of list.filter((x) => x.statuses.includes(status))) {
        list.splice(list.indexOf(w), 1);
        w.resolve(status);
      }
    });
    void monitor.closed.then(() => {
      this.#closed = true;
      for (const list of this.#waiters.values()) for (const w of list) w.resolve('gone');
      this.#waiters.clear();
    });
  }

  /** A promise for the job's next status among `statuses`; registered before the job starts. */
  #when(id: string, statuses: readonly string[]): Promise<string> {
    if (this.#closed) return Promise.resolve('gone');
    return new Promise((resolve) => {
      const list = this.#waiters.get(id) ?? [];
      list.push({ statuses, resolve });
      this.#waiters.set(id, list);
    });
  }

  async #jobs(): Promise<QueryJob[]> {
    return (await this.monitor.execute('query-jobs')) as QueryJob[];
  }

  /** Waits for a job (started with auto-dismiss off) to conclude, dismisses it and throws its error. */
  async #finish(id: string, what: string, concluded: Promise<string>): Promise<void> {
    if ((await concluded) === 'gone') throw failed(what, 'QEMU went away');
    const job = (await this.#jobs()).find((j) => j.id === id);
    await this.monitor.execute('job-dismiss', { id });
    if (this.#cancelled.delete(id)) throw new VirtkitError('OPERATION_ABORTED', `${what} was cancelled (blockjob --abort)${job?.error === undefined ? '' : `: ${job.error}`}`);
    if (job?.error !== undefined) throw failed(what, job.error);
  }

  async #nodeOf(alias: string): Promise<{ node: string; file: string }> {
    const blocks = (await this.monitor.execute('query-block')) as BlockInfo[];
    const b = blocks.find((x) => x.qdev === alias || (x.qdev ?? '').startsWith(`/machine/peripheral/${alias}/`));
    const node = b?.inserted?.['node-name'];
    if (node === undefined) throw new VirtkitError('OPERATION_INVALID', `disk '${alias}' has no image in the running domain`);
    return { node, file: plainFilename(b?.inserted?.image?.filename ?? '') };
  }

  /** The node of image `file`: its format node, or for a raw image without one its protocol node. */
  async #nodeOfFile(file: string): Promise<string> {
    const nodes = (await this.monitor.execute('query-named-block-nodes', { flat: true })) as NamedNode[];
    const mine = nodes.filter((x) => plainFilename(x.file) === file);
    const n = mine.find((x) => x.drv !== 'file' && x.drv !== 'host_device') ?? mine[0];
    if (n === undefined) throw new VirtkitError('OPERATION_INVALID', `no node of the running domain has '${file}' open`);
    return n['node-name'];
  }

  async #backingOf(node: string): Promise<string> {
    const nodes = (await this.monitor.execute('query-named-block-nodes', { flat: true })) as NamedNode[];
    const b = nodes.find((x) => x['node-name'] === node)?.backing_file;
    if (b === undefined) throw new VirtkitError('OPERATION_INVALID', `the image of node '${node}' has no backing image to commit into`);
    return b;
  }

  async internalSnapshot(op: 'save' | 'load' | 'delete', tag: string, aliases: readonly string[], vmstate: string | undefined): Promise<void> {
    const devices = await Promise.all(aliases.map(async (a) => (await this.#nodeOf(a)).node));
    const id = `vk-snapshot-${op}-${randomBytes(4).toString('hex')}`;
    const args: Record<string, unknown> = { 'job-id': id, tag, devices };
    if (op !== 'delete') args['vmstate'] = vmstate === undefined ? devices[0] : (await this.#nodeOf(vmstate)).node;
    const concluded = this.#when(id, ['concluded']);
    await this.monitor.execute(`snapshot-${op}`, args);
    await this.#finish(id, `snapshot-${op} of '${tag}'`, concluded);
  }

  async externalSnapshot(alias: string, overlay: string): Promise<void> {
    const { node } = await this.#nodeOf(alias);
    const tag = randomBytes(4).toString('hex');
    const storage = `vk-${tag}-storage`;
    const format = `vk-${tag}-format`;
    await this.monitor.execute('blockdev-add', { driver: 'file', filename: overlay, 'node-name': storage, 'auto-read-only': true, discard: 'unmap' });
    try {
      await this.monitor.execute('blockdev-add', { driver: 'qcow2', 'node-name': format, file: storage, backing: null });
    } catch (e) {
      await this.monitor.execute('blockdev-del', { 'node-name': storage }).catch(() => undefined);
      throw e;
    }
    try {
      await this.monitor.execute('blockdev-snapshot', { node, overlay: format });
    } catch (e) {
      await this.monitor.execute('blockdev-del', { 'node-name': format }).catch(() => undefined);
      await this.monitor.execute('blockdev-del', { 'node-name': storage }).catch(() => undefined);
      throw e;
    }
  }

  async commit(alias: string, o: { top?: string; base?: string; speed?: number; finish?: 'pivot' | 'keep-overlay' | 'ready'; backingFile?: string } = {}, started?: () => void): Promise<void> {
    const { node: active, file: activeFile } = await this.#nodeOf(alias);
    const topNode = o.top === undefined || o.top === activeFile ? active : await this.#nodeOfFile(o.top);
    const isActive = topNode === active;
    const id = isActive ? activeCommitId(alias) : `vk-commit-${alias}`;
    const args: Record<string, unknown> = { 'job-id': id, device: active, 'top-node': topNode, 'auto-dismiss': false, ...(o.speed === undefined ? {} : { speed: o.speed }) };
    // QEMU's default base is the bottom of the chain; virtkit's (and virsh's) is the image right under `top`.
    args['base-node'] = await this.#nodeOfFile(o.base ?? (await this.#backingOf(topNode)));
    if (o.backingFile !== undefined && !isActive) args['backing-file'] = o.backingFile;
    const ready = this.#when(id, ['ready', 'concluded']);
    const concluded = this.#when(id, ['concluded']);
    await this.monitor.execute('block-commit', args);
    started?.();
    if (isActive && (await ready) === 'ready') {
      // Left synchronized for blockjob --pivot / --abort (finishReady).
      if (o.finish === 'ready') return;
      // Pivot: job-complete. Keep the overlay: a soft cancel of the synchronized job (QEMU >= 6.2 ends it
      // as a success, base holding everything top had, the disk still on top).
      if (o.finish === 'keep-overlay') await this.monitor.execute('block-job-cancel', { device: id, force: false });
      else await this.monitor.execute('job-complete', { id });
    }
    await this.#finish(id, `block-commit of '${alias}'`, concluded);
  }

  async finishReady(alias: string, how: 'pivot' | 'cancel'): Promise<void> {
    const id = activeCommitId(alias);
    const job = (await this.#jobs()).find((j) => j.id === id);
    if (job === undefined) throw new VirtkitError('OPERATION_INVALID', `disk '${alias}' has no active block commit`);
    if (how === 'pivot' && job.status !== 'ready') {
      throw new VirtkitError('OPERATION_INVALID', `the active block commit of disk '${alias}' is not ready for pivot yet (status ${job.status}; blockjob --info shows its progress)`);
    }
    const concluded = job.status === 'concluded' ? Promise.resolve('concluded') : this.#when(id, ['concluded']);
    if (job.status !== 'concluded') {
      if (how === 'pivot') await this.monitor.execute('job-complete', { id });
      else {
        // A ready job cancelled softly ends as a success, the disk on top; one still syncing is cancelled outright.
        if (job.status !== 'ready') this.#cancelled.add(id);
        await this.monitor.execute('block-job-cancel', { device: id, force: job.status !== 'ready' });
      }
    }
    await this.#finish(id, `block-commit of '${alias}'`, concluded);
  }

  async followJob(id: string): Promise<'ended' | 'ready'> {
    const active = id.startsWith(ACTIVE_COMMIT);
    // Waiters first, then the status: an event between the two is not lost.
    const next = this.#when(id, active ? ['ready', 'concluded'] : ['concluded']);
    const concluded = this.#when(id, ['concluded']);
    const job = (await this.#jobs()).find((j) => j.id === id);
    if (job === undefined) throw new VirtkitError('OPERATION_INVALID', `no block job '${id}' runs`);
    const status = job.status === 'concluded' || (active && job.status === 'ready') ? job.status : await next;
    if (status === 'ready') return 'ready';
    await this.#finish(id, `block job '${id}'`, status === 'concluded' ? Promise.resolve('concluded') : concluded);
    return 'ended';
  }

  async pull(alias: string, o: { base?: string; speed?: number } = {}, started?: () => void): Promise<void> {
    const { node } = await this.#nodeOf(alias);
    const id = `vk-pull-${alias}`;
    const args: Record<string, unknown> = { 'job-id': id, device: node, 'auto-dismiss': false, ...(o.speed === undefined ? {} : { speed: o.speed }) };
    if (o.base !== undefined) args['base-node'] = await this.#nodeOfFile(o.base);
    const concluded = this.#when(id, ['concluded']);
    await this.monitor.execute('block-stream', args);
    started?.();
    await this.#finish(id, `block-stream of '${alias}'`, concluded);
  }

  async jobs(): Promise<BlockJobInfo[]> {
    // An active commit is QEMU's commit job too; libvirt names its type active-commit (virsh: Active Block Commit).
    return (await this.#jobs()).map((j) => ({
      id: j.id, type: j.id.startsWith(ACTIVE_COMMIT) ? 'active-commit' : j.type, status: j.status, done: j['current-progress'], total: j['total-progress'],
    }));
  }

  async abort(id: string): Promise<void> {
    this.#cancelled.add(id);
    await this.monitor.execute('job-cancel', { id });
  }

  /** Drops the nodes of an image no disk uses any more (after a commit), so that its file is closed. */
  async release(file: string): Promise<void> {
    const nodes = (await this.monitor.execute('query-named-block-nodes', { flat: true })) as NamedNode[];
    // The disk's own nodes (libvirt-N-format from the command line) too: a commit took them out of its
    // chain, but the monitor still holds them, and their backing link keeps the base busy. A node
    // still in use is refused by QEMU and stays.
    const mine = nodes.filter((n) => plainFilename(n.file) === file);
    for (const n of [...mine].sort((a, b) => Number(a.drv === 'file') - Number(b.drv === 'file'))) {
      await this.monitor.execute('blockdev-del', { 'node-name': n['node-name'] }).catch(() => undefined);
    }
  }
}
