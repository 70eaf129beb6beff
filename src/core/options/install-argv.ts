/**
 * `virtkit install` argv -> InstallArgs: flags (`--disk X`, `--disk=X`, short forms), switches, and each
 * flag value split into sub-options (suboptions.ts). This first cut knows which flags take a value; the
 * per-flag key tables (positional word, aliases, valid keys, `=?`) live in flags.ts.
 */
import { VirtkitError } from '../errors.js';
import type { FlagUse, InstallArgs } from '../install/types.js';
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

const ALIASES: Record<string, string> = { 'os-variant': 'osinfo', ram: 'memory', 'network-type': 'network' };
const SHORT: Record<string, string> = { n: 'name', r: 'memory', c: 'cdrom', l: 'location', x: 'extra-args', w: 'network', q: 'quiet', d: 'debug' };

/** Parse argv (without the command name). Unknown flags are INVALID_ARGUMENT naming the flag. */
export function parseInstallArgv(argv: readonly string[]): InstallArgs {
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
      throw new VirtkitError('INVALID_ARGUMENT', `unrecognized argument: ${arg}`, { details: { argument: arg } });
    }
    name = ALIASES[name] ?? name;
    const arity = INSTALL_FLAGS[name];
    if (!arity) throw new VirtkitError('INVALID_ARGUMENT', `unrecognized argument: --${name}`, { details: { argument: arg } });
    let raw: string | null = inline;
    if (raw === null && arity === 'value') {
      if (i + 1 >= argv.length) throw new VirtkitError('INVALID_ARGUMENT', `argument --${name}: expected one argument`, { details: { flag: name } });
      raw = argv[++i] ?? '';
    } else if (raw === null && arity === 'optional' && i + 1 < argv.length && !(argv[i + 1] ?? '').startsWith('-')) {
      raw = argv[++i] ?? '';
    }
    if (raw !== null && arity === 'switch') throw new VirtkitError('INVALID_ARGUMENT', `argument --${name}: ignored explicit argument '${raw}'`, { details: { flag: name } });
    const use: FlagUse = { raw: raw ?? '', opts: raw === null || PLAIN.has(name) ? [] : splitSubOptions(raw, name) };
    (out[name] ??= []).push(use);
  }
  return out;
}
