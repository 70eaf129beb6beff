/**
 * The storage bench's table: one row per measurement, medians per column
 * (tool alone, virtkit API, virtkit CLI, libvirt), the ratio the issue asks
 * for, and its target with PASS/MISS. Targets are reported, never enforced.
 */
import type { Samples } from './stats.js';

export interface StorageColumns {
  tool: Samples;
  api: Samples;
  cli: Samples;
  libvirt: Samples | undefined;
}

type Col = keyof StorageColumns;
type Ref = readonly [Col, string];

interface Row {
  label: string;
  unit: string;
  cells: Partial<Record<Col, string>>;
  ratio?: { text: string; of: readonly [Ref, Ref] };
  target?: { text: string; check: (c: StorageColumns) => boolean | undefined };
}

const med = (c: StorageColumns, [col, key]: Ref): number | undefined => c[col]?.get(key)?.median;

function rows(volumes: number, mib: number, vms: number): Row[] {
  const rate = (key: string, what: string): Row => ({
    label: `${what} ${mib} MiB (tool: cp / cp+sync)`, unit: 'MiB/s',
    cells: { tool: key === 'upload' ? 'copy' : 'copySync', api: key, cli: key, libvirt: key },
    ratio: { text: 'API/libvirt', of: [['api', key], ['libvirt', key]] },
    target: { text: 'API >= 1536 MiB/s', check: (c) => { const v = med(c, ['api', key]); return v === undefined ? undefined : v >= 1536; } },
  });
  return [
    {
      label: `vol-list --details, ${volumes} volumes`, unit: 'ms', cells: { api: 'volList', cli: 'volList', libvirt: 'volList' },
      ratio: { text: 'CLI/virsh', of: [['cli', 'volList'], ['libvirt', 'volList']] },
      target: { text: 'CLI <= 50 ms', check: (c) => { const v = med(c, ['cli', 'volList']); return v === undefined ? undefined : v <= 50; } },
    },
    {
      label: '  the same, CLI without its bundle (modules)', unit: 'ms', cells: { cli: 'volListModules' },
      ratio: { text: 'bundle/modules', of: [['cli', 'volList'], ['cli', 'volListModules']] },
    },
    { label: '  node -e \'\' (a bare node process)', unit: 'ms', cells: { cli: 'nodeStart' } },
    { label: '  virtkit version (CLI, one small API call)', unit: 'ms', cells: { cli: 'version' } },
    // qemu-img alone as the daemon runs it since stop 18 (exec'd by a process waiting for it) and as a shell
    // runs it (fork of a small process: 0.1-0.2 ms more here); the spawn from the bench's node adds its fork (docs/bench.md).
    {
      label: 'linked clone (API: vol-clone --linked)', unit: 'ms', cells: { tool: 'clonePrestarted', api: 'clone', libvirt: 'clone' },
      ratio: { text: 'API/qemu-img', of: [['api', 'clone'], ['tool', 'clonePrestarted']] },
      target: {
        text: 'API <= qemu-img + 1 ms',
        check: (c) => { const a = med(c, ['api', 'clone']); const t = med(c, ['tool', 'clonePrestarted']); return a === undefined || t === undefined ? undefined : a <= t + 1; },
      },
    },
    {
      label: '  qemu-img alone, spawned by node (its fork included)', unit: 'ms', cells: { tool: 'clone' },
      ratio: { text: 'API/this', of: [['api', 'clone'], ['tool', 'clone']] },
    },
    { label: '  API: vol with <backingStore> (vol-create-as)', unit: 'ms', cells: { api: 'cloneXml' }, ratio: { text: 'API/qemu-img', of: [['api', 'cloneXml'], ['tool', 'clonePrestarted']] } },
    {
      label: '  API: vol-clone --linked, V8 default flags', unit: 'ms', cells: { api: 'cloneV8Defaults' },
      ratio: { text: 'API/qemu-img', of: [['api', 'cloneV8Defaults'], ['tool', 'clonePrestarted']] },
    },
    {
      label: '  API: vol-clone --linked, the --clone-against build', unit: 'ms', cells: { api: 'cloneOther' },
      ratio: { text: 'other/this', of: [['api', 'cloneOther'], ['api', 'clone']] },
    },
    { label: '  linked clone, plan + qemu-img in process', unit: 'ms', cells: { api: 'clonePlan' }, ratio: { text: 'plan/qemu-img', of: [['api', 'clonePlan'], ['tool', 'clonePrestarted']] } },
    rate('upload', 'vol-upload'),
    {
      label: '  the same, streamed (API stream: true, CLI --stream)', unit: 'MiB/s', cells: { api: 'uploadStream', cli: 'uploadStream' },
      ratio: { text: 'API local/stream', of: [['api', 'upload'], ['api', 'uploadStream']] },
    },
    { label: `  cp ${mib} MiB + sync`, unit: 'MiB/s', cells: { tool: 'copySync' }, ratio: { text: 'API up/cp+sync', of: [['api', 'upload'], ['tool', 'copySync']] } },
    {
      label: '  bare node UNIX socket, 2 processes', unit: 'MiB/s', cells: { tool: 'socket' },
      ratio: { text: 'API down/socket', of: [['api', 'download'], ['tool', 'socket']] },
    },
    {
      label: '  ... into a file + fsync', unit: 'MiB/s', cells: { tool: 'socketFile' },
      ratio: { text: 'API up/socket+file', of: [['api', 'upload'], ['tool', 'socketFile']] },
    },
    rate('download', 'vol-download'),
    {
      label: '  the same, streamed (API stream: true, CLI --stream)', unit: 'MiB/s', cells: { api: 'downloadStream', cli: 'downloadStream' },
      ratio: { text: 'API local/stream', of: [['api', 'download'], ['api', 'downloadStream']] },
    },
    {
      label: `${vms} VM disks: linked (API) vs full (tool: qemu-img convert)`, unit: 'ms', cells: { tool: 'provisionFull', api: 'provisionLinked', libvirt: 'provisionLinked' },
      ratio: { text: 'full/linked', of: [['tool', 'provisionFull'], ['api', 'provisionLinked']] },
    },
    {
      label: `  bytes allocated by the ${vms} disks`, unit: 'MiB', cells: { tool: 'provisionFullMiB', api: 'provisionLinkedMiB', libvirt: 'provisionLinkedMiB' },
      ratio: { text: 'full/linked', of: [['tool', 'provisionFullMiB'], ['api', 'provisionLinkedMiB']] },
    },
    {
      label: 'qcow2 header: virtkit reader vs qemu-img info', unit: 'ms', cells: { tool: 'header', api: 'header' },
      ratio: { text: 'qemu-img/reader', of: [['tool', 'header'], ['api', 'header']] },
    },
  ];
}

const num = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

export function renderStorageTable(c: StorageColumns, volumes: number, mib: number, vms: number): string {
  const head = ['measurement', 'unit', 'tool', 'vk API', 'vk CLI', 'libvirt', 'ratio', 'target'];
  const body = rows(volumes, mib, vms).map((r) => {
    const cell = (col: Col): string => {
      const key = r.cells[col];
      if (key === undefined) return '';
      if (col === 'libvirt' && c.libvirt === undefined) return 'skipped';
      const s = c[col]?.get(key);
      return s === undefined ? '-' : `${num(s.median)} (${s.n})`;
    };
    let ratio = '';
    if (r.ratio) {
      const a = med(c, r.ratio.of[0]);
      const b = med(c, r.ratio.of[1]);
      ratio = a === undefined || b === undefined || b === 0 ? '' : `${r.ratio.text} ${(a / b).toFixed(2)}`;
    }
    const t = r.target?.check(c);
    const target = r.target ? `${r.target.text}: ${t === undefined ? '-' : t ? 'PASS' : 'MISS'}` : '';
    return [r.label, r.unit, cell('tool'), cell('api'), cell('cli'), cell('libvirt'), ratio, target];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((x, i) => (i === 0 ? x.padEnd(widths[i] ?? 0) : x.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
