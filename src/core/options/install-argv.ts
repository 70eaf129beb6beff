/**
 * `virtkit install` argv -> InstallArgs: flags (`--disk X`, `--disk=X`, short forms), switches, and each
 * flag value split into sub-options (suboptions.ts) and resolved against the flag's grammar (flag-keys.ts):
 * the positional word gets its key, old names become canonical, bare words are checked, unknown keys are
 * refused with virt-install's own message. `--flag=?` / `--flag help` asks for the flag's keys instead.
 */
import { VirtkitError } from '../errors.js';
import type { FlagUse, InstallArgs, SubOption } from '../install/types.js';
import { FLAG_GRAMMAR, canonicalKey, isValidKey } from './flag-keys.js';
import { splitSubOptions } from './suboptions.js';

type Arity = 'value' | 'optional' | 'switch';

/** Flags of virt-install 4.1 that apply to a QEMU/KVM x86_64 host, with whether they take a value. */
export const INSTALL_FLAGS: Record<string, Arity> = {
  name: 'value', memory: 'value', vcpus: 'value', cpu: 'value', cputune: 'value', numatune: 'value',
  memorybacking: 'value', iothreads: 'value', machine: 'value', arch: 'value', 'virt-type': 'value',
  boot: 'value', import: 'switch', cdrom: 'value', location: 'value', 'extra-args': 'value', pxe: 'switch',
  disk: 'value', network: 'value', graphics: 'value', video: 'value', console: 'value', serial: 'value',
  channel: 'value', controller: 'value', input: 'value', hostdev: 'value', rng: 'value', watchdog: 'value',
  memballoon: 'value', tpm: 'value', features: 'value', clock: 'value', events: 'value', metadata: 'value',
  sysinfo: 'value', osinfo: 'value', 'cloud-init': 'optional', autostart: 'switch', transient: 'switch',
  noautoconsole: 'switch', autoconsole: 'value', wait: 'optional', noreboot: 'switch', 'print-xml': 'optional',
  'dry-run': 'switch', check: 'value', connect: 'value', quiet: 'switch', debug: 'switch',
};

/** Flags whose value is taken whole (no sub-options): their FlagUse has the value in `raw` and no opts. */
const PLAIN = new Set(['name', 'cdrom', 'extra-args', 'machine', 'arch', 'virt-type', 'autoconsole', 'wait', 'connect', 'print-xml']);

/** Old flag names (virt-install keeps them working). */
const ALIASES: Record<string, string> = {
  'os-variant': 'osinfo', ram: 'memory', 'network-type': 'network', accelerate: 'virt-type', noapic: 'features',
  noacpi: 'features', 'host-device': 'hostdev', 'os-type': 'osinfo', paravirt: 'virt-type', hvm: 'virt-type',
};
/** virt-install's old switches that still take no value although the flag they map to does. */
const DROPPED = new Set(['noapic', 'noacpi', 'os-type', 'paravirt', 'hvm', 'accelerate']);
const SHORT: Record<string, string> = { n: 'name', r: 'memory', c: 'cdrom', l: 'location', x: 'extra-args', w: 'network', q: 'quiet', d: 'debug' };

/** Boot device words `--boot hd,cdrom` takes bare. */
const BOOT_DEVS = new Set(['hd', 'cdrom', 'fd', 'network']);

/** What the command line asked for: the install, or the list of one flag's keys (`--disk=?`, `--disk help`). */
export type InstallCommand = { kind: 'install'; args: InstallArgs } | { kind: 'help'; flag: string; keys: string[] };

