/**
 * Runs nft with an argument array (never a shell). A transaction goes to nft as a file
 * (`nft -j -f FILE`, a private temp file removed afterwards): nft 1.0.6 reads JSON from
 * `-f -` by opening /dev/stdin, which fails when stdin is a socket, as node's pipes are.
 * `prefix` runs nft through another program: `['ip', 'netns', 'exec', NS]` applies the rules
 * inside a network namespace (how the tests keep the host's own firewall untouched).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtkitError } from '../../core/errors.js';

/** Runs `nft ARGS` (with `-f FILE` holding `file` when given) and gives its stdout; a failure is FIREWALL_ERROR. */
export type NftRunner = (args: readonly string[], file?: string) => Promise<string>;

function exec(argv: readonly string[], details: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    const [cmd = 'nft', ...rest] = argv;
    const child = spawn(cmd, rest, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'ENOENT' ? 'it is not installed (Debian package nftables; scripts/setup.sh installs it)' : e.message;
      reject(new VirtkitError('FIREWALL_ERROR', `cannot run ${cmd}: ${why}`, { details, cause: e }));
    });
    child.once('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new VirtkitError('FIREWALL_ERROR', `${argv.join(' ')} failed (exit ${code}): ${err.trim() || out.trim()}`, { details: { ...details, exitCode: code } }));
    });
  });
}

export function nftRunner(prefix: readonly string[] = [], bin = 'nft'): NftRunner {
  return async (args, file) => {
    if (file === undefined) {
      const argv = [...prefix, bin, ...args];
      return exec(argv, { command: argv });
    }
    const dir = await mkdtemp(join(tmpdir(), 'virtkit-nft-'));
    try {
      const path = join(dir, 'transaction');
      await writeFile(path, file, { mode: 0o600 });
      const argv = [...prefix, bin, ...args, '-f', path];
      return await exec(argv, { command: argv, transaction: file });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}
