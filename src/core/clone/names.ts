/**
 * virt-clone's generated names (virt-manager 4.1, virtinst/cloner.py and generatename.py): the
 * clone's name (`NAME-clone`, then `NAME-clone1`...; a `NAME-clone3` original gives
 * `NAME-clone4`), a cloned file's path (`disk.qcow2` -> `disk-clone.qcow2`, then
 * `disk-clone-1.qcow2`...; a file named after the domain takes the new name) and the NVRAM
 * file's (`DIR/NEWNAME_VARS.fd`). Pure: what exists is asked of a predicate.
 */

/** `base`, then `base<sep>N` from `start`, each with `suffix`, until `taken` says no (generate_name). */
export function generateName(base: string, taken: (name: string) => boolean,
  o: { suffix?: string; start?: number; sep?: string; forceNumber?: boolean } = {}): string {
  const suffix = o.suffix ?? '';
  const sep = o.sep ?? '-';
  const start = o.start ?? 1;
  if (o.forceNumber !== true && !taken(base + suffix)) return base + suffix;
  for (let i = start; i < start + 100_000; i++) {
    const name = `${base}${sep}${i}${suffix}`;
    if (!taken(name)) return name;
  }
  throw new Error(`no free name from '${base}${suffix}' in 100000 tries`);
}

/** The clone's default name (virt-clone --auto-clone): `NAME-clone`, never `NAME-clone-clone`. */
export function cloneName(original: string, taken: (name: string) => boolean): string {
  const m = /-clone[1-9]*$/.exec(original);
  if (!m) return generateName(`${original}-clone`, taken, { sep: '' });
  const num = /[1-9]+$/.exec(m[0]);
  const start = num ? Number.parseInt(num[0], 10) + 1 : 1;
  return generateName(`${original.slice(0, m.index)}-clone`, taken, { sep: '', start, forceNumber: true });
}

function splitPath(path: string): { dir: string; base: string } {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? { dir: '', base: path } : { dir: path.slice(0, slash + 1), base: path.slice(slash + 1) };
}

/**
 * A cloned file's path (or a bare volume name) from the original's: the extension (7 characters
 * at most after the last dot) stays, `-clone` goes before it, or the new domain's name replaces a
 * base name equal to the original domain's (`/images/web.img` of domain `web` -> `/images/web2.img`).
 */
export function clonePath(origName: string, newName: string, origPath: string, taken: (path: string) => boolean): string {
  let stem = origPath;
  let suffix = '';
  const dot = origPath.lastIndexOf('.');
  if (dot >= 0 && origPath.length - dot - 1 <= 7) {
    stem = origPath.slice(0, dot);
    suffix = origPath.slice(dot);
  }
  const { dir, base } = splitPath(stem);
  const cloneBase = base === origName ? newName : `${base}-clone`;
  return generateName(dir + cloneBase, taken, { suffix });
}

/** The clone's NVRAM file: beside the original's, `NEWNAME_VARS` with the original's extension (`.fd` when none). */
export function nvramPath(origPath: string, newName: string): string {
  const { dir, base } = splitPath(origPath);
  const dot = base.lastIndexOf('.');
  const ext = dot > 0 ? base.slice(dot) : '';
  return `${dir}${newName}_VARS${ext || '.fd'}`;
}
