/** virtkit's version, from package.json (read once, synchronously: it is one small file). */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function virtkitVersion(): string {
  if (cached === undefined) {
    try {
      // dist/src/daemon/version.js and src/daemon/version.ts are both three levels below the root.
      const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
      cached = typeof pkg.version === 'string' ? pkg.version : '0.0.0';
    } catch {
      cached = '0.0.0';
    }
  }
  return cached;
}
