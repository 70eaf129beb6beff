/** libvirt's scaled integers: <memory unit='GiB'>4</memory> and friends. */
const UNIT_FACTORS: Record<string, number> = {
  b: 1,
  bytes: 1,
  KB: 1000,
  k: 1024,
  K: 1024,
  KiB: 1024,
  MB: 1000 ** 2,
  m: 1024 ** 2,
  M: 1024 ** 2,
  MiB: 1024 ** 2,
  GB: 1000 ** 3,
  g: 1024 ** 3,
  G: 1024 ** 3,
  GiB: 1024 ** 3,
  TB: 1000 ** 4,
  t: 1024 ** 4,
  T: 1024 ** 4,
  TiB: 1024 ** 4,
  PB: 1000 ** 5,
  p: 1024 ** 5,
  P: 1024 ** 5,
  PiB: 1024 ** 5,
  EB: 1000 ** 6,
  e: 1024 ** 6,
  E: 1024 ** 6,
  EiB: 1024 ** 6,
};

export type OutUnit = 'bytes' | 'KiB';

export function unitFactor(unit: string): number | undefined {
  return UNIT_FACTORS[unit];
}

/** Converts value*unit into `out` units; throws Error with a reason on bad input or non-integral results. */
export function scaleToUnit(value: number, unit: string, out: OutUnit): number {
  const f = unitFactor(unit);
  if (f === undefined) throw new Error(`unknown unit '${unit}' (use b, KiB, MiB, GiB, TiB, KB, MB, GB...)`);
  const bytes = value * f;
  if (!Number.isSafeInteger(bytes)) throw new Error('is too large');
  if (out === 'bytes') return bytes;
  // libvirt rounds byte values up to whole KiB.
  return Math.ceil(bytes / 1024);
}
