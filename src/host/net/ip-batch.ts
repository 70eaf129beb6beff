/**
 * Several iproute2 commands in one `ip -batch FILE` process instead of one process each (a
 * network's addresses and `link set up`): `ip` stops at the first command that fails and says
 * which, and the caller's runner turns that into its usual error. The file is written beside the
 * caller's other files and removed after; arguments must be plain words (names, addresses), as
 * the batch format splits lines on blanks.
 */
import { rm, writeFile } from 'node:fs/promises';
import { VirtkitError } from '../../core/errors.js';
import type { IpRunner } from './ip-runner.js';

/** Whether `arg` reaches ip through a batch line unchanged (lines are split on blanks; quotes, backslashes and # mean something there). */
export const isBatchWord = (arg: string): boolean => arg !== '' && !/[\s"'\\#]/u.test(arg);

/** The batch file's text: one line per command, without the leading 'ip'. */
export function ipBatchText(commands: readonly (readonly string[])[]): string {
  return commands.map((c) => {
    const [bin, ...args] = c;
    if (bin !== 'ip') throw new VirtkitError('INTERNAL_ERROR', `not an ip command: ${c.join(' ')}`);
    const bad = args.find((a) => !isBatchWord(a));
    if (bad !== undefined) throw new VirtkitError('INTERNAL_ERROR', `ip -batch cannot carry the argument ${JSON.stringify(bad)}`);
    return `${args.join(' ')}\n`;
  }).join('');
}

/** Runs `commands` (argv arrays starting with 'ip') through `ip`: one process for 2 or more. */
export async function runIpCommands(ip: IpRunner, commands: readonly (readonly string[])[], batchFile: string): Promise<void> {
  if (commands.length === 0) return;
  if (commands.length === 1) {
    await ip((commands[0] as readonly string[]).slice(1));
    return;
  }
  await writeFile(batchFile, ipBatchText(commands), { mode: 0o600 });
  try {
    await ip(['-batch', batchFile]);
  } finally {
    await rm(batchFile, { force: true });
  }
}
