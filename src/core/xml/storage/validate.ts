/**
 * Step 3: rules the schema cannot say element by element. A pool's type
 * decides which <source> parts it needs and which it refuses; a volume's pool
 * decides its type and formats. `...Problems` list every problem, `validate...`
 * throw the first. Every problem names its element path.
 */
import { VirtkitError } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';
import type { PoolDef, PoolType } from './pool-schema.js';
import { FS_POOL_FORMATS } from './pool-schema.js';
import { poolVolumeType, volumePathIn } from './volume-rules.js';
import type { VolumeDef } from './volume-schema.js';

function problem(code: ErrorCode, path: string, message: string): VirtkitError {
  return new VirtkitError(code, `${path}: ${message}`, { details: { path } });
}

/** What each pool type may have in <source>; anything else there is refused. */
const SOURCE_PARTS: Record<PoolType, ReadonlySet<string>> = {
  dir: new Set(),
  fs: new Set(['device', 'format']),
  netfs: new Set(['host', 'dir', 'format', 'protocol']),
  rbd: new Set(['host', 'name', 'auth']),
};

export function poolProblems(def: PoolDef): VirtkitError[] {
  const out: VirtkitError[] = [];
  if (def.name.includes('/')) out.push(problem('XML_INVALID_VALUE', '/pool/name', `'${def.name}' must not contain '/'`));
  const src = def.source ?? {};
  for (const [k, v] of Object.entries(src)) {
    if (v !== undefined && !SOURCE_PARTS[def.type].has(k)) {
      out.push(problem('XML_UNSUPPORTED', `/pool/source/${k}`, `a pool of type '${def.type}' has no <source><${k}>`));
    }
  }
  const tpath = def.target?.path;
  if (def.type === 'rbd') {
    if (def.target !== undefined) out.push(problem('XML_UNSUPPORTED', '/pool/target', "an rbd pool has no <target>: its volumes live in the Ceph pool named by <source><name>"));
  } else if (tpath === undefined) {
    out.push(problem('XML_MISSING', '/pool/target/path', `a pool of type '${def.type}' needs <target><path>, the directory its volumes are in`));
  } else if (!tpath.startsWith('/')) {
    out.push(problem('XML_INVALID_VALUE', '/pool/target/path', `'${tpath}' is not an absolute path`));
  }
  checkPerms(def.target?.permissions, '/pool/target/permissions', out);
  if (def.type === 'fs') checkFs(def, out);
  if (def.type === 'netfs') checkNetfs(def, out);
  if (def.type === 'rbd') checkRbd(def, out);
  return out;
}

export function validatePool(def: PoolDef): void {
  const [first] = poolProblems(def);
  if (first) throw first;
}

function checkPerms(p: { owner?: number; group?: number } | undefined, path: string, out: VirtkitError[]): void {
  if (p?.owner !== undefined && p.owner < -1) out.push(problem('XML_INVALID_VALUE', `${path}/owner`, `${p.owner} is not a user id (or -1)`));
  if (p?.group !== undefined && p.group < -1) out.push(problem('XML_INVALID_VALUE', `${path}/group`, `${p.group} is not a group id (or -1)`));
}

function checkFs(def: PoolDef, out: VirtkitError[]): void {
  const devs = def.source?.device ?? [];
  if (devs.length === 0) out.push(problem('XML_MISSING', '/pool/source/device', "an fs pool needs <source><device path='...'/>: the block device or image file to mount"));
  if (devs.length > 1) out.push(problem('XML_CONFLICT', '/pool/source/device[2]', 'an fs pool mounts exactly one device'));
  const fmt = def.source?.format?.type;
  if (fmt !== undefined && !(FS_POOL_FORMATS as readonly string[]).includes(fmt)) {
    out.push(problem('XML_INVALID_VALUE', '/pool/source/format/@type', `'${fmt}' is not a file system for an fs pool (${FS_POOL_FORMATS.join(', ')})`));
  }
}

function checkNetfs(def: PoolDef, out: VirtkitError[]): void {
  const hosts = def.source?.host ?? [];
  if (hosts.length === 0) out.push(problem('XML_MISSING', '/pool/source/host', "a netfs pool needs <source><host name='...'/>: the NFS server"));
  if (hosts.length > 1) out.push(problem('XML_CONFLICT', '/pool/source/host[2]', 'a netfs pool mounts from exactly one host'));
  hosts.forEach((h, i) => {
    const path = hosts.length > 1 ? `/pool/source/host[${i + 1}]/@port` : '/pool/source/host/@port';
    if (h.port !== undefined) out.push(problem('XML_UNSUPPORTED', path, 'an NFS mount takes no port here (mount options are not supported yet)'));
  });
  if (def.source?.dir === undefined) out.push(problem('XML_MISSING', '/pool/source/dir', "a netfs pool needs <source><dir path='...'/>: the exported directory"));
  const fmt = def.source?.format?.type;
  if (fmt !== undefined && fmt !== 'auto' && fmt !== 'nfs') {
    out.push(problem('XML_UNSUPPORTED', '/pool/source/format/@type', `netfs format '${fmt}' is not supported: virtkit mounts NFS exports ('nfs' or 'auto')`));
  }
}

