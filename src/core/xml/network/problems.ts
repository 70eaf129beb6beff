/** Building blocks for the network rules: one problem with its path, and sibling paths like libvirt's. */
import { VirtkitError } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';

export function problem(code: ErrorCode, path: string, message: string): VirtkitError {
  return new VirtkitError(code, `${path}: ${message}`, { details: { path } });
}

/** The path step of item i (0-based) of n siblings named `name`: an index only where there are several. */
export function step(name: string, i: number, n: number): string {
  return n > 1 ? `${name}[${i + 1}]` : name;
}

/** Linux interface names (dev_valid_name): 1 to 15 bytes, not . or .., no '/', ':' or white space. */
export function ifnameProblem(name: string): string | undefined {
  if (new TextEncoder().encode(name).length > 15) return `'${name}' is longer than the 15 characters the kernel allows for an interface name (IFNAMSIZ)`;
  if (name === '.' || name === '..' || /[/:\s]/.test(name)) return `'${name}' is not an interface name (no '/', ':' or white space; not '.' or '..')`;
  return undefined;
}
