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
