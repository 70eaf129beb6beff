/**
 * What the snapshot commands share: the snapshot argument (or --current), virsh's time
 * format and its tree printer (vshTreePrint), and the XML snapshot-create-as builds.
 */
import type { VirtkitClient } from '../client/client.js';
import type { BlockJobsReport, SnapshotInfo } from '../client/types.js';
import { CliError, usageError, type ArgSpec, type Context, type OptionSpec } from './framework.js';

export const SNAP_ARG = { name: 'snapshotname', help: 'snapshot name', required: false } as const satisfies ArgSpec;
export const CURRENT_OPT = { type: 'boolean', help: 'also print the current snapshot' } as const satisfies OptionSpec;

/** The named snapshot, or the current one (with --current, or when no name is given). */
export async function pickSnapshot(client: VirtkitClient, domain: string, name: string | undefined): Promise<string> {
  if (name !== undefined && name !== '') return name;
  const cur = await client.currentSnapshot(domain);
  if (cur === null) throw new CliError([`domain '${domain}' has no current snapshot`]);
  return cur.name;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** virsh's creation time: local time with its UTC offset, `2026-12-04 06:18:47 +0000`. */
export function snapshotTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  const tz = `${sign}${pad(Math.floor(Math.abs(off) / 60))}${pad(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${tz}`;
}

/** libvirt's vshTreePrint over `snaps` (parents by name), one call per root, as snapshot-list --tree. */
export function snapshotTree(snaps: readonly SnapshotInfo[]): string {
  const out: string[] = [];
  const known = new Set(snaps.map((s) => s.name));
  const parentOf = (s: SnapshotInfo): string | null => (s.parent !== null && known.has(s.parent) ? s.parent : null);
  const walk = (i: number, last: number, root: boolean, indent: string): void => {
    const s = snaps[i] as SnapshotInfo;
    out.push(`${indent}${root ? '' : '+- '}${s.name}`);
    let ind = root ? indent : `${indent}${i === last ? ' ' : '|'} `;
    let nextLast = -1;
    snaps.forEach((c, j) => { if (parentOf(c) === s.name) nextLast = j; });
    if (nextLast !== -1) out.push(`${ind}  |`);
    ind += '  ';
    snaps.forEach((c, j) => { if (parentOf(c) === s.name) walk(j, nextLast, false, ind); });
    ind = ind.slice(0, -2);
    if (nextLast === -1 && i === last) out.push(ind);
  };
  snaps.forEach((s, i) => { if (parentOf(s) === null) walk(i, i, true, ''); });
  return out.join('\n');
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');

/** virsh's vshStringToArray: split at commas, `,,` standing for a comma in a value. */
export function splitSpec(spec: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < spec.length; i++) {
    if (spec[i] !== ',') cur += spec[i];
    else if (spec[i + 1] === ',') { cur += ','; i++; } else { out.push(cur); cur = ''; }
  }
  out.push(cur);
  return out;
}

/** One --diskspec (`vda[,snapshot=TYPE][,driver=FORMAT][,stype=file|block][,file=PATH]`) as virsh writes it. */
function diskspecXml(spec: string): string {
  const [disk, ...kv] = splitSpec(spec);
  const attrs = new Map<string, string>();
  for (const p of kv) {
    const key = p.slice(0, p.indexOf('='));
    if (!['snapshot', 'driver', 'stype', 'file'].includes(key) || attrs.has(key)) throw usageError(`unable to parse diskspec: ${spec}`);
    attrs.set(key, p.slice(key.length + 1));
  }
  const stype = attrs.get('stype');
  if (stype !== undefined && stype !== 'file' && stype !== 'block') throw usageError(`Unknown storage type: '${stype}'`);
  const snapshot = attrs.get('snapshot');
  const file = attrs.get('file');
  const driver = attrs.get('driver');
  const source = file === undefined ? '' : stype === 'block' ? `<source dev='${esc(file)}'/>` : `<source file='${esc(file)}'/>`;
  const inner = [driver === undefined ? '' : `<driver type='${esc(driver)}'/>`, source].join('');
  const open = `<disk name='${esc(disk ?? '')}'${snapshot === undefined ? '' : ` snapshot='${esc(snapshot)}'`}${stype === undefined ? '' : ` type='${stype}'`}`;
  return inner === '' ? `    ${open}/>` : `    ${open}>${inner}</disk>`;
}

