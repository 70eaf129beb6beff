/**
 * The lifecycle bench's table: one row per measurement, medians per column,
 * the ratios virtkit/bare QEMU and virtkit/libvirt, and the targets
 * with PASS/MISS. Targets are reported, never enforced.
 */
import type { Samples, Summary } from './stats.js';

export interface Columns {
  bare: Samples;
  api: Samples;
  cli: Samples;
  libvirt: Samples | undefined;
}

type Col = keyof Columns;
type Ref = readonly [Col, string];

interface Target {
  text: string;
  /** PASS/MISS, or undefined when a value is missing. */
  check(c: Columns): boolean | undefined;
}

interface Row {
  label: string;
  unit: 'ms' | 'MiB';
  cells: Partial<Record<Col, string>>;
  /** virtkit's value and what it is divided by, for the two ratio columns. */
  vsBare?: readonly [Ref, Ref];
  vsLibvirt?: readonly [Ref, Ref];
  target?: Target;
}

const med = (c: Columns, [col, key]: Ref): number | undefined => c[col]?.get(key)?.median;

const lt = (a: Ref, factor: number, b: Ref | number, text: string): Target => ({
  text,
  check: (c) => {
    const x = med(c, a);
    const y = typeof b === 'number' ? b : med(c, b);
    return x === undefined || y === undefined ? undefined : x < factor * y;
  },
});

function rows(sizes: number[], concurrent: number): Row[] {
  const big = Math.max(...sizes);
  const list: Row[] = sizes.map((n) => ({
    label: `list --all, ${n} domain${n === 1 ? '' : 's'}`, unit: 'ms',
    cells: { api: `list${n}`, cli: `list${n}`, libvirt: `list${n}` },
    vsLibvirt: [['cli', `list${n}`], ['libvirt', `list${n}`]],
    ...(n === big ? { target: lt(['cli', `list${n}`], 1, ['libvirt', `list${n}`], 'CLI < virsh') } : {}),
  }));
  return [
    { label: 'define', unit: 'ms', cells: { api: 'define', cli: 'define', libvirt: 'define' }, vsLibvirt: [['cli', 'define'], ['libvirt', 'define']] },
    {
      label: 'start returns (bare: exec -> QMP ready)', unit: 'ms', cells: { bare: 'qmpReady', api: 'start', cli: 'start', libvirt: 'start' },
      vsBare: [['api', 'start'], ['bare', 'qmpReady']], vsLibvirt: [['cli', 'start'], ['libvirt', 'start']],
      target: lt(['api', 'start'], 2, ['bare', 'qmpReady'], 'API <= 2x bare QMP ready'),
    },
    {
      label: 'first start after daemon start', unit: 'ms', cells: { api: 'startFirst', libvirt: 'startFirst' },
      vsLibvirt: [['api', 'startFirst'], ['libvirt', 'startFirst']],
    },
    {
      label: 'start -> guest marker (bare: exec ->)', unit: 'ms', cells: { bare: 'marker', api: 'marker', cli: 'marker', libvirt: 'marker' },
      vsBare: [['api', 'marker'], ['bare', 'marker']], vsLibvirt: [['cli', 'marker'], ['libvirt', 'marker']],
      target: lt(['api', 'marker'], 1.05, ['bare', 'marker'], 'API <= bare + 5%'),
    },
    {
      label: 'destroy (bare: SIGKILL -> QMP closed)', unit: 'ms', cells: { bare: 'killGone', api: 'destroy', cli: 'destroy', libvirt: 'destroy' },
      vsBare: [['api', 'destroy'], ['bare', 'killGone']], vsLibvirt: [['cli', 'destroy'], ['libvirt', 'destroy']],
      target: lt(['api', 'destroy'], 1, 30, 'API < 30 ms'),
    },
    { label: 'bare: quit -> QMP closed', unit: 'ms', cells: { bare: 'quitGone' } },
    { label: 'bare: quit -> child reaped', unit: 'ms', cells: { bare: 'quitReaped' } },
    ...list,
    { label: 'dumpxml', unit: 'ms', cells: { api: 'dumpxml', cli: 'dumpxml', libvirt: 'dumpxml' }, vsLibvirt: [['cli', 'dumpxml'], ['libvirt', 'dumpxml']] },
    {
      label: `${concurrent} concurrent starts -> all markers`, unit: 'ms', cells: { bare: 'concurrentAll', api: 'concurrentAll', libvirt: 'concurrentAll' },
      vsBare: [['api', 'concurrentAll'], ['bare', 'concurrentAll']], vsLibvirt: [['api', 'concurrentAll'], ['libvirt', 'concurrentAll']],
    },
    {
      label: `${concurrent} concurrent: slowest start return`, unit: 'ms', cells: { api: 'concurrentStartMax', libvirt: 'concurrentStartMax' },
      vsLibvirt: [['api', 'concurrentStartMax'], ['libvirt', 'concurrentStartMax']],
    },
    {
      label: 'daemon RSS idle, after the runs', unit: 'MiB', cells: { api: 'rssIdle', libvirt: 'rssIdle' },
      vsLibvirt: [['api', 'rssIdle'], ['libvirt', 'rssIdle']], target: lt(['api', 'rssIdle'], 1, 60, '< 60 MiB'),
    },
    {
      label: 'daemon RSS, fresh, after a list', unit: 'MiB', cells: { api: 'rssreadyEmpty', libvirt: 'rssreadyEmpty' },
      vsLibvirt: [['api', 'rssreadyEmpty'], ['libvirt', 'rssreadyEmpty']],
    },
    { label: 'daemon RSS, fresh, driver loaded', unit: 'MiB', cells: { api: 'rssreadyEmptyHost' } },
    {
      label: `daemon RSS, ${concurrent} guests running`, unit: 'MiB', cells: { api: 'rssRunning', libvirt: 'rssRunning' },
      vsLibvirt: [['api', 'rssRunning'], ['libvirt', 'rssRunning']],
    },
    {
      label: `daemon RSS, ${big} domains, after a list`, unit: 'MiB', cells: { api: 'rssreadyFull', libvirt: 'rssreadyFull' },
      vsLibvirt: [['api', 'rssreadyFull'], ['libvirt', 'rssreadyFull']],
    },
    { label: `daemon RSS, ${big} domains, driver loaded`, unit: 'MiB', cells: { api: 'rssreadyFullHost' } },
    {
      label: `daemon ready, ${big} domains (list answered)`, unit: 'ms', cells: { api: 'readyFull', libvirt: 'readyFull' },
      vsLibvirt: [['api', 'readyFull'], ['libvirt', 'readyFull']], target: lt(['api', 'readyFull'], 1, 300, '< 300 ms'),
    },
    { label: `daemon ready, ${big} domains: socket accepts`, unit: 'ms', cells: { api: 'readyFullSocket' } },
    { label: `daemon ready, ${big} domains: /v1/host answered`, unit: 'ms', cells: { api: 'readyFullHost' } },
    {
      label: 'daemon ready, no domains (list answered)', unit: 'ms', cells: { api: 'readyEmpty', libvirt: 'readyEmpty' },
      vsLibvirt: [['api', 'readyEmpty'], ['libvirt', 'readyEmpty']],
    },
    { label: 'daemon ready, no domains: /v1/host answered', unit: 'ms', cells: { api: 'readyEmptyHost' } },
  ];
}

