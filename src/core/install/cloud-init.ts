/**
 * The NoCloud seed `--cloud-init` puts on its ISO (volume id `cidata`), as virt-install 4.1 writes it
 * (virtinst/install/cloudinit.py): `meta-data` (the meta-data= file, else empty), `user-data` (the
 * user-data= file, else a `#cloud-config` made from the other sub-options) and `network-config` (only
 * from a network-config= file that is not empty). clouduser-ssh-key= is 4.1's too: a `users:` entry
 * with no name, which cloud-init gives to the image's default user (cloudinit/distros/ug_util.py
 * _normalize_users: a dict without `name` is "default", `ssh-authorized-keys` becomes
 * `ssh_authorized_keys`), though its docs say such an entry is ignored (virt-manager issue #452, after
 * which virt-manager 5 writes a top-level `ssh_authorized_keys:`). docs/install.md, "--cloud-init".
 *
 * Pure: the caller reads the files (cloudInitFilePaths) and passes a random source; host/iso writes
 * the ISO (writeNoCloudIso).
 */
import { VirtkitError } from '../errors.js';
import { parseCloudInitOptions } from './cloud-init-options.js';
import type { CloudInitOptions } from './cloud-init-options.js';
import type { SubOption } from './types.js';

/** A uniform random integer in [0, bound): the host passes crypto.randomInt. */
export type RandomInt = (bound: number) => number;

/** The contents of the files the sub-options name, keyed by the path exactly as given. */
export type CloudInitFiles = ReadonlyMap<string, Uint8Array>;

export interface CloudInitSeed {
  userData: string;
  metaData: string;
  /** null: no network-config file on the ISO. */
  networkConfig: string | null;
  /** The root password generated for the seed (show it once, never log it); null when none is in it. */
  generatedRootPassword: string | null;
  /** What virt-install would warn (the bare `--cloud-init` default) and what virtkit adds. */
  warnings: string[];
}

/** virt-install's generated password: 16 of Python's string.ascii_letters + string.digits. */
const PASSWORD_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const PASSWORD_LENGTH = 16;

/** Python's tempfile names: 8 of these (virt-install names its ISO with NamedTemporaryFile). */
const TEMP_NAME_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_';

function pick(rand: RandomInt, chars: string, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) {
    const n = rand(chars.length);
    if (!Number.isInteger(n) || n < 0 || n >= chars.length) {
      throw new VirtkitError('INTERNAL_ERROR', `the random source gave ${n} for a number below ${chars.length}`);
    }
    out += chars.charAt(n);
  }
  return out;
}

/** The ISO's file name in the boot directory, as virt-install names it: `virtinst-XXXXXXXX-cloudinit.iso`. */
export function cloudInitIsoName(rand: RandomInt): string {
  return `virtinst-${pick(rand, TEMP_NAME_CHARS, 8)}-cloudinit.iso`;
}

/**
 * A file's text as virt-install reads it (Python's open() in text mode, LANG=C.UTF-8): strict UTF-8
 * with a byte order mark kept, and universal newlines (`\r\n` and a lone `\r` become `\n`).
 */
function readText(files: CloudInitFiles, key: string, path: string): string {
  const bytes = files.get(path);
  if (bytes === undefined) {
    throw new VirtkitError('INTERNAL_ERROR', `--cloud-init ${key}=${path}: the file was not read (cloudInitFilePaths lists it)`, { details: { key, path } });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (e) {
    throw new VirtkitError('INVALID_ARGUMENT', `--cloud-init ${key}=${path}: the file is not UTF-8 text; save it as UTF-8`, {
      details: { flag: 'cloud-init', key, path }, cause: e,
    });
  }
  return text.replace(/\r\n?/g, '\n');
}

/** The first line without its line end, as virt-install reads a password or a key (readline()). */
function firstLine(files: CloudInitFiles, key: string, path: string, what: string): string {
  const line = readText(files, key, path).split('\n', 1)[0] ?? '';
  if (line === '') {
    // virt-install would write an empty password or an empty users: list; refused instead.
    throw new VirtkitError('INVALID_ARGUMENT', `--cloud-init ${key}=${path}: the file's first line is empty; it must hold the ${what}`, {
      details: { flag: 'cloud-init', key, path },
    });
  }
  return line;
}

/** The `#cloud-config` virt-install 4.1 generates when no user-data= file is given. */
function generatedUserData(o: CloudInitOptions, files: CloudInitFiles, password: string | null): string {
  let c = '#cloud-config\n';
  if (password !== null) c += `chpasswd:\n  list: |\n    root:${password}\n`;
  if (o.rootPasswordGenerate) c += '  expire: True\n';
  else if (o.rootPasswordFile !== null) c += '  expire: False\n';
  const rootKey = o.rootSshKey === null ? null : firstLine(files, 'root-ssh-key', o.rootSshKey, 'public key');
  const userKey = o.clouduserSshKey === null ? null : firstLine(files, 'clouduser-ssh-key', o.clouduserSshKey, 'public key');
  if (rootKey !== null || userKey !== null) c += 'users:\n';
  if (rootKey !== null) c += `  - name: root\n    ssh-authorized-keys:\n      - ${rootKey}\n`;
  if (userKey !== null) c += `  - ssh-authorized-keys: ${userKey}\n`;
  if (o.disable) c += 'runcmd:\n- echo "Disabled by virt-install" > /etc/cloud/cloud-init.disabled\n';
  return c;
}

/**
 * The seed for one `--cloud-init` use: `opts` its sub-options (none: virt-install's default
 * root-password-generate=on,disable=on), `files` the files they name, `rand` the random source for a
 * generated root password. Throws INVALID_ARGUMENT for bad sub-options (parseCloudInitOptions) and for
 * a file that is not UTF-8 text, or a password or key file whose first line is empty.
 */
export function cloudInitSeed(opts: readonly SubOption[], files: CloudInitFiles, rand: RandomInt): CloudInitSeed {
  const o = parseCloudInitOptions(opts);
  const metaData = o.metaData === null ? '' : readText(files, 'meta-data', o.metaData);
  const network = o.networkConfig === null ? '' : readText(files, 'network-config', o.networkConfig);
  const networkConfig = network === '' ? null : network;
  if (o.userData !== null) {
    // The other sub-options are ignored, as in virt-install (a warning says so); virt-install would
    // still print a generated password that is in no file: here there is none.
    return { userData: readText(files, 'user-data', o.userData), metaData, networkConfig, generatedRootPassword: null, warnings: o.warnings };
  }
  const generated = o.rootPasswordGenerate && o.rootPasswordFile === null ? pick(rand, PASSWORD_CHARS, PASSWORD_LENGTH) : null;
  const password = o.rootPasswordFile !== null ? firstLine(files, 'root-password-file', o.rootPasswordFile, 'password') : generated;
  return { userData: generatedUserData(o, files, password), metaData, networkConfig, generatedRootPassword: generated, warnings: o.warnings };
}
