/**
 * Normalizer for comparing a QEMU command line with libvirt's expected
 * `.args` files. It removes what legitimately differs between two correct
 * command lines for the same domain, and nothing else:
 *   - environment lines (they depend on the harness) and the master-key secret object;
 *   - fd numbers and socket paths of -chardev socket (fd=1729, fd=@mon-fd@, path=...);
 *   - the per-domain directory prefix;
 *   - block node-names, renamed canonically in order of appearance (they are
 *     internal to one command line); ids stay literal: a device id is libvirt's
 *     alias, which QMP paths (/machine/peripheral/ID), hot-unplug and stats
 *     matching rely on, so a wrong id must fail the comparison;
 * and it compares -device/-object/-blockdev/-netdev/-chardev/-audiodev values
 * as parsed key/value sets (JSON or key=val with ',,' unescaped), order-
 * insensitive among options of the same kind. Everything else stays in order.
 */

export interface ParsedArgs {
  env: string[];
  binary: string;
  args: string[];
}

/** Splits libvirt's .args text (shell words, single quotes, backslash-newline continuations). */
export function parseArgsText(text: string): ParsedArgs {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error('unterminated quote in .args text');
      cur += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '\\') {
      const n = text[i + 1];
      if (n === '\n') {
        i++;
        if (inWord) {
          words.push(cur);
          cur = '';
          inWord = false;
        }
      } else {
        cur += n ?? '';
        inWord = true;
        i++;
      }
    } else if (c === ' ' || c === '\n' || c === '\t') {
      if (inWord) {
        words.push(cur);
        cur = '';
        inWord = false;
      }
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  const env: string[] = [];
  let i = 0;
  while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i] as string)) env.push(words[i++] as string);
  const binary = words[i++];
  if (binary === undefined) throw new Error('.args text has no binary');
  return { env, binary, args: words.slice(i) };
}

type Value = string | Record<string, unknown>;
export interface Opt {
  opt: string;
  value: Value | undefined;
}

const STRUCTURED = new Set(['-device', '-object', '-blockdev', '-netdev', '-chardev', '-audiodev']);
const IMPLIED: Record<string, string> = { '-device': 'driver', '-chardev': 'backend', '-netdev': 'type', '-object': 'qom-type', '-audiodev': 'driver', '-blockdev': 'driver' };

/** QEMU's QemuOpts splitting: ',,' is a literal comma, ',' separates items. */
export function splitQemuOpts(s: string): string[] {
  const items: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === ',') {
      if (s[i + 1] === ',') {
        cur += ',';
        i++;
        continue;
      }
      items.push(cur);
      cur = '';
    } else cur += s[i];
  }
  items.push(cur);
  return items;
}

/** key=val,key=val with ',,' as a literal comma; a first item without '=' is the implied key. */
export function parseKeyval(s: string, implied: string | undefined): Record<string, string> {
  const items = splitQemuOpts(s);
  const out: Record<string, string> = {};
  items.forEach((it, idx) => {
    const eq = it.indexOf('=');
    if (eq < 0 && idx === 0 && implied !== undefined) out[implied] = it;
    else if (eq < 0) out[it] = 'on';
    else {
      const k = it.slice(0, eq);
      // repeated keys (cpus=1-3,cpus=5) keep their order under k, k#2, ...
      let key = k;
      for (let n = 2; key in out; n++) key = `${k}#${n}`;
      out[key] = it.slice(eq + 1);
    }
  });
  return out;
}

export function groupOptions(args: readonly string[]): Array<{ opt: string; value: string | undefined }> {
  const out: Array<{ opt: string; value: string | undefined }> = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const next = args[i + 1];
    if (next !== undefined && !next.startsWith('-')) {
      out.push({ opt: a, value: next });
      i++;
    } else out.push({ opt: a, value: undefined });
  }
  return out;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, sortKeys(o[k])]));
  }
  return v;
}

function mapStrings(v: unknown, f: (s: string, key: string) => string, key = ''): unknown {
  if (typeof v === 'string') return f(v, key);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f, key));
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, mapStrings(x, f, k)]));
  }
  return v;
}