/** --memspec (`[file=]PATH[,snapshot=TYPE]`) as virsh writes it; the daemon refuses external memory (docs/snapshots.md). */
function memspecXml(spec: string): string {
  let file: string | undefined;
  let snapshot: string | undefined;
  splitSpec(spec).forEach((p, i) => {
    if (i === 0 && !p.includes('=')) file = p;
    else if (p.startsWith('snapshot=') && snapshot === undefined) snapshot = p.slice('snapshot='.length);
    else if (p.startsWith('file=') && file === undefined) file = p.slice('file='.length);
    else throw usageError(`unable to parse memspec: ${spec}`);
  });
  return `  <memory snapshot='${esc(snapshot ?? (file === undefined ? 'no' : 'external'))}'${file === undefined ? '' : ` file='${esc(file)}'`}/>`;
}

/** snapshot-create-as's XML from its options (virsh builds the same document); one --diskspec per disk. */
export function snapshotXmlFromArgs(o: { name?: string | undefined; description?: string | undefined; diskspec?: readonly string[]; memspec?: string | undefined }): string {
  const lines = ['<domainsnapshot>'];
  if (o.name !== undefined) lines.push(`  <name>${esc(o.name)}</name>`);
  if (o.description !== undefined) lines.push(`  <description>${esc(o.description)}</description>`);
  if (o.memspec !== undefined) lines.push(memspecXml(o.memspec));
  const specs = o.diskspec ?? [];
  if (specs.length > 0) lines.push('  <disks>', ...specs.map(diskspecXml), '  </disks>');
  lines.push('</domainsnapshot>');
  return lines.join('\n');
}

/** virsh's --bandwidth: MiB/s, or bytes/s with --bytes. */
export const BANDWIDTH_OPTS = {
  bandwidth: { type: 'string', help: 'bandwidth limit in MiB/s', arg: 'number' },
  bytes: { type: 'boolean', help: 'the bandwidth limit is in bytes/s rather than MiB/s' },
} as const satisfies Record<string, OptionSpec>;

export function bandwidthOf(o: { bandwidth: string | undefined; bytes: boolean }): { bandwidth?: number } {
  if (o.bandwidth === undefined) return {};
  const n = Number(o.bandwidth);
  if (!Number.isSafeInteger(n) || n <= 0) throw usageError(`Scaled numeric value '${o.bandwidth}' for <--bandwidth> option is malformed or out of range`);
  return { bandwidth: o.bytes ? n : n * 1024 * 1024 };
}

export const DISK_ARG = { name: 'path', help: 'fully-qualified path of disk (or its target, vda)', required: true } as const satisfies ArgSpec;

const KIND: Readonly<Record<string, string>> = { 'active-commit': 'Active Block Commit', commit: 'Block Commit', stream: 'Block Pull', mirror: 'Block Copy', backup: 'Backup' };

/** virsh's progress lines: `Block Commit: [ 42 %]`, one per job. */
export function jobLines(r: BlockJobsReport): string[] {
  return r.jobs.map((j) => `${KIND[j.type] ?? j.type}: [${String(j.total === 0 ? 100 : Math.floor((j.done * 100) / j.total)).padStart(3)} %]`);
}

/**
 * Waits for `job` (a blockcommit or blockpull request, which answers when QEMU's job has ended);
 * with `verbose`, shows its progress meanwhile as virsh --verbose does (`\rBlock Commit: [ 42 %]`),
 * read with blockjob --info, which does not wait behind the job.
 */
export async function withProgress<T>(ctx: Context, verbose: boolean, client: VirtkitClient, domain: string, disk: string, job: Promise<T>): Promise<T> {
  if (!verbose) return job;
  let done = false;
  const poll = (async () => {
    while (!done) {
      const r = await client.blockJobs(domain, disk).catch(() => undefined);
      const line = r === undefined ? undefined : jobLines(r)[0];
      if (line !== undefined && !done) ctx.io.stdout(`\r${line}`);
      await new Promise((res) => setTimeout(res, 500));
    }
  })();
  try {
    return await job;
  } finally {
    done = true;
    await poll;
  }
}
