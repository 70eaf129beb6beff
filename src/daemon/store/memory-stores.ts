/**
 * In-memory ConfigStore and StatusStore: the same contracts as the file
 * stores (the contract suites run against both), for tests of the layers
 * above and for throwaway instances.
 */
import type { ConfigStore, DomainStatus, StatusStore, StoredDomain } from './types.js';
import { checkDomainName } from './types.js';

export class MemoryConfigStore implements ConfigStore {
  readonly #xml = new Map<string, string>();
  readonly #autostart = new Set<string>();

  async list(): Promise<string[]> {
    return [...this.#xml.keys()].sort();
  }

  async loadAll(): Promise<StoredDomain[]> {
    return (await this.list()).map((name) => ({
      name, xml: this.#xml.get(name) ?? '', autostart: this.#autostart.has(name),
    }));
  }

  async load(name: string): Promise<string | undefined> {
    checkDomainName(name);
    return this.#xml.get(name);
  }

  async save(name: string, xml: string): Promise<void> {
    checkDomainName(name);
    this.#xml.set(name, xml);
  }

  async delete(name: string): Promise<boolean> {
    checkDomainName(name);
    this.#autostart.delete(name);
    return this.#xml.delete(name);
  }

  async getAutostart(name: string): Promise<boolean> {
    checkDomainName(name);
    return this.#autostart.has(name);
  }

  async setAutostart(name: string, enabled: boolean): Promise<void> {
    checkDomainName(name);
    if (enabled) this.#autostart.add(name);
    else this.#autostart.delete(name);
  }
}

export class MemoryStatusStore implements StatusStore {
  readonly #status = new Map<string, DomainStatus>();

  async loadAll(): Promise<DomainStatus[]> {
    return [...this.#status.values()];
  }

  async save(status: DomainStatus): Promise<void> {
    checkDomainName(status.name);
    this.#status.set(status.name, structuredClone(status));
  }

  async delete(name: string): Promise<boolean> {
    return this.#status.delete(name);
  }
}

/** RecordStore in memory (tests; the storage side of an engine with memory stores). */
export class MemoryRecordStore<T extends { readonly name: string }> {
  readonly #docs = new Map<string, T>();

  loadAll(): Promise<T[]> {
    return Promise.resolve([...this.#docs.values()]);
  }

  save(doc: T): Promise<void> {
    this.#docs.set(doc.name, doc);
    return Promise.resolve();
  }

  delete(name: string): Promise<boolean> {
    return Promise.resolve(this.#docs.delete(name));
  }
}