export interface NormalizeOptions {
  /** The per-domain directory (replaced by @LIBDIR@). */
  libDir: string;
}

export interface Normalized {
  /** One line per option, in order, values canonical: for review and diffs. */
  lines: string[];
  /** Options other than the structured kinds, in order. */
  ordered: string[];
  /** Structured kinds: sorted canonical values per kind. */
  sets: Record<string, string[]>;
}

export function normalizeArgs(args: readonly string[], o: NormalizeOptions): Normalized {
  let opts = groupOptions(args).map((x): Opt => {
    if (x.value === undefined) return { opt: x.opt, value: undefined };
    const s = x.value.split(o.libDir).join('@LIBDIR@');
    if (STRUCTURED.has(x.opt)) {
      const v = s.startsWith('{') ? (JSON.parse(s) as Record<string, unknown>) : parseKeyval(s, IMPLIED[x.opt]);
      return { opt: x.opt, value: v };
    }
    return { opt: x.opt, value: s.replace(/fd=(\d+|@[a-z0-9-]+@)/g, 'fd=@FD@') };
  });
  opts = opts.filter((x) => !(x.opt === '-object' && typeof x.value === 'object' && x.value.id === 'masterKey0'));
  // chardev sockets: fd and path are the same thing (a pre-opened fd or a path QEMU binds)
  for (const x of opts) {
    if (x.opt === '-chardev' && typeof x.value === 'object' && x.value.backend === 'socket') {
      const v = x.value;
      if ('fd' in v || 'path' in v) {
        delete v.fd;
        delete v.path;
        v.addr = '@SOCKET@';
      }
    }
  }
  // canonical node-names by order of appearance; references (drive=, file=, backing=) follow
  const names = new Map<string, string>();
  for (const x of opts) {
    if (typeof x.value !== 'object') continue;
    const n = x.value['node-name'];
    if (typeof n === 'string' && !names.has(n)) names.set(n, `node${names.size}`);
  }
  const rename = (s: string): string => names.get(s) ?? s;
  const renameInKv = (s: string): string =>
    s
      .split(',')
      .map((p) => {
        const eq = p.indexOf('=');
        return eq < 0 ? p : `${p.slice(0, eq)}=${rename(p.slice(eq + 1))}`;
      })
      .join(',');
  const lines: string[] = [];
  const ordered: string[] = [];
  const sets: Record<string, string[]> = {};
  for (const x of opts) {
    let text: string;
    if (typeof x.value === 'object') {
      const v = sortKeys(mapStrings(x.value, (s) => rename(s)));
      text = `${x.opt} ${JSON.stringify(v)}`;
      (sets[x.opt] ??= []).push(text);
    } else {
      text = x.value === undefined ? x.opt : `${x.opt} ${['-mon', '-numa', '-vnc', '-machine'].includes(x.opt) ? renameInKv(x.value) : x.value}`;
      ordered.push(text);
    }
    lines.push(text);
  }
  for (const k of Object.keys(sets)) sets[k]?.sort();
  return { lines, ordered, sets };
}

/** Differences between two normalized command lines; empty when they match. */
export function diffNormalized(actual: Normalized, expected: Normalized): string[] {
  const out: string[] = [];
  const n = Math.max(actual.ordered.length, expected.ordered.length);
  for (let i = 0; i < n; i++) {
    if (actual.ordered[i] !== expected.ordered[i]) {
      out.push(`option #${i}: expected ${expected.ordered[i] ?? '(none)'}, got ${actual.ordered[i] ?? '(none)'}`);
      break;
    }
  }
  for (const k of new Set([...Object.keys(actual.sets), ...Object.keys(expected.sets)])) {
    const a = actual.sets[k] ?? [];
    const e = expected.sets[k] ?? [];
    for (const x of e) if (!a.includes(x)) out.push(`missing ${x}`);
    for (const x of a) if (!e.includes(x)) out.push(`unexpected ${x}`);
  }
  return out;
}
