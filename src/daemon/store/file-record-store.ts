/**
 * JSON documents on local files, one per object: dir/NAME.json, written
 * atomically (see atomic.ts), for any kind of object. Pools keep their
 * runtime status here (run/storage/NAME.json); the domains' FileStatusStore is
 * the same idea with its own shape check and can become an instance of it.
 * A file that does not fit `parse` is reported and left in place for a human.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkObjectName } from './types.js';
import { ensureDir, ioError, listDir, removeFileDurable, removeTempFiles, writeFileAtomic, type AtomicWriteOptions } from './atomic.js';

const SUFFIX = '.json';

export interface RecordStore<T extends { readonly name: string }> {
  loadAll(): Promise<T[]>;
  save(doc: T): Promise<void>;
  delete(name: string): Promise<boolean>;
}

export class FileRecordStore<T extends { readonly name: string }> implements RecordStore<T> {
  #ready: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    /** 'pool': names the object kind in errors. */
    private readonly kind: string,
    /** The document, or undefined when `v` is not one. */
    private readonly parse: (v: unknown) => T | undefined,
    private readonly warn: (message: string) => void = () => undefined,
    private readonly dirMode = 0o700,
    /** How writes and removals are made (atomic.ts): `{ syncFile: false }` for records of kernel-only state. */
    private readonly sync: AtomicWriteOptions = {},
  ) {}

  #open(): Promise<void> {
    this.#ready ??= ensureDir(this.dir, this.dirMode).then(() => removeTempFiles(this.dir)).then(() => undefined);
    return this.#ready;
  }

  async loadAll(): Promise<T[]> {
    await this.#open();
    const files = (await listDir(this.dir)).filter((n) => n.endsWith(SUFFIX) && !n.startsWith('.'));
    const loaded = await Promise.all(files.map(async (file) => {
      const path = join(this.dir, file);
      try {
        const doc = this.parse(JSON.parse(await readFile(path, 'utf8')));
        if (doc === undefined || doc.name !== file.slice(0, -SUFFIX.length)) {
          this.warn(`ignoring ${path}: not a ${this.kind} status document`);
          return undefined;
        }
        return doc;
      } catch (e) {
        this.warn(`ignoring ${path}: ${ioError('unreadable', e).message}`);
        return undefined;
      }
    }));
    return loaded.filter((d): d is Awaited<T> => d !== undefined);
  }

  async save(doc: T): Promise<void> {
    checkObjectName(this.kind, doc.name);
    await this.#open();
    await writeFileAtomic(this.dir, doc.name + SUFFIX, `${JSON.stringify(doc, null, 2)}\n`, 0o600, this.sync);
  }

  async delete(name: string): Promise<boolean> {
    checkObjectName(this.kind, name);
    await this.#open();
    return removeFileDurable(this.dir, name + SUFFIX, this.sync);
  }
}