function checkRbd(def: PoolDef, out: VirtkitError[]): void {
  if (def.source?.name === undefined) out.push(problem('XML_MISSING', '/pool/source/name', 'an rbd pool needs <source><name>: the Ceph pool'));
  if ((def.source?.host ?? []).length === 0) out.push(problem('XML_MISSING', '/pool/source/host', "an rbd pool needs at least one <source><host name='...' port='...'/> (a Ceph monitor)"));
  const auth = def.source?.auth;
  if (auth) {
    if (auth.type !== 'ceph') out.push(problem('XML_CONFLICT', '/pool/source/auth/@type', `an rbd pool authenticates with type 'ceph', not '${auth.type}'`));
    checkSecretRef(auth.secret, '/pool/source/auth/secret', out);
  }
}

/** A secret is named by exactly one of uuid= or usage=. */
export function checkSecretRef(s: { uuid?: string; usage?: string } | undefined, path: string, out: VirtkitError[]): void {
  if (s === undefined) return;
  if (s.uuid === undefined && s.usage === undefined) out.push(problem('XML_MISSING', path, "a <secret> needs uuid='...' or usage='...'"));
  if (s.uuid !== undefined && s.usage !== undefined) out.push(problem('XML_CONFLICT', path, "a <secret> takes uuid= or usage=, not both"));
}

/** Volume rules that hold whatever its pool: the backing format is explicit, encryption is LUKS with one secret. */
export function volumeShapeProblems(vol: VolumeDef): VirtkitError[] {
  const out: VirtkitError[] = [];
  if (vol.name.includes('/') || vol.name === '.' || vol.name === '..') out.push(problem('XML_INVALID_VALUE', '/volume/name', `'${vol.name}' is not a file name (no '/', not '.' or '..')`));
  checkPerms(vol.target?.permissions, '/volume/target/permissions', out);
  const b = vol.backingStore;
  if (b) {
    if (b.format === undefined) {
      out.push(problem('XML_MISSING', '/volume/backingStore/format', "a backing store needs <format type='...'/>: virtkit never guesses an image's format from its content"));
    }
    if (hasProtocolPrefix(b.path)) out.push(problem('XML_INVALID_VALUE', '/volume/backingStore/path', `'${b.path}' would be read by qemu-img as a protocol; write it as a path (./${b.path})`));
  }
  const enc = vol.target?.encryption;
  if (enc) {
    if (enc.format !== 'luks') out.push(problem('XML_UNSUPPORTED', '/volume/target/encryption/@format', `encryption format '${enc.format}' is not supported: use 'luks'`));
    if (enc.secret === undefined) out.push(problem('XML_MISSING', '/volume/target/encryption/secret', "LUKS encryption needs <secret type='passphrase' uuid='...'/>"));
    checkSecretRef(enc.secret, '/volume/target/encryption/secret', out);
  }
  return out;
}

/** qemu-img reads 'proto:rest' as a protocol when ':' comes before any '/'. */
export function hasProtocolPrefix(path: string): boolean {
  const colon = path.indexOf(':');
  const slash = path.indexOf('/');
  return colon >= 0 && (slash < 0 || colon < slash);
}

/** Formats virtkit creates or reads in a file-backed pool. */
const FILE_POOL_FORMATS = new Set(['raw', 'iso', 'qcow2', 'qcow', 'qed', 'vmdk', 'vdi', 'vpc', 'bochs', 'cloop', 'dmg', 'luks']);

/** The shape rules plus what the volume's pool allows (call after prepareVolume). */
export function volumeProblems(vol: VolumeDef, pool: PoolDef): VirtkitError[] {
  const out = volumeShapeProblems(vol);
  const want = poolVolumeType(pool.type);
  if (vol.type !== undefined && vol.type !== want) {
    out.push(problem('XML_CONFLICT', '/volume/@type', `a volume in a pool of type '${pool.type}' is of type '${want}', not '${vol.type}'`));
  }
  if ((vol.source?.device ?? []).length > 0) out.push(problem('XML_UNSUPPORTED', '/volume/source/device', 'device extents belong to logical and disk pools, which virtkit does not run'));
  const fmt = vol.target?.format?.type;
  if (pool.type === 'rbd') {
    if (fmt !== undefined && fmt !== 'raw') out.push(problem('XML_UNSUPPORTED', '/volume/target/format/@type', `an rbd volume is raw, not '${fmt}'`));
    if (vol.backingStore) out.push(problem('XML_UNSUPPORTED', '/volume/backingStore', 'an rbd volume has no backing store here (clone it in Ceph)'));
    if (vol.target?.encryption) out.push(problem('XML_UNSUPPORTED', '/volume/target/encryption', 'encrypted rbd volumes are not supported'));
  } else if (fmt !== undefined && !FILE_POOL_FORMATS.has(fmt)) {
    out.push(problem('XML_UNSUPPORTED', '/volume/target/format/@type', `volume format '${fmt}' is not supported in a '${pool.type}' pool (${[...FILE_POOL_FORMATS].join(', ')})`));
  }
  const expected = volumePathIn(pool, vol.name);
  const path = vol.target?.path;
  if (expected !== undefined && path !== undefined && path !== expected) {
    out.push(problem('XML_CONFLICT', '/volume/target/path', `'${path}' is not where this pool keeps volume '${vol.name}' ('${expected}'); leave <path> out`));
  }
  return out;
}

export function validateVolume(vol: VolumeDef, pool: PoolDef): void {
  const [first] = volumeProblems(vol, pool);
  if (first) throw first;
}
