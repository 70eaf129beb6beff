/** Locations tests need: the repository root and the shared reference cases beside it. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${start}`);
    dir = up;
  }
  return dir;
}

// Compiled tests live in dist/...; the first package.json above is the repo's.
export const repoRoot = findRoot(dirname(fileURLToPath(import.meta.url)));

/** ../shared next to the repository (VIRTKIT_SHARED overrides). */
export const sharedDir = resolve(process.env['VIRTKIT_SHARED'] ?? join(repoRoot, '..', 'shared'));
export const domainCasesDir = join(sharedDir, 'libvirt-cases', 'domain');

export interface DomainCase {
  name: string;
  xml: string;
  args: string;
  features: string;
}


/** The 36 libvirt reference cases, read from INDEX.tsv; throws clearly when ../shared is missing. */
export function domainCases(): DomainCase[] {
  const index = join(domainCasesDir, 'INDEX.tsv');
  if (!existsSync(index)) throw new Error(`libvirt reference cases not found at ${domainCasesDir} (set VIRTKIT_SHARED to the shared/ folder)`);
  return readFileSync(index, 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [name = '', xml = '', args = '', features = ''] = l.split('\t');
      return { name, xml: join(domainCasesDir, xml), args: join(domainCasesDir, args), features };
    });
}
