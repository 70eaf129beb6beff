/**
 * Reading InstallArgs for the builder: one use's sub-options as a lookup, virt-install's boolean words,
 * sizes. Every builder module reads the arguments through these so that a key is read one way everywhere.
 */
import { VirtkitError } from '../errors.js';
import type { FlagUse, InstallArgs } from './types.js';

/** The keys the builder read, per flag use: a key given but never read is refused (never silently dropped). */
const readKeys = new WeakMap<FlagUse, Set<string>>();

/** The sub-options of one flag use; a later key wins, as in virt-install. */
export class Opts {
  private readonly map = new Map<string, string | null>();
  private readonly read: Set<string>;
  constructor(readonly flag: string, use: FlagUse | undefined) {
    for (const o of use?.opts ?? []) this.map.set(o.key, o.value);
    this.read = new Set();
    if (use) {
      const seen = readKeys.get(use) ?? new Set<string>();
      readKeys.set(use, seen);
      this.read = seen;
    }
  }
  has(key: string): boolean {
    this.read.add(key);
    return this.map.has(key);
  }
  get(key: string): string | undefined {
    this.read.add(key);
    const v = this.map.get(key);
    return v === null ? 'on' : v;
  }
  /** Marks a key as read by code that walks the items itself (Opts.all). */
  touch(key: string): void {
    this.read.add(key);
  }
  /** Keys matching a pattern with one index group (`numa.cell([0-9]+).cpus`), by index. */
  indexed(re: RegExp): Map<number, Map<string, string>> {
    const out = new Map<number, Map<string, string>>();
    for (const [k, v] of this.map) {
      const m = re.exec(k);
      if (!m) continue;
      this.read.add(k);
      const i = Number(m[1]);
      const rest = m[2] ?? '';
      if (!out.has(i)) out.set(i, new Map());
      out.get(i)?.set(rest, v ?? 'on');
    }
    return new Map([...out].sort((a, b) => a[0] - b[0]));
  }
  /** Every (key, value) in command-line order, repeated keys included. */
  static all(use: FlagUse | undefined): Array<[string, string | null]> {
    return (use?.opts ?? []).map((o) => [o.key, o.value]);
  }
  bool(key: string): boolean | undefined {
    const v = this.get(key);
    return v === undefined ? undefined : parseBool(this.flag, key, v);
  }
  int(key: string): number | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (!/^[0-9]+$/.test(v)) throw new VirtkitError('INVALID_ARGUMENT', `--${this.flag}: ${key}=${v} is not a whole number`, { details: { flag: this.flag, key } });
    return Number(v);
  }
}

/**
 * Keys given on the command line that no part of the builder read: virt-install accepts them but virtkit does
 * not write them yet. Only uses the builder looked at count (an earlier use of a single-use flag is ignored, as in
 * virt-install); `skip` names flags read elsewhere (--cloud-init's content, --check).
 */
export function unreadKeys(args: InstallArgs, skip: ReadonlySet<string>): Array<{ flag: string; key: string }> {
  const out: Array<{ flag: string; key: string }> = [];
  for (const [flag, list] of Object.entries(args)) {
    if (skip.has(flag)) continue;
    for (const use of list) {
      const seen = readKeys.get(use);
      if (!seen) continue;
      for (const o of use.opts) if (!seen.has(o.key)) out.push({ flag, key: o.key });
    }
  }
  return out;
}

function parseBool(flag: string, key: string, v: string): boolean {
  const l = v.toLowerCase();
  if (['on', 'yes', 'true', '1', 'y'].includes(l)) return true;
  if (['off', 'no', 'false', '0', 'n'].includes(l)) return false;
  throw new VirtkitError('INVALID_ARGUMENT', `--${flag}: ${key}=${v} is not on or off`, { details: { flag, key } });
}

export const uses = (args: InstallArgs, flag: string): FlagUse[] => args[flag] ?? [];
export const has = (args: InstallArgs, flag: string): boolean => uses(args, flag).length > 0;
/** The last use of a flag (single-use flags: a later one wins). */
export const last = (args: InstallArgs, flag: string): Opts => new Opts(flag, uses(args, flag).at(-1));
export const raw = (args: InstallArgs, flag: string): string | undefined => uses(args, flag).at(-1)?.raw;

/** on/off for libvirt's state="" attributes. */
export const onOff = (b: boolean): string => (b ? 'on' : 'off');
export const yesNo = (b: boolean): string => (b ? 'yes' : 'no');
