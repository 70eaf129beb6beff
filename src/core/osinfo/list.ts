/**
 * The OS database as a list (`virtkit install --osinfo list`, `virtkit osinfo-query os`), in virt-install
 * 4.1's order (virtinst/osdict.py `list_os`): a natural sort of each OS's first short-id in which numbers
 * sort in reverse (`debian12` before `debian11` before `debian9`), with virt-install's own `generic`
 * entry among them. virt-install prints each OS as its short-ids, sorted and joined with `, `.
 */

export interface OsListEntry {
  /** libosinfo's id URI (`http://debian.org/debian/11`); `generic` for the generic OS. */
  readonly id: string;
  /** The short-ids in the database's order: the first is the OS's name for virt-install. */
  readonly shortIds: readonly string[];
  /** The database's (English) name, `Debian 11`. */
  readonly name: string;
  readonly version: string | null;
  readonly family: string;
}

/** virt-install's entry for the generic OS (no osinfo entry). */
export const GENERIC_LIST_ENTRY: OsListEntry = { id: 'generic', shortIds: ['generic'], name: 'Generic OS', version: null, family: 'generic' };

/** virt-install's alphanum_key: text parts lowercased, digit runs as negated numbers. */
function sortKey(name: string): Array<string | number> {
  return name.split(/([0-9]+)/).map((part, i) => (i % 2 === 1 ? -Number(part) : part.toLowerCase()));
}

function compareKeys(a: ReadonlyArray<string | number>, b: ReadonlyArray<string | number>): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    // Python compares str with str (code points) and int with int: the split puts them at the same places.
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return a.length - b.length;
}

/** `entries` in virt-install's `list_os` order (stable, as Python's sorted). */
export function virtInstallOsOrder<T extends OsListEntry>(entries: readonly T[]): T[] {
  const keyed = entries.map((e) => ({ e, key: sortKey(e.shortIds[0] ?? '') }));
  return keyed.sort((a, b) => compareKeys(a.key, b.key)).map((k) => k.e);
}

/** One line of `--osinfo list`: the OS's short-ids, deduplicated and sorted, joined with `, `. */
export const osinfoListLine = (e: OsListEntry): string => [...new Set(e.shortIds)].sort().join(', ');

/** libosinfo's `osinfo-query os` default columns: property, label, width (tools/osinfo-query.c `os_labels`). */
const QUERY_COLUMNS: ReadonlyArray<{ readonly label: string; readonly width: number; readonly value: (e: OsListEntry) => string }> = [
  { label: 'Short ID', width: 20, value: (e) => e.shortIds[0] ?? '' },
  { label: 'Name', width: 50, value: (e) => e.name },
  { label: 'Version', width: 8, value: (e) => e.version ?? '' },
  { label: 'ID', width: 40, value: (e) => e.id },
];

/** A cell padded to `width` bytes (osinfo-query pads by strlen: a longer value is not cut). */
const utf8 = new TextEncoder();
const pad = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - utf8.encode(text).length));

/** C's strcmp over UTF-8 bytes. */
function strcmp(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return a.length - b.length;
}

/**
 * `osinfo-query os` as libosinfo's tool prints it: a header, a `---+---` rule, then one row per OS of the
 * database (not virt-install's `generic`), sorted by the first short-id with strcmp (stable).
 */
export function osinfoQueryTable(entries: readonly OsListEntry[]): string {
  const rows = entries.filter((e) => e.id !== GENERIC_LIST_ENTRY.id)
    .map((e) => ({ e, key: utf8.encode(e.shortIds[0] ?? '') }))
    .sort((a, b) => strcmp(a.key, b.key));
  const line = (cells: string[]): string => ` ${cells.join(' | ')}\n`;
  return line(QUERY_COLUMNS.map((c) => pad(c.label, c.width)))
    + `-${QUERY_COLUMNS.map((c) => '-'.repeat(c.width)).join('-+-')}\n`
    + rows.map(({ e }) => line(QUERY_COLUMNS.map((c) => pad(c.value(e), c.width)))).join('');
}
