/**
 * The four CPU commands (cpu-compare, hypervisor-cpu-compare, cpu-baseline,
 * hypervisor-cpu-baseline): virsh's messages and exit statuses, over the client's
 * cpuCompare / cpuBaseline (docs/cpu-models.md).
 */
import type { CpuCompareResult } from '../core/api/types.js';
import { VirtkitError } from '../core/errors.js';
import { readXmlFile } from './commands/define.js';
import type { Context } from './framework.js';
import { CliError, ExitStatus, onFailure, usageError } from './framework.js';

type Against = 'host' | 'hypervisor';

/** --arch: virtkit runs x86_64 guests only. */
export function checkCpuArch(arch: string | undefined): void {
  if (arch !== undefined && arch !== 'x86_64') throw usageError(`no CPUs for architecture '${arch}': virtkit runs x86_64 guests`);
}

/** virsh's lines for each result (virsh-host.c: cmdCPUCompare, cmdHypervisorCPUCompare). */
function resultLine(r: CpuCompareResult['result'], file: string, against: Against): string {
  if (against === 'host') {
    return r === 'incompatible' ? `CPU described in ${file} is incompatible with host CPU`
      : r === 'identical' ? `CPU described in ${file} is identical to host CPU`
        : `Host CPU is a superset of CPU described in ${file}`;
  }
  return r === 'incompatible' ? `CPU described in ${file} is incompatible with the CPU provided by hypervisor on the host`
    : r === 'identical' ? `CPU described in ${file} is identical to the CPU provided by hypervisor on the host`
      : `The CPU provided by hypervisor on the host is a superset of CPU described in ${file}`;
}

/** Prints the comparison; incompatible exits 1, or with --error fails with CPU_INCOMPATIBLE naming the features. */
export async function runCpuCompare(ctx: Context, file: string, against: Against, o: { virttype?: string; error?: boolean }): Promise<void> {
  const xml = await readXmlFile(ctx.io.cwd, file);
  const what = `Failed to compare ${against} CPU with ${file}`;
  const r = await onFailure(what, () => ctx.client().cpuCompare({ xml, against, ...(o.virttype === undefined ? {} : { virttype: o.virttype }) }));
  if (r.result === 'incompatible' && o.error === true) {
    const reason = r.reason ?? 'the CPU is incompatible with host CPU';
    throw new CliError([what, reason], new VirtkitError('CPU_INCOMPATIBLE', reason, { details: { missing: r.missing } }));
  }
  if (ctx.json) ctx.printJson(r);
  else ctx.io.stdout(`${resultLine(r.result, file, against)}\n`);
  if (r.result === 'incompatible') throw new ExitStatus(1);
}

/** Prints the baseline <cpu>. */
export async function runCpuBaseline(ctx: Context, file: string, against: Against, o: { virttype?: string; features?: boolean }): Promise<void> {
  const xml = await readXmlFile(ctx.io.cwd, file);
  const out = await onFailure('Failed to compute baseline CPU', () => ctx.client().cpuBaseline({
    xml, against, ...(o.virttype === undefined ? {} : { virttype: o.virttype }), ...(o.features === true ? { features: true } : {}),
  }));
  if (ctx.json) return ctx.printJson({ xml: out });
  ctx.io.stdout(out);
}
