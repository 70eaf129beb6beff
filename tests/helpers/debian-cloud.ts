/**
 * The real cloud-init guest of the acceptance test (tests/acceptance/cloud-init.test.ts,
 * docs/testing.md): the Debian 12 image scripts/build-debian-cloud-image.sh builds and caches,
 * an ssh key pair, and ssh into the guest with that key (the seed is `virtkit install --cloud-init`'s).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './paths.js';

const execFileP = promisify(execFile);
const buildScript = join(repoRoot, 'scripts', 'build-debian-cloud-image.sh');

/** The user Debian's cloud-init makes as the default user (cloud.cfg `system_info.default_user`). */
export const DEBIAN_CLOUD_USER = 'debian';

/**
 * The image's path, built unless cached (a cold build: debootstrap and apt, minutes; a cached
 * one: milliseconds). VIRTKIT_DEBIAN_IMAGE names a ready image and skips the script.
 */
export async function ensureDebianCloudImage(): Promise<string> {
  const given = process.env['VIRTKIT_DEBIAN_IMAGE'];
  if (given !== undefined && given !== '') return given;
  let stdout: string;
  try {
    stdout = (await execFileP('bash', [buildScript], { timeout: 3_600_000, maxBuffer: 64 << 20 })).stdout;
  } catch (err) {
    const stderr = (err as { stderr?: unknown }).stderr;
    throw new Error(`${buildScript} failed; the end of its output:\n${typeof stderr === 'string' ? stderr.slice(-4000) : ''}`, { cause: err });
  }
  const image = stdout.trimEnd().split('\n').at(-1);
  if (image?.endsWith('.qcow2') !== true) throw new Error(`${buildScript} printed no image path:\n${stdout}`);
  return image;
}

export interface SshKey {
  /** The private key file (mode 0600, as ssh wants it). */
  readonly file: string;
  /** The public key file (`FILE.pub`), what `--cloud-init clouduser-ssh-key=` takes. */
  readonly pubFile: string;
  /** Its one line, `ssh-ed25519 AAAA... comment`. */
  readonly pub: string;
}

/** A fresh ed25519 key pair without a passphrase in `dir`. */
export async function makeSshKey(dir: string, name = 'id_ed25519'): Promise<SshKey> {
  const file = join(dir, name);
  await execFileP('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'virtkit-acceptance', '-f', file]);
  const pubFile = `${file}.pub`;
  return { file, pubFile, pub: (await readFile(pubFile, 'utf8')).trim() };
}

/** The options of every ssh to a guest: key only, no prompt, a new guest's host key taken and not kept. */
const sshOptions = (key: string): string[] => [
  '-i', key, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no',
  '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=10',
];

export interface SshResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command` in the guest at `ip` as `user` with the private key `key`; never throws on a failing command. */
export async function ssh(key: string, user: string, ip: string, command: string, timeoutMs = 120_000): Promise<SshResult> {
  try {
    const r = await execFileP('ssh', [...sshOptions(key), `${user}@${ip}`, command], { timeout: timeoutMs, maxBuffer: 16 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: unknown; stderr?: unknown; killed?: boolean };
    if (typeof e.code !== 'number' && e.killed !== true) throw err; // ssh itself could not run
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: String(e.stdout ?? ''), stderr: String(e.stderr ?? '') };
  }
}