const fmt = (s: Summary | undefined, unit: string): string => {
  if (s === undefined) return '-';
  const d = s.median >= 100 || unit === 'MiB' ? 0 : 1;
  return s.n > 1 ? `${s.median.toFixed(d)} (${s.n})` : s.median.toFixed(d);
};

const ratio = (c: Columns, r: readonly [Ref, Ref] | undefined): string => {
  if (!r) return '';
  const a = med(c, r[0]);
  const b = med(c, r[1]);
  return a === undefined || b === undefined || b === 0 ? '-' : `${(a / b).toFixed(2)}x`;
};

export interface TableRow {
  label: string;
  unit: string;
  bare?: number;
  api?: number;
  cli?: number;
  libvirt?: number;
  vsBare?: string;
  vsLibvirt?: string;
  target?: string;
  result?: 'PASS' | 'MISS' | 'n/a';
}

export function tableRows(c: Columns, sizes: number[], concurrent: number): TableRow[] {
  return rows(sizes, concurrent).map((r) => {
    const out: TableRow = { label: r.label, unit: r.unit };
    for (const col of ['bare', 'api', 'cli', 'libvirt'] as const) {
      const key = r.cells[col];
      const v = key === undefined ? undefined : c[col]?.get(key)?.median;
      if (v !== undefined) out[col] = Math.round(v * 10) / 10;
    }
    if (r.vsBare) out.vsBare = ratio(c, r.vsBare);
    if (r.vsLibvirt) out.vsLibvirt = ratio(c, r.vsLibvirt);
    if (r.target) {
      out.target = r.target.text;
      const ok = r.target.check(c);
      out.result = ok === undefined ? 'n/a' : ok ? 'PASS' : 'MISS';
    }
    return out;
  });
}

export function renderTable(c: Columns, sizes: number[], concurrent: number): string {
  const head = ['', 'unit', 'bare QEMU', 'virtkit API', 'virtkit CLI', 'libvirt virsh', 'API/bare', 'vk/libvirt', 'target', ''];
  const body = rows(sizes, concurrent).map((r) => {
    const cell = (col: Col): string => (r.cells[col] === undefined ? '' : fmt(c[col]?.get(r.cells[col] as string), r.unit));
    const ok = r.target?.check(c);
    return [r.label, r.unit, cell('bare'), cell('api'), cell('cli'), c.libvirt ? cell('libvirt') : 'skipped',
      ratio(c, r.vsBare), c.libvirt ? ratio(c, r.vsLibvirt) : '', r.target?.text ?? '',
      r.target ? (ok === undefined ? 'n/a' : ok ? 'PASS' : 'MISS') : ''];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((x, i) => (i === 0 ? x.padEnd(widths[i] ?? 0) : x.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(head), ...body.map(line)].join('\n');
}
