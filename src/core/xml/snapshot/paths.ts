/** Element paths for messages about a snapshot model, indexed the way the XML tree does. */
import { VirtkitError } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';

export const ROOT = '/domainsnapshot';

/** /domainsnapshot/disks/disk[2] (1-based; no index when there is one disk). */
export const diskPath = (i: number, n: number): string => (n > 1 ? `${ROOT}/disks/disk[${i + 1}]` : `${ROOT}/disks/disk`);

export function problem(code: ErrorCode, path: string, message: string): VirtkitError {
  return new VirtkitError(code, `${path}: ${message}`, { details: { path } });
}

export function throwFirst(problems: readonly VirtkitError[]): void {
  const [first] = problems;
  if (first) throw first;
}
