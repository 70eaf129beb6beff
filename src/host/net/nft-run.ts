/**
 * Runs nft with an argument array (never a shell), a ruleset on stdin for `nft -f -`.
 * `prefix` runs it through another program: `['ip', 'netns', 'exec', NS]` applies the rules
 * inside a network namespace (how the tests keep the host's own firewall untouched).
 */
import { spawn } from 'node:child_process';
import { VirtkitError } from '../../core/errors.js';

/** Runs `nft ARGS` (with `stdin` fed to it) and gives its stdout; a failure is FIREWALL_ERROR. */
export type NftRunner = (args: readonly string[], stdin?: string) => Promise<string>;

export function nftRunner(prefix: readonly string[] = [], bin = 'nft'): NftRunner {
  return (args, stdin) => new Promise((resolve, reject) => {
    const argv = [...prefix, bin, ...args];
    const [cmd = bin, ...rest] = argv;
    const child = spawn(cmd, rest, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const details = { command: argv, ...(stdin === undefined ? {} : { ruleset: stdin }) };
    child.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'ENOENT' ? `it is not installed (Debian package nftables; scripts/setup.sh installs it)` : e.message;
      reject(new VirtkitError('FIREWALL_ERROR', `cannot run ${cmd}: ${why}`, { details, cause: e }));
    });
    child.once('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new VirtkitError('FIREWALL_ERROR', `${argv.join(' ')} failed (exit ${code}): ${err.trim() || out.trim()}`, { details: { ...details, exitCode: code } }));
    });
    child.stdin.on('error', () => { /* nft exited before reading all of stdin: its exit status says why */ });
    child.stdin.end(stdin ?? '');
  });
}
