/**
 * Runs one virtkit command line: global options, then the command. Used by
 * bin/virtkit (through main.ts) and, in-process, by the tests.
 *
 *   virtkit [-c URI] [--root DIR] [--json] COMMAND [ARGS...]
 *
 * Like virsh, every command's human output ends with a blank line, errors
 * are `error: ...` lines on stderr, and the exit status is 0 or 1.
 */
import { parseArgs } from 'node:util';
import { VirtkitClient } from '../client/client.js';
import { asVirtkitError } from '../core/errors.js';
import { COMMANDS } from './commands/index.js';
import { CliError, ExitStatus, parseCommandArgs, usageError, type Context, type Io } from './framework.js';

export const GLOBAL_USAGE = `virtkit [-c URI] [--root DIR] [--json] COMMAND [ARGS...]

  -c, --connect URI   qemu:///system, qemu:///session, qemu:///embed?root=DIR, qemu+tcp://HOST:PORT/system
  --root DIR          the instance kept under DIR (also VIRTKIT_ROOT); started on first use
  --json              print results (and errors, on stderr) as JSON
  -h, --help          this help; \`virtkit help COMMAND\` for a command`;

function splitGlobal(argv: string[]): { global: string[]; rest: string[] } {
  // Global options stop at the first word that is not one (the command name).
  const global: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const a = argv[i] ?? '';
    if (a === '-c' || a === '--connect' || a === '--root') {
      global.push(a, argv[i + 1] ?? '');
      i += 2;
    } else if (a.startsWith('--connect=') || a.startsWith('--root=') || ['--json', '-h', '--help', '-V', '--version'].includes(a)) {
      global.push(a);
      i += 1;
    } else break;
  }
  return { global, rest: argv.slice(i) };
}

export async function run(argv: string[], io: Io): Promise<number> {
  let json = argv.includes('--json');
  let client: VirtkitClient | undefined;
  try {
    const { global, rest } = splitGlobal(argv);
    const { values } = parseArgs({
      args: global, strict: true,
      options: {
        connect: { type: 'string', short: 'c' }, root: { type: 'string' }, json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'V' },
      },
    });
    const [name, ...args] = values.help ? ['help', ...rest] : values.version ? ['version', ...rest] : rest;
    const cmdArgs = args.filter((a) => a !== '--json');
    json = values.json === true || args.length !== cmdArgs.length;
    if (name === undefined) {
      io.stdout(`${GLOBAL_USAGE}\n`);
      return 0;
    }
    const entry = COMMANDS[name];
    if (!entry) throw usageError(`unknown command: '${name}'`);
    const cmd = (await entry.load()).default;
    const parsed = parseCommandArgs(cmd, cmdArgs);
    let bare = false;
    const ctx: Context = {
      io, json,
      // One short-lived process, a few requests: a connection each, without loading node:http (~3 ms).
      client: () => (client ??= new VirtkitClient({ uri: values.connect, root: values.root, env: io.env, connections: 'per-request' })),
      print: (text) => io.stdout(`${text}\n`),
      printJson: (v) => io.stdout(`${JSON.stringify(v, null, 2)}\n`),
      bare: () => { bare = true; },
    };
    await cmd.run(ctx, parsed.args as never, parsed.opts as never);
    if (!json && !bare) io.stdout('\n');
    return 0;
  } catch (e) {
    if (e instanceof ExitStatus) {
      if (!json) io.stdout('\n');
      return e.status;
    }
    const plain = asVirtkitError(e);
    const lines = e instanceof CliError ? e.lines
      : plain.code === 'DAEMON_UNREACHABLE' ? ['failed to connect to the hypervisor', plain.message]
      : [plain.message];
    if (json) {
      const err = e instanceof CliError ? (e.error ?? plain) : plain;
      io.stderr(`${JSON.stringify(err.toJSON())}\n`);
    } else {
      io.stderr(lines.map((l) => `error: ${l}\n`).join(''));
      // virsh ends a command that ran and failed with its blank line too.
      if (!(e instanceof CliError && e.usage)) io.stdout('\n');
    }
    return 1;
  } finally {
    client?.close();
  }
}
