/**
 * Value types for XML attributes and text: each parses a string into a typed
 * value (throwing a plain Error with the reason) and formats it back.
 */
export interface ValueType<T> {
  readonly describe: string;
  parse(raw: string): T;
  format(v: T): string;
}

export const str: ValueType<string> = { describe: 'a string', parse: (s) => s, format: (v) => v };

/** Non-empty string without surrounding blanks (names, paths). */
export const token: ValueType<string> = {
  describe: 'a non-empty string',
  parse: (s) => {
    if (s.trim() === '') throw new Error('must not be empty');
    return s;
  },
  format: (v) => v,
};

const DEC = /^[0-9]+$/;
const HEX = /^0[xX][0-9a-fA-F]+$/;

export const uint: ValueType<number> = {
  describe: 'a non-negative integer',
  parse: (s) => {
    const t = s.trim();
    if (!DEC.test(t) && !HEX.test(t)) throw new Error('is not a non-negative integer');
    const n = Number(t);
    if (!Number.isSafeInteger(n)) throw new Error('is too large');
    return n;
  },
  format: (v) => String(v),
};

export const int: ValueType<number> = {
  describe: 'an integer',
  parse: (s) => {
    const t = s.trim();
    if (!/^-?[0-9]+$/.test(t)) throw new Error('is not an integer');
    const n = Number(t);
    if (!Number.isSafeInteger(n)) throw new Error('is too large');
    return n;
  },
  format: (v) => String(v),
};

/** Integers written in hex the way libvirt formats addresses (0x00, 0x0000). */
export function hex(width: number): ValueType<number> {
  return {
    describe: 'an integer (decimal or 0x-hex)',
    parse: uint.parse,
    format: (v) => '0x' + v.toString(16).padStart(width, '0'),
  };
}

export const yesNo: ValueType<boolean> = {
  describe: "'yes' or 'no'",
  parse: (s) => {
    if (s === 'yes') return true;
    if (s === 'no') return false;
    throw new Error("must be 'yes' or 'no'");
  },
  format: (v) => (v ? 'yes' : 'no'),
};

export const onOff: ValueType<boolean> = {
  describe: "'on' or 'off'",
  parse: (s) => {
    if (s === 'on') return true;
    if (s === 'off') return false;
    throw new Error("must be 'on' or 'off'");
  },
  format: (v) => (v ? 'on' : 'off'),
};

export function oneOf<const V extends readonly string[]>(...values: V): ValueType<V[number]> {
  const set = new Set<string>(values);
  return {
    describe: values.map((v) => `'${v}'`).join(', '),
    parse: (s) => {
      if (!set.has(s)) throw new Error(`must be one of ${values.map((v) => `'${v}'`).join(', ')}`);
      return s as V[number];
    },
    format: (v) => v,
  };
}

export const uuidType: ValueType<string> = {
  describe: 'a UUID',
  parse: (s) => {
    const t = s.trim().toLowerCase();
    const compact = t.replace(/-/g, '');
    if (!/^[0-9a-f]{32}$/.test(compact)) throw new Error('is not a UUID');
    return `${compact.slice(0, 8)}-${compact.slice(8, 12)}-${compact.slice(12, 16)}-${compact.slice(16, 20)}-${compact.slice(20)}`;
  },
  format: (v) => v,
};

export const macType: ValueType<string> = {
  describe: 'a MAC address',
  parse: (s) => {
    const t = s.trim().toLowerCase();
    if (!/^([0-9a-f]{1,2}[:-]){5}[0-9a-f]{1,2}$/.test(t)) throw new Error('is not a MAC address (xx:xx:xx:xx:xx:xx)');
    const parts = t.split(/[:-]/).map((p) => p.padStart(2, '0'));
    if (parseInt(parts[0] ?? '0', 16) & 1) throw new Error('is a multicast MAC address');
    return parts.join(':');
  },
  format: (v) => v,
};

/** A CPU/node set like "0-3,^2,8": kept as written; validated. */
export const cpuset: ValueType<string> = {
  describe: 'a CPU set such as 0-3,^2,8',
  parse: (s) => {
    const t = s.trim();
    if (!/^\^?[0-9]+(-[0-9]+)?(,\s*\^?[0-9]+(-[0-9]+)?)*$/.test(t)) throw new Error('is not a CPU set (like 0-3,^2,8)');
    parseCpuset(t);
    return t;
  },
  format: (v) => v,
};

/** Expands a CPU set to sorted numbers. */
export function parseCpuset(s: string): number[] {
  const on = new Set<number>();
  const off = new Set<number>();
  for (const part of s.split(',').map((p) => p.trim())) {
    const neg = part.startsWith('^');
    const body = neg ? part.slice(1) : part;
    const [a, b] = body.split('-').map(Number);
    if (a === undefined || Number.isNaN(a)) throw new Error(`bad CPU set item '${part}'`);
    const hi = b ?? a;
    if (hi < a) throw new Error(`bad CPU set range '${part}'`);
    for (let i = a; i <= hi; i++) (neg ? off : on).add(i);
  }
  return [...on].filter((n) => !off.has(n)).sort((x, y) => x - y);
}
