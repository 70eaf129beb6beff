/**
 * Argument conflicts virt-install refuses before it builds anything, with its messages: more than one
 * install method, kernel arguments without a kernel, values that must be numbers. Pure: InstallArgs only.
 */
import { VirtkitError } from '../errors.js';
import type { InstallArgs } from '../install/types.js';

const fail = (message: string, details: Record<string, unknown> = {}): never => {
  throw new VirtkitError('INVALID_ARGUMENT', message, { details });
};

/** The value of a sub-option in the last use of a flag (virt-install: a later use wins for single-use flags). */
function optOf(args: InstallArgs, flag: string, key: string): string | null | undefined {
  const uses = args[flag];
  const use = uses?.[uses.length - 1];
  const o = use?.opts.filter((x) => x.key === key).pop();
  return o === undefined ? undefined : o.value;
}

export const has = (args: InstallArgs, flag: string): boolean => (args[flag]?.length ?? 0) > 0;

/** Throws INVALID_ARGUMENT with virt-install's message for the first conflict found. */
export function checkInstallConflicts(args: InstallArgs): void {
  const bootKernel = optOf(args, 'boot', 'kernel') !== undefined;
  const methods = (['cdrom', 'location', 'pxe', 'import'] as const).filter((m) => has(args, m));
  if (methods.length > 1) {
    fail('Only one install method can be used (--location URL, --cdrom CD/ISO, --pxe, --import, --boot hd|cdrom|...)', { methods });
  }
  if (methods.length === 0 && !bootKernel && !has(args, 'boot') && !has(args, 'cloud-init')) {
    fail('An install method must be specified\n(--location URL, --cdrom CD/ISO, --pxe, --import, --boot hd|cdrom|...)');
  }
  if (has(args, 'extra-args') && !has(args, 'location') && !bootKernel) {
    fail('Kernel arguments are only supported with location or kernel installs.', { flag: 'extra-args' });
  }
  if (!has(args, 'name')) fail('--name is required', { flag: 'name' });
  const mem = optOf(args, 'memory', 'memory');
  if (mem !== undefined && mem !== null && !/^[0-9]+$/.test(mem)) fail(`--memory: '${mem}' is not a whole number of MiB`, { flag: 'memory' });
  const vcpus = optOf(args, 'vcpus', 'vcpus');
  if (vcpus !== undefined && vcpus !== null && !/^[0-9]+$/.test(vcpus)) fail(`--vcpus: '${vcpus}' is not a whole number`, { flag: 'vcpus' });
  for (const d of args['disk'] ?? []) {
    const size = d.opts.find((o) => o.key === 'size')?.value;
    if (size !== undefined && (size === null || !/^[0-9]+(\.[0-9]+)?$/.test(size))) fail(`--disk: size=${String(size)} is not a number of GiB`, { flag: 'disk' });
  }
  const ac = args['autoconsole']?.at(-1)?.raw;
  if (ac !== undefined && !['text', 'graphical', 'none'].includes(ac)) fail(`--autoconsole ${ac}: one of text, graphical, none`, { flag: 'autoconsole' });
  const wait = args['wait']?.at(-1)?.raw;
  if (wait !== undefined && wait !== '' && !/^-?[0-9]+$/.test(wait)) fail(`--wait ${wait}: a number of minutes (-1 or no value waits without end)`, { flag: 'wait' });
  if (has(args, 'transient') && has(args, 'autostart')) fail('--transient and --autostart cannot be used together: a transient domain cannot autostart');
}
