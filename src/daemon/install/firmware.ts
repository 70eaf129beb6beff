/**
 * QEMU's firmware descriptors (docs/interop/firmware.json in QEMU; Debian's ovmf installs them in
 * /usr/share/qemu/firmware), read as libvirt reads them for --boot uefi: the files of every
 * directory by name, a name in an earlier directory (/etc) hiding the same name in a later one,
 * in name order (the numeric prefix is the priority). A descriptor that does not parse or maps
 * no file is skipped; a missing directory is an empty one.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostFacts } from '../../core/install/types.js';

export const FIRMWARE_DIRS: readonly string[] = ['/etc/qemu/firmware', '/usr/share/qemu/firmware'];

type Firmware = HostFacts['firmware'][number];

interface Descriptor {
  'interface-types'?: unknown;
  mapping?: { device?: unknown; executable?: { filename?: unknown }; 'nvram-template'?: { filename?: unknown }; filename?: unknown };
  features?: unknown;
  targets?: unknown;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** One descriptor's code and vars template, with its interface types and targets folded into `features`. */
export function parseFirmwareDescriptor(text: string): Firmware | undefined {
  let d: Descriptor;
  try {
    d = JSON.parse(text) as Descriptor;
  } catch {
    return undefined;
  }
  const m = d.mapping;
  const code = m?.device === 'memory' ? m.filename : m?.executable?.filename;
  if (typeof code !== 'string') return undefined;
  const vars = m?.['nvram-template']?.filename;
  const targets = Array.isArray(d.targets) ? (d.targets as Array<{ architecture?: unknown; machines?: unknown }>) : [];
  return {
    code,
    varsTemplate: typeof vars === 'string' ? vars : null,
    features: [
      ...strings(d['interface-types']).map((t) => `interface:${t}`),
      ...targets.flatMap((t) => strings(t.machines).map((mc) => `target:${String(t.architecture)}:${mc}`)),
      ...strings(d.features),
    ],
  };
}

export async function readFirmwareDescriptors(dirs: readonly string[] = FIRMWARE_DIRS): Promise<Firmware[]> {
  const byName = new Map<string, string>();
  for (const dir of dirs) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const n of names) if (n.endsWith('.json') && !byName.has(n)) byName.set(n, join(dir, n));
  }
  const out: Firmware[] = [];
  for (const n of [...byName.keys()].sort()) {
    const text = await readFile(byName.get(n) ?? '', 'utf8').catch(() => undefined);
    const fw = text === undefined ? undefined : parseFirmwareDescriptor(text);
    if (fw) out.push(fw);
  }
  return out;
}
