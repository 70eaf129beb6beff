/** Options the host ("node") commands share: virsh's cell numbers and page sizes. */
import { usageError } from './framework.js';
import { parseKiB } from './commands/setmem.js';

/** A non-negative whole number option (virsh: "Numeric value 'x' for <cellno> option is malformed or out of range"). */
export function parseCount(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(Number(text))) throw usageError(`Numeric value '${text}' for <${option}> option is malformed or out of range`);
  return Number(text);
}

/** A page size: a scaled integer, KiB by default ("2048", "2M", "1G"). */
export function parsePageSize(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const kib = parseKiB(text);
  if (kib <= 0) throw usageError(`Scaled numeric value '${text}' for <pagesize> option is malformed or out of range`);
  return kib;
}
