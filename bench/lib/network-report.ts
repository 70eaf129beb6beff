/**
 * The network bench's table: medians of virtkit's API and CLI beside libvirt's, the ratio API/libvirt
 * the issue asks for and its targets with PASS/MISS. libvirt's column is measured in the same run
 * (API-level through a virsh shell, and whole virsh processes) where the bench could start libvirt;
 * otherwise it holds the figures issue 8 measured with Debian's libvirt 9.0 on this machine.
 */
import type { Samples } from './stats.js';

export interface NetworkColumns {
  api: Samples;
  cli: Samples;
  /** libvirt measured in this run (`api`: its virsh shell, `virsh`: whole processes); absent: the issue's figures. */
  libvirt?: { api: Samples; virsh: Samples };
}

interface Row {
  label: string;
  unit: string;
  key: string;
  cli?: boolean;
  /** libvirt's figure from issue 8, in `unit`. */
  issue?: number;
  target?: { text: string; ok: (api: number) => boolean };
}

const med = (s: Samples | undefined, k: string): number | undefined => s?.get(k)?.median;

function rows(plugCount: number, mib: number): Row[] {
  return [
    { label: 'net-start, NAT network', unit: 'ms', key: 'netStart', cli: true, issue: 89, target: { text: 'API <= 20 ms', ok: (v) => v <= 20 } },
    { label: 'net-destroy', unit: 'ms', key: 'netDestroy', cli: true, issue: 399, target: { text: 'API <= 30 ms', ok: (v) => v <= 30 } },
    { label: 'guest start -> marker (boot)', unit: 'ms', key: 'boot' },
    { label: 'guest start -> DHCP lease', unit: 'ms', key: 'lease', issue: 7750 },
    { label: '  lease / boot (per guest)', unit: 'x', key: 'leaseOverBoot', target: { text: 'lease <= boot + 5%', ok: (v) => v <= 1.05 } },
    { label: 'attach-interface (live)', unit: 'ms', key: 'attach', issue: 15, target: { text: 'API <= 10 ms', ok: (v) => v <= 10 } },
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

const cell = (s: Samples | undefined, key: string, unit: string): string => {
  const v = med(s, key);
  return v === undefined ? '' : `${fmt(v, unit)} (${s?.get(key)?.n ?? 0})`;
};

export function networkTableRows(c: NetworkColumns, plugCount: number, mib: number): Record<string, string>[] {
  const lv = c.libvirt;
  return rows(plugCount, mib).filter((r) => c.api.get(r.key) !== undefined || lv?.api.get(r.key) !== undefined).map((r) => {
    const api = med(c.api, r.key);
    const other = lv === undefined ? r.issue : med(lv.api, r.key);
    const ok = api === undefined || r.target === undefined ? undefined : r.target.ok(api);
    return {
      row: r.label, unit: r.unit, api: cell(c.api, r.key, r.unit), cli: r.cli === true ? cell(c.cli, r.key, r.unit) : '',
      libvirt: lv === undefined ? fmt(r.issue, r.unit) : cell(lv.api, r.key, r.unit),
      virsh: lv !== undefined && r.cli === true ? cell(lv.virsh, r.key, r.unit) : '',
      'vk/libvirt': other === undefined || api === undefined || r.unit === 'x' ? '' : `${(api / other).toFixed(2)}x`,
      target: r.target?.text ?? '', '': ok === undefined ? '' : ok ? 'PASS' : 'MISS',
    };
  });
}

export function renderNetworkTable(c: NetworkColumns, plugCount: number, mib: number): string {
  const body = networkTableRows(c, plugCount, mib);
  const measured = c.libvirt !== undefined;
  const head = ['row', 'unit', 'api', 'cli', 'libvirt', ...(measured ? ['virsh'] : []), 'vk/libvirt', 'target', ''];
  const titles = ['row', 'unit', 'virtkit API', 'virtkit CLI', ...(measured ? ['libvirt API', 'libvirt virsh'] : ['libvirt (issue)']), 'API/libvirt', 'target', ''];
  const lines = [`| ${titles.join(' | ')} |`, `| ${head.map((h) => (['row', 'unit', 'target', ''].includes(h) ? '---' : '--:')).join(' | ')} |`];
  for (const r of body) lines.push(`| ${head.map((h) => (r[h] ?? '').replace(/\|/g, '\\|')).join(' | ')} |`);
  return lines.join('\n');
}
