/**
 * virtkit install: virt-install's command line (src/core/options/install-argv.ts) sent to the
 * daemon, which builds the plan, makes the disks and the domain and starts it (POST /v1/install);
 * then, as virt-install does, the console, --wait and the end of the install phase
 * (install-follow.ts). --print-xml prints each phase's XML; --dry-run makes nothing.
 */
import { VirtkitError } from '../../core/errors.js';
import type { InstallArgs } from '../../core/install/types.js';
import { osinfoListLine } from '../../core/osinfo/list.js';
import { parseInstallCommand, type InstallCommand } from '../../core/options/install-argv.js';
import type { InstallResult } from '../../client/types.js';
import { CliError, command, type Context } from '../framework.js';
import { followInstall } from '../install-follow.js';

/** virt-install's order for `--flag=?`: clearxml first, then address.*, then the rest (a plain code-point sort). */
const introspectionOrder = (keys: readonly string[]): string[] => {
  const key = (k: string): string => `${k === 'clearxml' ? '0' : k.startsWith('address.') ? '1' : k.startsWith('xpath') ? '2' : ''}${k}`;
  return [...keys].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
};

function parse(argv: readonly string[]): InstallCommand {
  try {
    return parseInstallCommand(argv);
  } catch (e) {
    if (!(e instanceof VirtkitError)) throw e;
    // An unknown key: virt-install's message, then the keys the flag takes (details.valid).
    const valid = e.details?.['valid'];
    const flag = e.details?.['flag'];
    const more = Array.isArray(valid) && typeof flag === 'string' ? [`valid --${flag} options: ${valid.join(' ')} (see --${flag}=?)`] : [];
    throw new CliError([e.message, ...more], e, true);
  }
}

/** virt-install's `--osinfo list`: each OS's short-ids, in its order, then where to see more. */
async function printOsinfoList(ctx: Context): Promise<void> {
  const { oses } = await ctx.client().osinfoList();
  if (ctx.json) return ctx.printJson({ oses });
  ctx.io.stdout(`${oses.map((o) => `${osinfoListLine(o)}\n`).join('')}\nYou can see additional information with:\n\n  osinfo-query os\n\n`);
  ctx.bare();
}

/** virt-install's --print-xml [1|2|all]: the install phase, the final definition, or both. */
function printXml(ctx: Context, step: string, phases: readonly string[]): void {
  const chosen = step === '' || step === 'all' ? phases : step === '1' ? phases.slice(0, 1) : step === '2' ? phases.slice(1, 2) : undefined;
  if (chosen === undefined) throw new CliError([`Unknown XML step request '${step}', must be 1, 2, or all`], new VirtkitError('INVALID_ARGUMENT', `unknown --print-xml step '${step}'`), true);
  if (chosen.length === 0) throw new CliError(['Requested installation does not have XML step 2'], new VirtkitError('INVALID_ARGUMENT', 'no XML step 2'));
  ctx.io.stdout(chosen.map((x) => (x.endsWith('\n') ? x : `${x}\n`)).join(''));
  ctx.bare();
}

/** `--connect` is virtkit's global option; one given to install itself must name the same instance. */
function checkConnect(ctx: Context, args: InstallArgs): void {
  const uri = args['connect']?.at(-1)?.raw;
  const ours = ctx.client().uri;
  if (uri !== undefined && uri !== ours) {
    throw new CliError([`--connect ${uri}: this command talks to ${ours}; give the URI before the command (virtkit -c ${uri} install ...)`],
      new VirtkitError('INVALID_ARGUMENT', `--connect ${uri} differs from the connection ${ours}`), true);
  }
}

export default command({
  name: 'install',
  summary: 'create a virtual machine from virt-install\'s options',
  args: [],
  options: {},
  passthrough: true,
  async run(ctx, _args, o) {
    const cmd = parse((o as unknown as { argv: string[] }).argv);
    if (cmd.kind === 'help') {
      // virt-install's option introspection (`--disk=?`, `--disk help`): the keys on stdout, nothing else done.
      ctx.io.stdout(`--${cmd.flag} options:\n${introspectionOrder(cmd.keys).map((k) => `  ${k}\n`).join('')}\n`);
      return ctx.bare();
    }
    const args = cmd.args;
    if (args['osinfo']?.at(-1)?.raw === 'list') return printOsinfoList(ctx);
    checkConnect(ctx, args);
    const xmlStep = args['print-xml']?.at(-1)?.raw;
    const dry = args['dry-run'] !== undefined;
    if (xmlStep === undefined && !dry && !ctx.json) ctx.print('\nStarting install...');
    const res: InstallResult = await ctx.client().install({ args, cwd: ctx.io.cwd });
    if (ctx.json && res.made === null) return ctx.printJson(res);
    if (xmlStep !== undefined) return printXml(ctx, xmlStep, res.plan.phases);
    if (dry) return ctx.print('Dry run completed successfully');
    await followInstall(ctx, res);
  },
});
