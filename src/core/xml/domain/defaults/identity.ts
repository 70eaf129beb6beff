/**
 * Identity defaults: the domain UUID (random version 4, as libvirt's
 * virUUIDGenerate) and interface MAC addresses (52:54:00 + 3 random bytes,
 * libvirt's virDomainNetGenerateMAC with the QEMU prefix), plus the <os>
 * fields libvirt fills (arch, machine). Randomness only comes from ctx.random.
 */
import type { DomainDef, PrepareContext } from './types.js';

function bytes(ctx: PrepareContext, n: number): Uint8Array {
  const b = ctx.random(n);
  if (b.length < n) throw new Error(`ctx.random(${n}) returned ${b.length} bytes`);
  return Uint8Array.from(b.subarray(0, n));
}

const h2 = (n: number): string => n.toString(16).padStart(2, '0');

export function generateUuid(ctx: PrepareContext): string {
  const b = bytes(ctx, 16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const s = Array.from(b, h2).join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

export const QEMU_MAC_PREFIX = '52:54:00';

/** A MAC in the QEMU range that is not in `taken` (lower case, colon separated). */
export function generateMac(ctx: PrepareContext, taken: ReadonlySet<string>): string {
  for (let attempt = 0; attempt < 64; attempt++) {
    const mac = `${QEMU_MAC_PREFIX}:${Array.from(bytes(ctx, 3), h2).join(':')}`;
    if (!taken.has(mac)) return mac;
  }
  throw new Error('ctx.random keeps producing MAC addresses already in use');
}

/** uuid, os arch/machine/type, and a MAC for each interface without one. */
export function fillIdentity(def: DomainDef, ctx: PrepareContext): void {
  if (def.uuid === undefined) def.uuid = generateUuid(ctx);
  const os = (def.os ??= {});
  const type = (os.type ??= { value: 'hvm' });
  if (type.arch === undefined) type.arch = ctx.caps?.arch ?? 'x86_64';
  // libvirt keeps the machine alias as written ('pc', 'q35'); it only fills a missing one.
  if (type.machine === undefined) type.machine = ctx.caps?.defaultMachine ?? 'pc';

  const nets = def.devices?.interface ?? [];
  const taken = new Set(nets.flatMap((n) => (n.mac ? [n.mac.address.toLowerCase()] : [])));
  for (const n of nets) {
    if (n.mac) continue;
    const address = generateMac(ctx, taken);
    taken.add(address);
    n.mac = { address };
  }
}
