/**
 * virtkit install: virt-install's command line (src/core/options/install-argv.ts) sent to the
 * daemon, which builds the plan, makes the disks and the domain and starts it (POST /v1/install);
 * then, as virt-install does, the console, --wait and the end of the install phase
 * (install-follow.ts). --print-xml prints each phase's XML; --dry-run makes nothing.
 */
import { VirtkitError } from '../../core/errors.js';
import type { InstallArgs } from '../../core/install/types.js';
import { parseInstallArgv } from '../../core/options/install-argv.js';
import type { InstallResult } from '../../client/types.js';
import { CliError, command, type Context } from '../framework.js';
import { followInstall } from '../install-follow.js';

function parse(argv: readonly string[]): InstallArgs {
  try {
    return parseInstallArgv(argv);
  } catch (e) {
    if (e instanceof VirtkitError) throw new CliError([e.message], e, true);
    throw e;
  }
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
    const args = parse((o as unknown as { argv: string[] }).argv);
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
