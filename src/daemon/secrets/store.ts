/**
 * Where persistent secrets live, as libvirt keeps them (/etc/libvirt/secrets):
 *   secretsDir/UUID.xml      the definition
 *   secretsDir/UUID.base64   the value, base64, once one is set
 * Both are written atomically with mode 0600 in a 0700 directory (atomic.ts), so a
 * crash leaves the old or the new value, never a mix, and no other user reads either.
 * Ephemeral secrets never come here. The value is held as bytes by the caller; this
 * module never logs it nor puts it in an error message.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDir, errno, ioError, listDir, removeFileDurable, removeTempFiles, writeFileAtomic } from '../store/atomic.js';

export interface StoredSecret {
  readonly uuid: string;
  readonly xml: string;
  /** The value, or undefined when none was set. */
  readonly value: Uint8Array | undefined;
}

export interface SecretStore {
  loadAll(warn: (m: string) => void): Promise<StoredSecret[]>;
  saveXml(uuid: string, xml: string): Promise<void>;
  saveValue(uuid: string, value: Uint8Array): Promise<void>;
  /** Removes the definition and the value. */
  delete(uuid: string): Promise<void>;
}

const UUID_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.xml$/;

export class FileSecretStore implements SecretStore {
  #ready: Promise<void> | undefined;

  constructor(readonly dir: string) {}

  #open(): Promise<void> {
    // 0700 whatever the instance's dirMode: the directory holds keys.
    this.#ready ??= ensureDir(this.dir, 0o700).then(() => removeTempFiles(this.dir)).then(() => undefined);
    return this.#ready;
  }

  /** Creates nothing: an instance that never defined a secret has no secrets directory. */
  async loadAll(warn: (m: string) => void): Promise<StoredSecret[]> {
    await removeTempFiles(this.dir);
    const out: StoredSecret[] = [];
    for (const file of (await listDir(this.dir)).sort()) {
      const uuid = UUID_FILE.exec(file)?.[1];
      if (uuid === undefined) continue;
      try {
        const xml = await readFile(join(this.dir, file), 'utf8');
        let value: Uint8Array | undefined;
        try {
          value = new Uint8Array(Buffer.from((await readFile(join(this.dir, `${uuid}.base64`), 'utf8')).trim(), 'base64'));
        } catch (e) {
          if (errno(e) !== 'ENOENT') throw e;
        }
        out.push({ uuid, xml, value });
      } catch (e) {
        warn(`ignoring secret ${uuid}: ${ioError('unreadable', e).message}`);
      }
    }
    return out;
  }

  async saveXml(uuid: string, xml: string): Promise<void> {
    await this.#open();
    await writeFileAtomic(this.dir, `${uuid}.xml`, xml, 0o600);
  }

  async saveValue(uuid: string, value: Uint8Array): Promise<void> {
    await this.#open();
    await writeFileAtomic(this.dir, `${uuid}.base64`, Buffer.from(value).toString('base64'), 0o600);
  }

  async delete(uuid: string): Promise<void> {
    await this.#open();
    // The value first: a crash in between leaves a definition without a value, never a lone value.
    await removeFileDurable(this.dir, `${uuid}.base64`);
    await removeFileDurable(this.dir, `${uuid}.xml`);
  }
}

/** Engine tests with memory stores: nothing is written. */
export class MemorySecretStore implements SecretStore {
  readonly #docs = new Map<string, { xml: string; value: Uint8Array | undefined }>();

  loadAll(): Promise<StoredSecret[]> {
    return Promise.resolve([...this.#docs].map(([uuid, d]) => ({ uuid, ...d })));
  }

  saveXml(uuid: string, xml: string): Promise<void> {
    this.#docs.set(uuid, { xml, value: this.#docs.get(uuid)?.value });
    return Promise.resolve();
  }

  saveValue(uuid: string, value: Uint8Array): Promise<void> {
    const d = this.#docs.get(uuid);
    if (d) d.value = value;
    return Promise.resolve();
  }

  delete(uuid: string): Promise<void> {
    this.#docs.delete(uuid);
    return Promise.resolve();
  }
}