/** Parse argv (without the command name). Unknown flags and keys are INVALID_ARGUMENT. */
export function parseInstallCommand(argv: readonly string[]): InstallCommand {
  const out: InstallArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    let name: string;
    let inline: string | null = null;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (eq >= 0) inline = arg.slice(eq + 1);
    } else if (/^-[a-zA-Z]$/.test(arg) && SHORT[arg.charAt(1)]) {
      name = SHORT[arg.charAt(1)] ?? '';
    } else {
      throw new VirtkitError('INVALID_ARGUMENT', `unrecognized arguments: ${arg}`, { details: { argument: arg } });
    }
    if (DROPPED.has(name)) {
      throw new VirtkitError('INVALID_ARGUMENT', `--${name} is an option of old virt-install versions: use --${ALIASES[name] ?? name} instead`, { details: { argument: arg } });
    }
    name = ALIASES[name] ?? name;
    const arity = INSTALL_FLAGS[name];
    if (!arity) throw new VirtkitError('INVALID_ARGUMENT', `unrecognized arguments: ${arg}`, { details: { argument: arg } });
    let raw: string | null = inline;
    if (raw === null && arity === 'value') {
      if (i + 1 >= argv.length) throw new VirtkitError('INVALID_ARGUMENT', `argument --${name}: expected one argument`, { details: { flag: name } });
      raw = argv[++i] ?? '';
    } else if (raw === null && arity === 'optional' && i + 1 < argv.length && (!(argv[i + 1] ?? '').startsWith('-') || (name === 'wait' && /^-[0-9]+$/.test(argv[i + 1] ?? '')))) {
      raw = argv[++i] ?? '';
    }
    if (raw !== null && arity === 'switch') throw new VirtkitError('INVALID_ARGUMENT', `argument --${name}: ignored explicit argument '${raw}'`, { details: { flag: name } });
    const grammar = FLAG_GRAMMAR[name];
    if (grammar && (raw === '?' || raw === 'help')) return { kind: 'help', flag: name, keys: flagKeys(name) };
    const use: FlagUse = { raw: raw ?? '', opts: raw === null || PLAIN.has(name) ? [] : resolveOptions(name, raw) };
    (out[name] ??= []).push(use);
  }
  return { kind: 'install', args: out };
}

/** parseInstallCommand for callers that only install: a help request is INVALID_ARGUMENT listing the keys. */
export function parseInstallArgv(argv: readonly string[]): InstallArgs {
  const cmd = parseInstallCommand(argv);
  if (cmd.kind === 'help') throw new VirtkitError('INVALID_ARGUMENT', `--${cmd.flag} options: ${cmd.keys.join(' ')}`, { details: { flag: cmd.flag, keys: cmd.keys } });
  return cmd.args;
}

/** The keys a flag accepts, sorted as virt-install lists them (case-insensitively). */
export function flagKeys(flag: string): string[] {
  const g = FLAG_GRAMMAR[flag];
  if (!g) return [];
  return [...new Set(g.keys)].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
}

/** One flag value -> canonical sub-options; throws INVALID_ARGUMENT for unknown keys or misplaced bare words. */
export function resolveOptions(flag: string, raw: string): SubOption[] {
  const items = splitSubOptions(raw, flag);
  const g = FLAG_GRAMMAR[flag];
  if (!g || g.delegated) return items;
  const out: SubOption[] = [];
  const unknown: string[] = [];
  items.forEach((item, n) => {
    if (item.value === null) {
      if (n === 0 && g.first !== undefined && !(flag === 'boot' && (BOOT_DEVS.has(item.key) || g.bare?.includes(item.key)))) {
        out.push({ key: g.first, value: item.key });
        return;
      }
      if (flag === 'cpu' && /^[+-]./.test(item.key)) {
        out.push({ key: item.key.startsWith('+') ? 'force' : 'disable', value: item.key.slice(1) });
        return;
      }
      if (flag === 'boot' && BOOT_DEVS.has(item.key)) {
        out.push({ key: `boot${out.filter((o) => /^boot[0-9]+\.dev$/.test(o.key)).length}.dev`, value: item.key });
        return;
      }
    }
    const key = canonicalKey(g, item.key);
    if (!isValidKey(g, key)) {
      unknown.push(item.key);
      return;
    }
    if (item.value === null && !(g.bare ?? []).includes(key)) {
      throw new VirtkitError('INVALID_ARGUMENT', `--${flag}: ${item.key} needs a value (${item.key}=VALUE)`, { details: { flag, key: item.key } });
    }
    out.push({ key, value: item.value });
  });
  if (unknown.length > 0) {
    // virt-install's message, word for word (Python prints the list as ['a', 'b'])
    const list = `[${unknown.map((k) => `'${k}'`).join(', ')}]`;
    throw new VirtkitError('INVALID_ARGUMENT', `Unknown --${flag} options: ${list}`, { details: { flag, unknown, valid: flagKeys(flag) } });
  }
  return out;
}
