/**
 * Reading InstallArgs for the builder: one use's sub-options as a lookup, virt-install's boolean words,
 * sizes. Every builder module reads the arguments through these so that a key is read one way everywhere.
 */
import { VirtkitError } from '../errors.js';
import type { FlagUse, InstallArgs } from './types.js';

/** The sub-options of one flag use; a later key wins, as in virt-install. */
export class Opts {
  private readonly map = new Map<string, string | null>();
  constructor(readonly flag: string, use: FlagUse | undefined) {
    for (const o of use?.opts ?? []) this.map.set(o.key, o.value);
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
  get(key: string): string | undefined {
    const v = this.map.get(key);
    return v === null ? 'on' : v;
  }
  /** Keys matching a pattern with one index group (`numa.cell([0-9]+).cpus`), by index. */
  indexed(re: RegExp): Map<number, Map<string, string>> {
    const out = new Map<number, Map<string, string>>();
    for (const [k, v] of this.map) {
      const m = re.exec(k);
      if (!m) continue;
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

export function parseBool(flag: string, key: string, v: string): boolean {
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
