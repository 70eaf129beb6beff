/**
 * The network bench's table: medians of virtkit's API and CLI, libvirt's figures (measured by
 * the issue on this machine with Debian's libvirt 9.0: this bench does not run libvirt's network
 * driver, see docs/bench.md), the ratio the issue asks for and its target with PASS/MISS.
 */
import type { Samples } from './stats.js';

export interface NetworkColumns {
  api: Samples;
  cli: Samples;
}

interface Row {
  label: string;
  unit: string;
  key: string;
  cli?: boolean;
  /** libvirt's figure from issue 8, in `unit`. */
  libvirt?: number;
  target?: { text: string; ok: (api: number, c: NetworkColumns) => boolean | undefined };
}

const med = (s: Samples, k: string): number | undefined => s.get(k)?.median;

function rows(plugCount: number, mib: number): Row[] {
  return [
    { label: 'net-start, NAT network', unit: 'ms', key: 'netStart', cli: true, libvirt: 89, target: { text: 'API <= 20 ms', ok: (v) => v <= 20 } },
    { label: 'net-destroy', unit: 'ms', key: 'netDestroy', cli: true, libvirt: 399, target: { text: 'API <= 30 ms', ok: (v) => v <= 30 } },
    { label: 'guest start -> marker (boot)', unit: 'ms', key: 'boot' },
    { label: 'guest start -> DHCP lease', unit: 'ms', key: 'lease', libvirt: 7750 },
    {
      label: '  lease / boot (per guest)', unit: 'x', key: 'leaseOverBoot',
      target: { text: 'lease <= boot + 5%', ok: (v) => v <= 1.05 },
    },
    { label: 'attach-interface (live)', unit: 'ms', key: 'attach', libvirt: 15, target: { text: 'API <= 10 ms', ok: (v) => v <= 10 } },
    { label: 'detach-interface (live, guest ejects)', unit: 'ms', key: 'detach' },
    { label: `plug ${plugCount} NICs, total`, unit: 'ms', key: 'plugTotal' },
    { label: '  per NIC', unit: 'ms', key: 'plugEach' },
    { label: `unplug ${plugCount} NICs, total`, unit: 'ms', key: 'unplugTotal' },
    { label: '  per NIC', unit: 'ms', key: 'unplugEach' },
    { label: `guest -> guest, ${mib} MiB (dd | nc)`, unit: 'MiB/s', key: 'throughput' },
  ];
}

const fmt = (v: number | undefined, unit: string): string => {
  if (v === undefined) return '';
  if (unit === 'x') return `${v.toFixed(3)}x`;
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
};

export function networkTableRows(c: NetworkColumns, plugCount: number, mib: number): Record<string, string>[] {
  return rows(plugCount, mib).filter((r) => c.api.get(r.key) !== undefined).map((r) => {
    const api = med(c.api, r.key);
    const cli = r.cli === true ? med(c.cli, r.key) : undefined;
    const n = c.api.get(r.key)?.n ?? 0;
    const ok = api === undefined || r.target === undefined ? undefined : r.target.ok(api, c);
    return {
      row: r.label, unit: r.unit, api: `${fmt(api, r.unit)} (${n})`, cli: cli === undefined ? '' : `${fmt(cli, r.unit)} (${c.cli.get(r.key)?.n ?? 0})`,
      libvirt: r.libvirt === undefined ? '' : fmt(r.libvirt, r.unit),
      'vk/libvirt': r.libvirt === undefined || api === undefined ? '' : `${(api / r.libvirt).toFixed(2)}x`,
      target: r.target?.text ?? '', '': ok === undefined ? '' : ok ? 'PASS' : 'MISS',
    };
  });
}

export function renderNetworkTable(c: NetworkColumns, plugCount: number, mib: number): string {
  const body = networkTableRows(c, plugCount, mib);
  const head = ['row', 'unit', 'api', 'cli', 'libvirt', 'vk/libvirt', 'target', ''];
  const titles = ['row', 'unit', 'virtkit API', 'virtkit CLI', 'libvirt (issue)', 'API/libvirt', 'target', ''];
  const lines = [`| ${titles.join(' | ')} |`, `| ${head.map((h, i) => (i < 2 || i > 5 ? '---' : '--:')).join(' | ')} |`];
  for (const r of body) lines.push(`| ${head.map((h) => r[h] ?? '').join(' | ')} |`);
  return lines.join('\n');
}
