/**
 * StatusStore on local files: statusDir/NAME.json, one per running domain,
 * written atomically. The directory lives under the run dir, so a host
 * reboot (which kills every guest) also clears it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { STATE_REASONS, type DomainState } from '../state.js';
import type { DomainStatus, StatusStore } from './types.js';
import { checkDomainName } from './types.js';
import { ensureDir, ioError, listDir, removeFileDurable, removeTempFiles, writeFileAtomic } from './atomic.js';

const SUFFIX = '.json';

export class FileStatusStore implements StatusStore {
  #ready: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    /** Told about status files that cannot be used (they are left in place for a human). */
    private readonly warn: (message: string) => void = () => undefined,
    private readonly dirMode = 0o700,
  ) {}

  #open(): Promise<void> {
    this.#ready ??= ensureDir(this.dir, this.dirMode).then(() => removeTempFiles(this.dir)).then(() => undefined);
    return this.#ready;
  }

  async loadAll(): Promise<DomainStatus[]> {
    await this.#open();
    const names = (await listDir(this.dir)).filter((n) => n.endsWith(SUFFIX));
    const loaded = await Promise.all(names.map(async (file) => {
      const path = join(this.dir, file);
      try {
        const status = parseStatus(JSON.parse(await readFile(path, 'utf8')));
        if (status === undefined) this.warn(`ignoring ${path}: not a domain status document`);
        return status;
      } catch (e) {
        this.warn(`ignoring ${path}: ${ioError('unreadable', e).message}`);
        return undefined;
      }
    }));
    return loaded.filter((s): s is DomainStatus => s !== undefined);
  }

  async save(status: DomainStatus): Promise<void> {
    checkDomainName(status.name);
    await this.#open();
    // The file is fsynced before the rename, the directory not (as libvirt's status XML, written
    // with virFileRewrite): the rename alone gives a killed daemon the old or the new file, and
    // after a power cut the guests it describes are gone anyway (docs/daemon.md).
    await writeFileAtomic(this.dir, status.name + SUFFIX, `${JSON.stringify(status, null, 2)}\n`, 0o600, { syncDir: false });
  }

  async delete(name: string): Promise<boolean> {
    checkDomainName(name);
    await this.#open();
    return removeFileDurable(this.dir, name + SUFFIX);
  }
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);

/** Checks the shape by hand: this runs at daemon start-up, where loading a schema library costs time. */
export function parseStatus(v: unknown): DomainStatus | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const state = o['state'];
  const reasons: readonly string[] | undefined = isString(state) && Object.hasOwn(STATE_REASONS, state)
    ? STATE_REASONS[state as DomainState]
    : undefined;
  const ok =
    isString(o['name']) && isString(o['uuid']) && isInt(o['id']) && isInt(o['pid']) &&
    isString(o['qmpSocket']) && isString(o['startedAt']) && isString(o['xml']) &&
    typeof o['persistent'] === 'boolean' &&
    Array.isArray(o['argv']) && o['argv'].every(isString) &&
    typeof o['aliases'] === 'object' && o['aliases'] !== null &&
    Object.values(o['aliases']).every(isString) &&
    reasons !== undefined && isString(o['reason']) && reasons.includes(o['reason']);
  return ok ? (o as unknown as DomainStatus) : undefined;
}
