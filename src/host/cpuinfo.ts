/**
 * The host CPU's identity from /proc/cpuinfo (its first processor), for the capabilities'
 * `<cpu>`: vendor (as libvirt's cpu map names it), family, model, stepping, microcode and the
 * flags (Linux's names: core/qemu/cpu-model/names.ts turns them into libvirt's). The
 * parser is pure and tested on captured text; the reader takes a root tests point at a fake tree.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CPU_VENDORS as VENDORS } from '../core/qemu/cpu-model/names.js';
import type { HostCpuId } from '../core/qemu/host-caps/host-xml.js';

export function parseCpuinfo(text: string): HostCpuId | undefined {
  const first = text.split(/\n\s*\n/)[0] ?? '';
  const field = (name: string): string | undefined => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(first)?.[1]?.trim();
  const int = (s: string | undefined): number | undefined => (s !== undefined && /^(0x[0-9a-f]+|\d+)$/i.test(s) ? Number(s) : undefined);
  const family = int(field('cpu family'));
  const model = int(field('model'));
  const stepping = int(field('stepping'));
  const vendor = VENDORS[field('vendor_id') ?? ''];
  const microcode = int(field('microcode'));
  const flags = (field('flags') ?? '').split(/\s+/).filter((f) => f !== '');
  if (vendor === undefined && family === undefined) return undefined;
  return {
    ...(vendor === undefined ? {} : { vendor }),
    ...(family === undefined || model === undefined || stepping === undefined ? {} : { signature: { family, model, stepping } }),
    ...(microcode === undefined ? {} : { microcode }),
    ...(flags.length === 0 ? {} : { flags }),
  };
}

export async function readCpuId(root: string): Promise<HostCpuId | undefined> {
  const text = await readFile(join(root, 'proc/cpuinfo'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseCpuinfo(text);
}
