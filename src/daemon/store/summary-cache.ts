/**
 * A cache of what list and dominfo need from each definition (its
 * DomainSummary), keyed by a hash of the stored XML, so that a daemon with
 * hundreds of domains starts without parsing them (and without loading the
 * XML parser at all). It is only a cache: an entry whose hash does not match
 * the file, a cache written by another virtkit version, or a missing or
 * broken cache file means the definitions are parsed, as without it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { DomainSummary } from '../domain-xml.js';
import { ensureDir, writeFileAtomic } from './atomic.js';

export interface CachedSummary {
  readonly hash: string;
  readonly summary: DomainSummary;
}

export interface SummaryCache {
  load(): Promise<Map<string, CachedSummary>>;
  save(entries: ReadonlyMap<string, CachedSummary>): Promise<void>;
}

export function hashXml(xml: string): string {
  return createHash('sha1').update(xml).digest('base64');
}

export class FileSummaryCache implements SummaryCache {
  /** `version` names whatever computed the summaries: a different one invalidates the file. */
  constructor(private readonly path: string, private readonly version: string) {}

  async load(): Promise<Map<string, CachedSummary>> {
    try {
      const doc = JSON.parse(await readFile(this.path, 'utf8')) as { version?: unknown; entries?: unknown };
      if (doc.version !== this.version || typeof doc.entries !== 'object' || doc.entries === null) return new Map();
      const out = new Map<string, CachedSummary>();
      for (const [name, e] of Object.entries(doc.entries as Record<string, CachedSummary>)) {
        if (typeof e.hash === 'string' && typeof e.summary === 'object' && e.summary !== null && e.summary.name === name) out.set(name, e);
      }
      return out;
    } catch {
      return new Map();
    }
  }

  async save(entries: ReadonlyMap<string, CachedSummary>): Promise<void> {
    await ensureDir(dirname(this.path), 0o700);
    const doc = { version: this.version, entries: Object.fromEntries(entries) };
    await writeFileAtomic(dirname(this.path), basename(this.path), JSON.stringify(doc));
  }
}

/** No cache: every start parses every definition. */
export const noSummaryCache: SummaryCache = {
  load: () => Promise.resolve(new Map()),
  save: () => Promise.resolve(),
};
