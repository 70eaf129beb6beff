/**
 * Step 3: libvirt's rules for a snapshot definition on its own (snapshot_conf.c), after the
 * defaults. `snapshotProblems` lists every problem; `validateSnapshot` throws the first.
 */
import type { VirtkitError } from '../../errors.js';
import type { SnapshotDefaultsContext, SnapshotMode } from './defaults.js';
import { diskSourcePath, offlineState } from './defaults.js';
import { diskPath, problem, ROOT, throwFirst } from './paths.js';
import type { SnapshotDef, SnapshotDiskDef } from './schema.js';

export function snapshotProblems(def: SnapshotDef, mode: SnapshotMode): VirtkitError[] {
  const out: VirtkitError[] = [];
  checkRecord(def, mode, out);
  checkMemory(def, out);
  checkDisks(def, out);
  return out;
}

export function validateSnapshot(def: SnapshotDef, mode: SnapshotDefaultsContext['mode']): void {
  throwFirst(snapshotProblems(def, mode));
}

/** A name becomes part of file names (metadata, overlays BASE.NAME): no '/', not '.' or '..'. */
function checkName(name: string, out: VirtkitError[]): void {
  if (name.includes('/') || name === '.' || name === '..') {
    out.push(problem('XML_INVALID_VALUE', `${ROOT}/name`, `'${name}' cannot name a snapshot: it becomes part of file names, so it must not contain '/' or be '.' or '..'`));
  }
}

function checkRecord(def: SnapshotDef, mode: SnapshotMode, out: VirtkitError[]): void {
  if (def.name !== undefined) checkName(def.name, out);
  if (mode === 'create') return;
  const what = mode === 'redefine' ? 'a redefined snapshot' : "virtkit's snapshot metadata";
  if (def.name === undefined) out.push(problem('XML_MISSING', `${ROOT}/name`, `${what} must have a <name>`));
  if (def.creationTime === undefined) out.push(problem('XML_MISSING', `${ROOT}/creationTime`, `${what} must have a <creationTime>`));
  if (def.state === undefined) out.push(problem('XML_MISSING', `${ROOT}/state`, `${what} must have a <state> (the domain's state when it was taken)`));
  if (mode === 'metadata' && def.active === undefined) out.push(problem('XML_MISSING', `${ROOT}/active`, `${what} must have <active>`));
}

function checkMemory(def: SnapshotDef, out: VirtkitError[]): void {
  const mem = def.memory;
  if (!mem) return;
  const at = `${ROOT}/memory`;
  if (mem.snapshot === 'manual') {
    out.push(problem('XML_UNSUPPORTED', `${at}/@snapshot`, "'manual' is a disk snapshot mode; the memory is saved 'internal', 'external' or 'no'"));
  }
  if (mem.file !== undefined && mem.snapshot !== 'external') {
    out.push(problem('XML_CONFLICT', `${at}/@file`, `a memory file ('${mem.file}') requires snapshot='external', not '${mem.snapshot ?? ''}'`));
  }
  if (mem.file === undefined && mem.snapshot === 'external') {
    out.push(problem('XML_MISSING', `${at}/@file`, "an external memory snapshot needs file='/absolute/path'"));
  }
  if (mem.file !== undefined && !mem.file.startsWith('/')) {
    out.push(problem('XML_INVALID_VALUE', `${at}/@file`, `'${mem.file}' must be an absolute path`));
  }
  if (offlineState(def.state) && mem.snapshot !== undefined && mem.snapshot !== 'no') {
    out.push(problem('XML_CONFLICT', `${at}/@snapshot`, `the memory cannot be saved ('${mem.snapshot}') in a snapshot whose state is '${def.state ?? ''}' (offline or disk-only)`));
  }
}

function checkDisks(def: SnapshotDef, out: VirtkitError[]): void {
  const disks = def.disks?.disk ?? [];
  disks.forEach((d, i) => {
    const at = diskPath(i, disks.length);
    if (d.type === 'dir' || d.type === 'volume') {
      out.push(problem('XML_UNSUPPORTED', `${at}/@type`, `a disk snapshot cannot be of type '${d.type}' (use 'file', 'block' or 'network')`));
    }
    checkSourceAttrs(d, at, out);
    const path = diskSourcePath(d);
    const local = d.type === undefined || d.type === 'file' || d.type === 'block';
    if (path !== undefined && local && !path.startsWith('/')) {
      out.push(problem('XML_INVALID_VALUE', `${at}/source`, `disk snapshot image path '${path}' must be absolute`));
    }
    if (path !== undefined && d.snapshot !== 'external') {
      out.push(problem('XML_CONFLICT', `${at}/@snapshot`, `the file '${path}' for disk '${d.name}' requires snapshot='external', not '${d.snapshot ?? ''}'`));
    }
  });
}

/** The <source> attributes each disk type reads (libvirt reads the others not at all). */
const SOURCE_KEYS: Record<string, readonly string[]> = { file: ['file'], block: ['dev'], network: ['protocol', 'name', 'host'] };

function checkSourceAttrs(d: SnapshotDiskDef, at: string, out: VirtkitError[]): void {
  const allowed = SOURCE_KEYS[d.type ?? 'file'];
  if (!d.source || !allowed) return;
  for (const key of Object.keys(d.source)) {
    if (allowed.includes(key)) continue;
    const path = key === 'host' ? `${at}/source/host` : `${at}/source/@${key}`;
    out.push(problem('XML_UNSUPPORTED', path, `a disk snapshot of type '${d.type ?? 'file'}' does not take ${key === 'host' ? '<host>' : `'${key}'`} in its <source> (it takes ${allowed.join(', ')})`));
  }
  if (d.type === 'network' && d.source.protocol === undefined) out.push(problem('XML_MISSING', `${at}/source/@protocol`, "a network disk snapshot needs <source protocol='...'>"));
}
