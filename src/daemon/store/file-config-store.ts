/**
 * ConfigStore on local files, laid out as libvirt does:
 *   domainsDir/NAME.xml      the definition (written atomically, mode 0600)
 *   autostartDir/NAME        empty marker: the domain starts with the daemon
 * Generic over the kind of object: storage pools use it as is, with their own
 * directories (configDir/storage, configDir/storage/autostart) and kind 'pool'.
 */
import { readFileSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfigStore, StoredDomain } from './types.js';
import { checkObjectName } from './types.js';
import { ensureDir, errno, ioError, listDir, removeFileDurable, removeTempFiles, writeFileAtomic } from './atomic.js';

const SUFFIX = '.xml';

export class FileConfigStore implements ConfigStore {
  #ready: Promise<void> | undefined;

  constructor(
    private readonly domainsDir: string,
    private readonly autostartDir: string,
    private readonly dirMode = 0o700,
    /** Names the object in errors ('domain', 'pool'). */
    private readonly kind = 'domain',
  ) {}

  /** Creates the directories and removes leftovers of interrupted writes, once. */
  #open(): Promise<void> {
    this.#ready ??= (async () => {
      await ensureDir(this.domainsDir, this.dirMode);
      await ensureDir(this.autostartDir, this.dirMode);
      await removeTempFiles(this.domainsDir);
      await removeTempFiles(this.autostartDir);
    })();
    return this.#ready;
  }

  async list(): Promise<string[]> {
    await this.#open();
    return (await listDir(this.domainsDir))
      .filter((n) => n.endsWith(SUFFIX) && !n.startsWith('.'))
      .map((n) => n.slice(0, -SUFFIX.length))
      .sort();
  }

  /**
   * Reads synchronously: this runs once, at start-up, before anything else
   * needs the event loop, and 500 small files read in a loop take a tenth of
   * the time that 2,000 thread-pool round trips (open, stat, read, close) do.
   */
  async loadAll(): Promise<StoredDomain[]> {
    const names = await this.list();
    const autostart = new Set(await listDir(this.autostartDir));
    const loaded: StoredDomain[] = [];
    for (const name of names) {
      try {
        loaded.push({ name, xml: readFileSync(join(this.domainsDir, name + SUFFIX), 'utf8'), autostart: autostart.has(name) });
      } catch (e) {
        if (errno(e) !== 'ENOENT') throw ioError(`cannot read the definition of '${name}'`, e);
      }
    }
    return loaded;
  }

  async load(name: string): Promise<string | undefined> {
    checkObjectName(this.kind, name);
    await this.#open();
    try {
      return await readFile(join(this.domainsDir, name + SUFFIX), 'utf8');
    } catch (e) {
      if (errno(e) === 'ENOENT') return undefined;
      throw ioError(`cannot read the definition of '${name}'`, e);
    }
  }

  async save(name: string, xml: string): Promise<void> {
    checkObjectName(this.kind, name);
    await this.#open();
    await writeFileAtomic(this.domainsDir, name + SUFFIX, xml);
  }

  async delete(name: string): Promise<boolean> {
    checkObjectName(this.kind, name);
    await this.#open();
    // Autostart first: a crash in between leaves a domain without autostart, never a dangling flag.
    await removeFileDurable(this.autostartDir, name);
    return removeFileDurable(this.domainsDir, name + SUFFIX);
  }

  async getAutostart(name: string): Promise<boolean> {
    checkObjectName(this.kind, name);
    await this.#open();
    try {
      await access(join(this.autostartDir, name));
      return true;
    } catch (e) {
      if (errno(e) === 'ENOENT') return false;
      throw ioError(`cannot read the autostart flag of '${name}'`, e);
    }
  }

  async setAutostart(name: string, enabled: boolean): Promise<void> {
    checkObjectName(this.kind, name);
    await this.#open();
    if (enabled) await writeFileAtomic(this.autostartDir, name, '');
    else await removeFileDurable(this.autostartDir, name);
  }
}
