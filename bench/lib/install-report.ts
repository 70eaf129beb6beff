/**
 * The install bench's table: per phase the median of virtkit's and libvirt's repetitions (with their
 * counts) and the ratio virtkit/libvirt; libvirt's cells say why when it was not run.
 */
import type { Samples } from './stats.js';

export interface InstallColumns {
  virtkit: Samples;
  libvirt: Samples | undefined;
}

const ROWS: readonly { key: string; label: string }[] = [
  { key: 'returned', label: 'install command returns' },
  { key: 'qemu', label: 'QEMU started (process seen)' },
  { key: 'lease', label: 'DHCP lease (in the network\'s leases)' },
  { key: 'qemuToLease', label: '  QEMU started -> lease (boot + DHCP)' },
  { key: 'marker', label: 'guest ready marker on the serial console' },
  { key: 'qemuToMarker', label: '  QEMU started -> marker (boot)' },
  { key: 'markerToLease', label: '  marker -> lease (DHCP)' },
  { key: 'firstReturned', label: 'first install after daemon start: returns' },
  { key: 'firstLease', label: 'first install after daemon start: lease' },
];

export interface InstallTableRow {
  row: string;
  unit: 'ms';
  virtkit: string;
  libvirt: string;
  ratio: string;
}

const num = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

export function installTableRows(c: InstallColumns): InstallTableRow[] {
  return ROWS.filter((r) => c.virtkit.get(r.key) !== undefined || c.libvirt?.get(r.key) !== undefined).map((r) => {
    const v = c.virtkit.get(r.key);
    const l = c.libvirt?.get(r.key);
    return {
      row: r.label, unit: 'ms',
      virtkit: v === undefined ? '' : `${num(v.median)} (${v.n})`,
      libvirt: c.libvirt === undefined ? 'not run' : l === undefined ? '' : `${num(l.median)} (${l.n})`,
      ratio: v === undefined || l === undefined || l.median === 0 ? '' : `${(v.median / l.median).toFixed(2)}x`,
    };
  });
}

export function renderInstallTable(c: InstallColumns): string {
  const head = ['row', 'unit', 'virtkit', 'libvirt', 'vk/libvirt'];
  const body = installTableRows(c).map((r) => [r.row, r.unit, r.virtkit, r.libvirt, r.ratio]);
  const lines = [`| ${head.join(' | ')} |`, '| --- | --- | --: | --: | --: |'];
  for (const b of body) lines.push(`| ${b.join(' | ')} |`);
  return lines.join('\n');
}
