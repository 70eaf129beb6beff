/**
 * virt-clone's plan (virt-manager 4.1 virtinst/cloner.py + virtclone.py) as pure code: from the
 * original's definition and the request, the clone's definition and, per disk, what happens to
 * its storage. The daemon (src/daemon/engine/clone.ts) carries the plan out.
 *
 * The clone's definition: the new name and UUID (also the SMBIOS system UUID), no title, each NIC
 * its own MAC (the given ones in order, the rest left to the defaults: random) and no host tap
 * name, graphics on automatic ports, a unix channel socket named after the original forgotten,
 * file serial/console logs renamed, the NVRAM file renamed. Each disk is:
 *   share    the same storage (empty, readonly, shareable, a cdrom, or --skip-copy);
 *   copy     a full copy to a new file or pool volume (--file, or a generated path);
 *   link     a qcow2 overlay backed by the original's image (--linked);
 *   preserve an existing file or volume taken as it is (--preserve-data).
 */
import { VirtkitError } from '../errors.js';
import type { DiskDef, DomainDef } from '../xml/domain/index.js';
import { clonePath, nvramPath } from './names.js';

/** Where a disk's storage is: a file (or block device), or a pool volume. */
export type StorageRef =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'volume'; readonly pool: string; readonly volume: string };

export type DiskAction =
  | { readonly target: string; readonly action: 'share'; readonly why: string }
  | { readonly target: string; readonly action: 'copy' | 'link'; readonly from: StorageRef; readonly to: StorageRef }
  | { readonly target: string; readonly action: 'preserve'; readonly to: StorageRef };

export interface CloneRequest {
  readonly name: string;
  readonly uuid: string;
  /** --file, one per disk that is not shared, in order; a bare name (no '/') of a volume disk is a volume of the same pool. */
  readonly files?: readonly string[];
  /** --mac, in the order of the interfaces (RANDOM taken out by the caller). */
  readonly macs?: readonly string[];
  /** --skip-copy: targets shared instead of copied. */
  readonly skipCopy?: readonly string[];
  /** --auto-clone: paths for disks without a --file are generated. */
  readonly autoClone?: boolean;
  readonly preserveData?: boolean;
  readonly linked?: boolean;
  /** --nvram: the clone's NVRAM file (default: generated beside the original's). */
  readonly nvram?: string;
}

export interface ClonePlan {
  readonly def: DomainDef;
  readonly disks: readonly DiskAction[];
  /** The NVRAM file to copy (when the original has one and it exists: the caller checks). */
  readonly nvram?: { readonly from: string; readonly to: string; readonly preserve: boolean };
}

/** Whether a path (file) or volume is taken: the daemon asks its file system and pools. */
export type Taken = (ref: StorageRef) => boolean;

const invalid = (message: string, details: Record<string, unknown>) => new VirtkitError('INVALID_ARGUMENT', message, { details });

/** Why virt-clone shares this disk rather than copying it, or undefined. */
function shareReason(d: DiskDef): string | undefined {
  if (d.source === undefined || (d.source.file === undefined && d.source.dev === undefined && d.source.volume === undefined
    && d.source.name === undefined && d.source.dir === undefined)) return 'no storage to clone';
  if (d.readonly !== undefined || d.device === 'cdrom') return 'read only';
  if (d.shareable !== undefined) return 'marked as shareable';
  return undefined;
}

/** The storage a cloned disk reads, or an error saying why it cannot be cloned (virt-clone's _get_cloneable_msg). */
function sourceOf(d: DiskDef, target: string): StorageRef {
  const s = d.source ?? {};
  if (d.type === 'volume' && s.pool !== undefined && s.volume !== undefined) return { kind: 'volume', pool: s.pool, volume: s.volume };
  const path = d.type === 'block' ? s.dev : s.file;
  if ((d.type === undefined || d.type === 'file' || d.type === 'block') && path !== undefined) return { kind: 'file', path };
  const what = d.type === 'network' ? `disk network type '${s.protocol ?? '?'}' is not cloneable` : `a disk of type '${d.type ?? 'file'}' is not cloneable`;
  throw new VirtkitError('UNSUPPORTED_OPERATION', `could not determine original disk information of '${target}': ${what}; use --skip-copy=${target} to share it`, {
    details: { target },
  });
}

function refText(r: StorageRef): string {
  return r.kind === 'file' ? r.path : `${r.pool}/${r.volume}`;
}

/** A --file value, for a disk whose original is `from`. */
function destOf(file: string, from: StorageRef): StorageRef {
  if (!file.includes('/') && from.kind === 'volume') return { kind: 'volume', pool: from.pool, volume: file };
  if (!file.startsWith('/')) throw invalid(`--file '${file}' is not an absolute path (a bare name is a volume only for a disk of type 'volume')`, { file });
  return { kind: 'file', path: file };
}

/** The generated destination (--auto-clone): beside the original, in the same pool for a volume. */
function generatedDest(from: StorageRef, origName: string, newName: string, taken: Taken): StorageRef {
  if (from.kind === 'volume') {
    return { kind: 'volume', pool: from.pool, volume: clonePath(origName, newName, from.volume, (v) => taken({ kind: 'volume', pool: from.pool, volume: v })) };
  }
  return { kind: 'file', path: clonePath(origName, newName, from.path, (p) => taken({ kind: 'file', path: p })) };
}

