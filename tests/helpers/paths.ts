/** The repository root, for tests. The shared reference cases beside it: shared-cases.ts. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
