/** virsh's output shapes: its tables, its `%-15s` fields, its words for states and reasons. */
import type { DomainInfo, DomainState } from '../client/types.js';

/**
 * A table as virsh's vshTable prints it: a leading space per cell, columns
 * padded to their widest cell plus two spaces (not the last), and a dashed
 * line as wide as every column plus three.
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  // Widths count characters (code points, [...s].length), not UTF-16 units: a string's length
  // counts an astral character (U+10000 and above) twice. Drawn by length first, and again by
  // characters only when the table holds such a character.
  const plain = drawTable(false, header, rows);
  return ASTRAL.test(plain) ? drawTable(true, header, rows) : plain;
}

const ASTRAL = /[\ud800-\udbff]/;

// Written for a fresh CLI process that draws one table once, in V8's interpreter: vol-list --details
// of 500 volumes has 2500 cells. Plain loops (a function call or a regex test per cell cost ~1 ms),
// and the pieces joined once (a string concatenated per cell made ~500 KiB of garbage: a GC pause).
function drawTable(astral: boolean, header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h) => (astral ? [...h].length : h.length));
  for (const r of rows) {
    for (let i = 0; i < widths.length; i++) {
      const c = r[i] ?? '';
      const w = astral ? [...c].length : c.length;
      if (w > (widths[i] ?? 0)) widths[i] = w;
    }
  }
  const out: string[] = [];
  const pads: string[] = [];
  const line = (cells: readonly string[]) => {
    const last = cells.length - 1;
    for (let i = 0; i < last; i++) {
      const c = cells[i] ?? '';
      const n = (widths[i] ?? 0) - (astral ? [...c].length : c.length) + 2;
      out.push(' ', c, pads[n] ??= ' '.repeat(n));
    }
    if (last >= 0) out.push(' ', cells[last] ?? '');
  };
  line(header);
  out.push('\n', '-'.repeat(widths.reduce((a, w) => a + w + 3, 0)));
  for (const r of rows) {
    out.push('\n');
    line(r);
  }
  return out.join('');
}

/** `label` padded as virsh's "%-15s %s" (dominfo) or "%-20s %s" (nodeinfo). */
export function fields(pad: number, rows: readonly (readonly [string, string])[]): string {
  return rows.map(([k, v]) => `${k.padEnd(pad)} ${v}`).join('\n');
}

const STATE_WORDS: Record<DomainState, string> = {
  nostate: 'no state', running: 'running', blocked: 'idle', paused: 'paused', shutdown: 'in shutdown',
  shutoff: 'shut off', crashed: 'crashed', pmsuspended: 'pmsuspended',
};

export function stateWord(state: DomainState): string {
  return STATE_WORDS[state];
}

const REASON_WORDS: Record<string, string> = {
  'from-snapshot': 'from snapshot', 'migration-canceled': 'migration canceled', 'save-canceled': 'save canceled',
  wakeup: 'event wakeup', 'post-copy': 'post-copy', 'post-copy-failed': 'post-copy failed', ioerror: 'I/O error',
  'shutting-down': 'shutting down', 'starting-up': 'starting up', 'api-error': 'api error',
};

/** virsh's words for a reason (virshDomainStateReasonToString). */
export function reasonWord(reason: string): string {
  return REASON_WORDS[reason] ?? reason;
}

const isActive = (d: DomainInfo) => d.id !== null;

/** virsh's order: running domains by id, then the others by name, ignoring case. */
export function virshOrder(domains: readonly DomainInfo[]): DomainInfo[] {
  return [...domains].sort((a, b) => {
    if (isActive(a) && isActive(b)) return (a.id ?? 0) - (b.id ?? 0);
    if (isActive(a) !== isActive(b)) return isActive(a) ? -1 : 1;
    const x = a.name.toLowerCase();
    const y = b.name.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

export function idText(d: DomainInfo): string {
  return d.id === null ? '-' : String(d.id);
}
