/**
 * The CLI's small framework over node's util.parseArgs: a command declares
 * its positional arguments and options, and gets them parsed and typed. As
 * in virsh, a positional may also be given as an option (--domain NAME).
 * Output goes through `Io` so that tests run commands in-process.
 */
import { parseArgs } from 'node:util';
import { asVirtkitError, VirtkitError } from '../core/errors.js';
import type { VirtkitClient } from '../client/client.js';

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** stdout and stderr are a terminal (progress bars are drawn only then); absent in tests. */
  readonly tty?: boolean;
  /** For interactive commands (console); absent in tests. */
  readonly stdin?: NodeJS.ReadStream;
}

export interface OptionSpec {
  readonly type: 'boolean' | 'string';
  readonly help: string;
  readonly short?: string;
  /** Placeholder in help for a string option. */
  readonly arg?: string;
  /** A string option that may be given more than once (its value: every one, in order). */
  readonly multiple?: boolean;
}

export interface ArgSpec {
  readonly name: string;
  readonly help: string;
  readonly required: boolean;
}

type OptionValues<O extends Record<string, OptionSpec>> = {
  readonly [K in keyof O]: O[K]['type'] extends 'boolean' ? boolean : O[K] extends { readonly multiple: true } ? readonly string[] : string | undefined;
};
type ArgValues<A extends readonly ArgSpec[]> = { readonly [K in A[number]['name']]: string };

export interface Context {
  readonly io: Io;
  readonly json: boolean;
  /** The connection (created on first use, closed when the command ends). */
  client(): VirtkitClient;
  /** Writes `text` and a line; the blank line virsh ends every command with comes from the runner. */
  print(text: string): void;
  printJson(value: unknown): void;
  /** This output is one of the few virsh ends without the blank line (snapshot-create-as, snapshot-parent...). */
  bare(): void;
}

export interface Command<O extends Record<string, OptionSpec> = Record<string, OptionSpec>, A extends readonly ArgSpec[] = readonly ArgSpec[]> {
  readonly name: string;
  readonly summary: string;
  readonly args: A;
  readonly options: O;
  /** The command parses its own arguments (virtkit install: virt-install's flags): `opts.argv` holds them, unparsed. */
  readonly passthrough?: boolean;
  run(ctx: Context, args: ArgValues<A>, opts: OptionValues<O>): Promise<void>;
}

/** Declares a command with its arguments typed from the specs. */
export function command<const O extends Record<string, OptionSpec>, const A extends readonly ArgSpec[]>(c: Command<O, A>): Command {
  return c as unknown as Command;
}

/** A failure the runner prints as `error: LINE` lines (virsh prints what failed, then why). */
export class CliError extends Error {
  constructor(
    readonly lines: readonly string[],
    readonly error?: VirtkitError,
    /** The command line itself is wrong (virsh prints no blank line after these). */
    readonly usage = false,
  ) {
    super(lines.join('\n'));
  }
}

/** The command has printed its own report and exits with `status` (virtkit validate on invalid XML). */
export class ExitStatus extends Error {
  constructor(readonly status: number) {
    super(`exit status ${status}`);
  }
}

export function usageError(message: string): CliError {
  return new CliError([message], new VirtkitError('INVALID_ARGUMENT', message), true);
}

/** Runs `fn`; a failure reads as virsh's two lines, `failure` and then why (an unreachable daemon passes through as is). */
export async function onFailure<T>(failure: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const err = asVirtkitError(e);
    if (err.code === 'DAEMON_UNREACHABLE') throw err;
    throw new CliError([failure, err.message], err);
  }
}

export function parseCommandArgs(cmd: Command, argv: string[]): { args: Record<string, string>; opts: Record<string, unknown> } {
  if (cmd.passthrough === true) return { args: {}, opts: { argv } };
  const options: Record<string, { type: 'boolean' | 'string'; short?: string; multiple?: boolean }> = {};
  for (const [name, o] of Object.entries(cmd.options)) options[name] = { type: o.type, ...(o.short === undefined ? {} : { short: o.short }), ...(o.multiple === true ? { multiple: true } : {}) };
  for (const a of cmd.args) options[a.name] = { type: 'string' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    const m = /Unknown option '([^']+)'/.exec((e as Error).message);
    throw usageError(m ? `command '${cmd.name}' doesn't support option ${m[1]}` : (e as Error).message);
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const positionals = [...parsed.positionals];
  const args: Record<string, string> = {};
  for (const a of cmd.args) {
    const v = values[a.name] ?? positionals.shift();
    if (typeof v === 'string') args[a.name] = v;
    else if (a.required) throw usageError(`command '${cmd.name}' requires <${a.name}> option`);
  }
  if (positionals.length > 0) throw usageError(`unexpected data '${positionals.join(' ')}'`);
  const opts: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(cmd.options)) opts[name] = o.type === 'boolean' ? values[name] === true : o.multiple === true ? (values[name] ?? []) : values[name];
  return { args, opts };
}

export function commandHelp(cmd: Command): string {
  const args = cmd.args.map((a) => (a.required ? ` <${a.name}>` : ` [<${a.name}>]`)).join('');
  const opts = Object.entries(cmd.options).map(([n, o]) => ` [--${n}${o.type === 'string' ? ` <${o.arg ?? 'string'}>` : ''}]`).join('');
  const lines = ['  NAME', `    ${cmd.name} - ${cmd.summary}`, '', '  SYNOPSIS', `    ${cmd.name}${args}${opts}`, ''];
  const rows = [
    ...cmd.args.map((a) => [`[--${a.name}] <string>`, a.help] as const),
    ...Object.entries(cmd.options).map(([n, o]) => [`--${n}${o.type === 'string' ? ` <${o.arg ?? 'string'}>` : ''}`, o.help] as const),
    ['--json', 'print the result as JSON'] as const,
  ];
  lines.push('  OPTIONS');
  for (const [k, h] of rows) lines.push(`    ${k.padEnd(24)}${h}`);
  return lines.join('\n');
}
