/**
 * `--cloud-init` sub-options as virt-install 4.1 takes them (virtinst/cli.py ParserCloudInit):
 * `root-password-generate=on`, `root-password-file=FILE`, `root-ssh-key=FILE` (old name `ssh-key=`),
 * `clouduser-ssh-key=FILE`, `user-data=FILE`, `meta-data=FILE`, `network-config=FILE`, `disable=on`.
 * A bare `--cloud-init` (no sub-option) means `root-password-generate=on,disable=on`, with
 * virt-install's warning. Pure: the files are read by the caller (cloudInitFilePaths says which).
 */
import { VirtkitError } from '../errors.js';
import type { SubOption } from './types.js';

/** The keys, in the order `--cloud-init=?` lists them. */
export const CLOUD_INIT_KEYS = [
  'clouduser-ssh-key', 'disable', 'meta-data', 'network-config', 'root-password-file', 'root-password-generate',
  'root-ssh-key', 'user-data',
] as const;
type Key = (typeof CLOUD_INIT_KEYS)[number];

/** Old names virt-install still accepts: `ssh-key=` was renamed `root-ssh-key=` (virt-manager 4.0). */
const ALIASES: Record<string, Key> = { 'ssh-key': 'root-ssh-key' };
const ON_OFF = new Set<Key>(['disable', 'root-password-generate']);
/** virt-install's on/off words (cli.py _raw_on_off_convert), compared lower-cased. */
const TRUE = ['y', 'yes', '1', 'true', 't', 'on'];
const FALSE = ['n', 'no', '0', 'false', 'f', 'off'];

/** The sub-options, validated; a file option holds the path as given (null when absent). */
export interface CloudInitOptions {
  rootPasswordGenerate: boolean;
  rootPasswordFile: string | null;
  rootSshKey: string | null;
  clouduserSshKey: string | null;
  userData: string | null;
  metaData: string | null;
  networkConfig: string | null;
  disable: boolean;
  /** Warnings virt-install prints (the bare `--cloud-init` default) and those virtkit adds. */
  warnings: string[];
}

/** virt-install's warning for a bare `--cloud-init`. */
export const BARE_DEFAULT_WARNING = 'Defaulting to --cloud-init root-password-generate=yes,disable=yes';

function invalid(message: string, details: Record<string, unknown>): VirtkitError {
  return new VirtkitError('INVALID_ARGUMENT', message, { details: { flag: 'cloud-init', ...details } });
}

/** Python's repr of a list of strings, as virt-install prints unknown keys: `['a', 'b']`. */
function pyList(items: readonly string[]): string {
  return `[${items.map((s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ')}]`;
}

/**
 * Validates the sub-options of one `--cloud-init` use. Refused (INVALID_ARGUMENT): an unknown key
 * (virt-install's message, then the valid keys), an on/off key without a yes/no value, a file key
 * without a path, a key given twice.
 */
export function parseCloudInitOptions(opts: readonly SubOption[]): CloudInitOptions {
  const out: CloudInitOptions = {
    rootPasswordGenerate: false, rootPasswordFile: null, rootSshKey: null, clouduserSshKey: null,
    userData: null, metaData: null, networkConfig: null, disable: false, warnings: [],
  };
  if (opts.length === 0) {
    out.rootPasswordGenerate = true;
    out.disable = true;
    out.warnings.push(BARE_DEFAULT_WARNING);
    return out;
  }
  const unknown = opts.map((o) => o.key).filter((k) => !(CLOUD_INIT_KEYS as readonly string[]).includes(k) && !(k in ALIASES));
  if (unknown.length > 0) {
    throw invalid(`Unknown --cloud-init options: ${pyList(unknown)}; the valid ones are ${CLOUD_INIT_KEYS.join(', ')}`,
      { unknown, valid: [...CLOUD_INIT_KEYS] });
  }
  const seen = new Set<Key>();
  for (const o of opts) {
    const key = ALIASES[o.key] ?? (o.key as Key);
    if (seen.has(key)) throw invalid(`--cloud-init gives ${key} more than once: give it once`, { key });
    seen.add(key);
    if (ON_OFF.has(key)) {
      const v = o.value?.toLowerCase();
      // A bare `disable` is refused rather than guessed: virt-install would not turn it on either.
      const on = v !== undefined && TRUE.includes(v) ? true : v !== undefined && FALSE.includes(v) ? false : null;
      if (on === null) throw invalid(`--cloud-init ${o.key} must be 'yes' or 'no' (${o.key}=on or ${o.key}=off)`, { key: o.key, value: o.value });
      if (key === 'disable') out.disable = on;
      else out.rootPasswordGenerate = on;
      continue;
    }
    if (o.value === null || o.value === '') {
      throw invalid(`--cloud-init ${o.key} needs a file: ${o.key}=FILE`, { key: o.key, value: o.value });
    }
    if (key === 'root-password-file') out.rootPasswordFile = o.value;
    else if (key === 'root-ssh-key') out.rootSshKey = o.value;
    else if (key === 'clouduser-ssh-key') out.clouduserSshKey = o.value;
    else if (key === 'user-data') out.userData = o.value;
    else if (key === 'meta-data') out.metaData = o.value;
    else out.networkConfig = o.value;
  }
  if (out.userData !== null) {
    // virt-install's man page: with user-data= "all other user-data configuration options on the
    // --cloud-init command line are ignored". Kept (scripts pass both), but said.
    const ignored = [
      out.rootPasswordGenerate ? 'root-password-generate' : null, out.rootPasswordFile !== null ? 'root-password-file' : null,
      out.rootSshKey !== null ? 'root-ssh-key' : null, out.clouduserSshKey !== null ? 'clouduser-ssh-key' : null,
      out.disable ? 'disable' : null,
    ].filter((k): k is string => k !== null);
    if (ignored.length > 0) {
      out.warnings.push(`--cloud-init user-data= is used as it is: ${ignored.join(', ')} ignored, as virt-install ignores them (put them in the user-data file)`);
    }
  }
  return out;
}

/** The files a caller must read for these sub-options, each once (with user-data=, only those virt-install reads). */
export function cloudInitFilePaths(opts: readonly SubOption[]): string[] {
  const o = parseCloudInitOptions(opts);
  const used = o.userData !== null
    ? [o.userData, o.metaData, o.networkConfig]
    : [o.rootPasswordFile, o.rootSshKey, o.clouduserSshKey, o.metaData, o.networkConfig];
  return [...new Set(used.filter((p): p is string => p !== null))];
}
