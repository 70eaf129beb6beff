/**
 * The virt-install reference cases (shared/reference/virt-install-cases: virt-install 4.1's output for
 * command lines, see its README) and the oracle host they ran on, as HostFacts. Found through shared-cases.ts's
 * sharedDir(); absent -> the suite skips with the reason (or fails with VIRTKIT_REQUIRE_SHARED=1).
 */
import { openSync, readFileSync, readSync, closeSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HostFacts } from '../../src/core/install/types.js';
import { probeImageFormat } from '../../src/core/storage/image-probe.js';
import { sharedDir, sharedRequired } from './shared-cases.js';

/** Where the cases' files lived on the oracle host; tests rewrite it to the real files/ folder. */
export const ORACLE_FILES = '/srv/virtinst-cases/';

export interface VirtInstallCase {
  name: string;
  /** argv with the files/ prefix rewritten; `--connect URI` dropped. */
  argv: string[];
  /** Expected domain documents (rewritten), or null for an error case. */
  xml: string[] | null;
  /** Expected error message (without virt-install's `ERROR    ` prefix), or null. */
  err: string | null;
}

export const virtInstallCasesDir = (): string => join(sharedDir(), 'reference', 'virt-install-cases');
export const filesDir = (): string => join(virtInstallCasesDir(), 'files');

function missing(): string | undefined {
  const f = join(virtInstallCasesDir(), 'README.md');
  if (existsSync(f)) return undefined;
  return `virt-install reference cases not found: no ${f}; put the shared/ folder beside the repository or set VIRTKIT_SHARED to it (docs/testing.md)`;
}

/** describe() options: skip with the reason when the cases are absent (unless VIRTKIT_REQUIRE_SHARED=1). */
export function needsVirtInstallCases(): { skip?: string } {
  const m = missing();
  return m === undefined || sharedRequired() ? {} : { skip: m };
}

export function loadVirtInstallCases(): VirtInstallCase[] {
  const m = missing();
  if (m !== undefined) throw new Error(m);
  const dir = virtInstallCasesDir();
  const files = `${filesDir()}/`;
  const rewrite = (s: string): string => s.split(ORACLE_FILES).join(files);
  return readdirSync(dir).filter((n) => n.endsWith('.cmd')).sort().map((n) => {
    const name = n.slice(0, -4);
    const lines = readFileSync(join(dir, n), 'utf8').split('\n').filter((l) => l !== '');
    const argv: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] === '--connect') i++;
      else argv.push(rewrite(lines[i] ?? ''));
    }
    const xmlFile = join(dir, `${name}.xml`);
    const errFile = join(dir, `${name}.err`);
    const xml = existsSync(xmlFile) ? rewrite(readFileSync(xmlFile, 'utf8')).split(/(?=<domain[ >])/).map((d) => d.trim()).filter((d) => d !== '') : null;
    const err = existsSync(errFile) ? readFileSync(errFile, 'utf8').replace(/^ERROR {4}/, '').trimEnd() : null;
    return { name, argv, xml, err };
  });
}

/** Format and capacity of an image file, from its header (qcow2) or its size (raw). */
function probe(path: string): { format: string; capacity: number } {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(512);
    readSync(fd, head, 0, 512, 0);
    const format = probeImageFormat(head) ?? 'raw';
    const capacity = format === 'qcow2' ? Number(head.readBigUInt64BE(24)) : statSync(path).size;
    return { format, capacity };
  } finally {
    closeSync(fd);
  }
}

/** The host the cases ran on (the cases' README), with files/ as the pools virt-install made for it. */
export function oracleHost(): HostFacts {
  const files = filesDir();
  const volumes: HostFacts['volumes'] = [
    { pool: 'default', name: 'base.qcow2', path: '/var/lib/libvirt/images/base.qcow2', format: 'qcow2', capacity: 1024 ** 3 },
  ];
  for (const [pool, dir] of [['virtinst-cases', files], ['disks', join(files, 'disks')]] as const) {
    for (const n of readdirSync(dir)) {
      const p = join(dir, n);
      if (statSync(p).isFile()) volumes.push({ pool, name: n, path: p, ...probe(p) });
    }
  }
  return {
    emulator: '/usr/bin/qemu-system-x86_64',
    arch: 'x86_64',
    machines: ['pc-i440fx-7.2', 'pc', 'pc-q35-7.2', 'q35'],
    machineAliases: { pc: 'pc-i440fx-7.2', q35: 'pc-q35-7.2' },
    virtTypes: ['qemu'],
    pools: [
      { name: 'default', type: 'dir', path: '/var/lib/libvirt/images', active: true },
      { name: 'virtinst-cases', type: 'dir', path: files, active: true },
      { name: 'disks', type: 'dir', path: join(files, 'disks'), active: true },
    ],
    volumes,
    networks: [{ name: 'default', active: true }],
    firmware: [{ code: '/usr/share/OVMF/OVMF_CODE_4M.fd', varsTemplate: '/usr/share/OVMF/OVMF_VARS_4M.fd', features: ['acpi-s3', 'amd-sev', 'verbose-dynamic'] }],
    bootDir: '/var/lib/libvirt/boot',
    spice: true,
  };
}
