/** Samples -> median (and spread) for the lifecycle bench's table. */

export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function summarise(samples: readonly number[]): Summary | undefined {
  if (samples.length === 0) return undefined;
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { median, min: s[0] as number, max: s[s.length - 1] as number, n: s.length };
}

/** Named sample lists of one side (bare QEMU, virtkit API, ...). */
export class Samples {
  readonly #m = new Map<string, number[]>();

  add(key: string, value: number): void {
    const l = this.#m.get(key);
    if (l) l.push(value);
    else this.#m.set(key, [value]);
  }

  get(key: string): Summary | undefined {
    return summarise(this.#m.get(key) ?? []);
  }

  keys(): string[] {
    return [...this.#m.keys()];
  }

  toJSON(): Record<string, Summary & { samples: number[] }> {
    const out: Record<string, Summary & { samples: number[] }> = {};
    for (const [k, v] of this.#m) {
      const s = summarise(v);
      if (s) out[k] = { ...s, samples: v.map((x) => Math.round(x * 100) / 100) };
    }
    return out;
  }
}

/** Times `fn` `n` times into `samples[key]`. */
export async function repeat(samples: Samples, key: string, n: number, fn: (i: number) => Promise<number | void>): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = await fn(i);
    samples.add(key, typeof r === 'number' ? r : performance.now() - t0);
  }
}