/** The new disk's XML: the original with its source pointing at `to`; a linked clone's driver is qcow2. */
function diskWith(d: DiskDef, to: StorageRef, linked: boolean): DiskDef {
  const { file: _f, dev: _d, pool: _p, volume: _v, ...rest } = d.source ?? {};
  const driver = linked ? { ...d.driver, type: 'qcow2' as const } : d.driver;
  const base = { ...d, ...(driver === undefined ? {} : { driver }) };
  delete base.backingStore;
  if (to.kind === 'volume') return { ...base, type: 'volume', source: { ...rest, pool: to.pool, volume: to.volume } };
  const type = d.type === 'block' && !linked ? 'block' : 'file';
  return { ...base, type, source: { ...rest, ...(type === 'block' ? { dev: to.path } : { file: to.path }) } };
}

function planDisks(orig: DomainDef, req: CloneRequest, taken: Taken): { disks: DiskAction[]; xml: DiskDef[] } {
  const files = [...(req.files ?? [])];
  const skip = new Set(req.skipCopy ?? []);
  const all = orig.devices?.disk ?? [];
  for (const t of skip) {
    if (!all.some((d) => d.target?.dev === t)) throw invalid(`--skip-copy=${t}: the domain has no disk with target '${t}'`, { target: t });
  }
  const disks: DiskAction[] = [];
  const xml: DiskDef[] = [];
  for (const d of all) {
    const target = d.target?.dev ?? '?';
    const why = skip.has(target) ? 'skip-copy' : shareReason(d);
    if (why !== undefined) {
      disks.push({ target, action: 'share', why });
      xml.push(d);
      continue;
    }
    const from = sourceOf(d, target);
    const file = files.shift();
    if (file === undefined && req.autoClone !== true) {
      throw invalid(`disk '${target}' (${refText(from)}) needs a new path: give one --file per disk to clone, or --auto-clone`, { target });
    }
    const to = file === undefined ? generatedDest(from, orig.name, req.name, taken) : destOf(file, from);
    if (req.preserveData === true) {
      disks.push({ target, action: 'preserve', to });
    } else {
      if (taken(to)) {
        throw new VirtkitError('CLONE_TARGET_EXISTS', `the clone of disk '${target}' would overwrite ${refText(to)}, which exists; choose another --file, or --preserve-data to use it as it is`, {
          details: { target, path: refText(to) },
        });
      }
      disks.push({ target, action: req.linked === true ? 'link' : 'copy', from, to });
    }
    xml.push(diskWith(d, to, req.linked === true));
  }
  if (files.length > 0) throw invalid(`${files.length} --file value(s) more than disks to clone: ${files.join(', ')}`, { files });
  return { disks, xml };
}

function checkRequest(req: CloneRequest): void {
  if (req.linked === true && req.preserveData === true) throw invalid('--linked and --preserve-data do not go together: a linked clone makes new overlays', {});
}

export function planClone(orig: DomainDef, req: CloneRequest, taken: Taken): ClonePlan {
  checkRequest(req);
  const { disks, xml } = planDisks(orig, req, taken);
  const macs = [...(req.macs ?? [])];
  const devices = orig.devices;
  const ifaces = devices?.interface ?? [];
  if (macs.length > ifaces.length) throw invalid(`${macs.length} --mac value(s) for ${ifaces.length} interface(s)`, { macs });
  const def: DomainDef = {
    ...orig, name: req.name, uuid: req.uuid,
    ...(orig.sysinfo === undefined ? {} : { sysinfo: orig.sysinfo.map((s) => renameSysinfo(s, req.uuid)) }),
  };
  delete def.title;
  delete def.id;
  if (devices !== undefined) {
    def.devices = {
      ...devices,
      disk: xml,
      interface: ifaces.map((i) => {
        const { mac: _m, target: _t, ...rest } = i;
        const mac = macs.shift();
        return mac === undefined ? rest : { ...rest, mac: { address: mac } };
      }),
      graphics: (devices.graphics ?? []).map((g) => (g.port !== undefined && g.port !== -1 ? { ...g, port: -1, autoport: true } : g)),
      channel: (devices.channel ?? []).map((c) => {
        const name = c.target?.name;
        if (c.type !== 'unix' || name === undefined) return c;
        return { ...c, source: (c.source ?? []).map((s) => {
          if (s.path === undefined || !s.path.includes(name)) return s;
          const { path: _p, ...rest } = s;
          return rest;
        }) };
      }),
      serial: (devices.serial ?? []).map((s) => renameLog(s, orig.name, req.name)),
      console: (devices.console ?? []).map((s) => renameLog(s, orig.name, req.name)),
    };
  }
  const nv = orig.os?.nvram?.value;
  if (nv === undefined || orig.os?.nvram === undefined) return { def, disks };
  const to = req.nvram ?? nvramPath(nv, req.name);
  def.os = { ...orig.os, nvram: { ...orig.os.nvram, value: to } };
  return { def, disks, nvram: { from: nv, to, preserve: req.preserveData === true } };
}

type Sysinfo = NonNullable<DomainDef['sysinfo']>[number];
type CharDev = NonNullable<NonNullable<DomainDef['devices']>['serial']>[number];

function renameSysinfo(s: Sysinfo, uuid: string): Sysinfo {
  if (s.system === undefined) return s;
  return { ...s, system: { ...s.system, entry: (s.system.entry ?? []).map((e) => (e.name === 'uuid' ? { ...e, value: uuid } : e)) } };
}

/** A file serial or console gets its own log file (virt-clone's _prepare_serial_files, no existence check). */
function renameLog(c: CharDev, origName: string, newName: string): CharDev {
  if (c.type !== 'file') return c;
  return { ...c, source: (c.source ?? []).map((s) => (s.path === undefined ? s : { ...s, path: clonePath(origName, newName, s.path, () => false) })) };
}
