/**
 * The host CPU's identity from /proc/cpuinfo (its first processor), for the capabilities'
 * `<cpu>`: vendor (as libvirt's cpu map names it), family, model, stepping and microcode. The
 * parser is pure and tested on captured text; the reader takes a root tests point at a fake tree.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostCpuId } from '../core/qemu/host-caps/host-xml.js';

/** libvirt's x86 vendors (cpu_map/x86_vendors.xml) by CPUID vendor string. */
const VENDORS: Readonly<Record<string, string>> = { GenuineIntel: 'Intel', AuthenticAMD: 'AMD', HygonGenuine: 'Hygon' };

export function parseCpuinfo(text: string): HostCpuId | undefined {
  const first = text.split(/\n\s*\n/)[0] ?? '';
  const field = (name: string): string | undefined => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(first)?.[1]?.trim();
  const int = (s: string | undefined): number | undefined => (s !== undefined && /^(0x[0-9a-f]+|\d+)$/i.test(s) ? Number(s) : undefined);
  const family = int(field('cpu family'));
  const model = int(field('model'));
  const stepping = int(field('stepping'));
  const vendor = VENDORS[field('vendor_id') ?? ''];
  const microcode = int(field('microcode'));
  if (vendor === undefined && family === undefined) return undefined;
  return {
    ...(vendor === undefined ? {} : { vendor }),
    ...(family === undefined || model === undefined || stepping === undefined ? {} : { signature: { family, model, stepping } }),
    ...(microcode === undefined ? {} : { microcode }),
  };
}

export async function readCpuId(root: string): Promise<HostCpuId | undefined> {
  const text = await readFile(join(root, 'proc/cpuinfo'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseCpuinfo(text);
}
