/**
 * The OS database hosts already have: Debian's osinfo-db package (libosinfo's XML data), read by virtkit. Loaded
 * from the same places libosinfo reads (the system database, then /etc/osinfo local overrides; an OS id given again
 * later replaces the earlier one), once per process, lazily. Lookup by short-id (`debian11`) or id URI; install ISOs
 * identified by their volume descriptors (virt-install's `--osinfo detect=on`).
 */
import { open, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import type { OsInfo } from '../../core/install/types.js';
import { PVD_LENGTH, PVD_OFFSET, parseIsoIdentity, type IsoIdentity } from '../../core/osinfo/iso9660.js';
import { GENERIC_LIST_ENTRY, virtInstallOsOrder, type OsListEntry } from '../../core/osinfo/list.js';
import { identifyMedia } from '../../core/osinfo/media.js';
import { parseOsinfoXml, type RawOs } from '../../core/osinfo/parse.js';
import { genericOs, resolveOs } from '../../core/osinfo/resolve.js';

/** libosinfo's default search path, system data first. */
export const OSINFO_DIRS = ['/usr/share/osinfo', '/etc/osinfo'];

async function xmlFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.xml'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

export class OsDb {
  private constructor(
    private readonly oses: RawOs[],
    private readonly byId: Map<string, RawOs>,
    private readonly byShortId: Map<string, RawOs>,
  ) {}

  /** Read every `os/` XML file under `dirs`. NOT_SUPPORTED-free: an empty database is valid (generic only). */
  static async load(dirs: readonly string[] = OSINFO_DIRS): Promise<OsDb> {
    const byId = new Map<string, RawOs>();
    for (const dir of dirs) {
      for (const file of await xmlFiles(join(dir, 'os'))) {
        let oses: RawOs[];
        try {
          oses = parseOsinfoXml(await readFile(file, 'utf8'));
        } catch (err) {
          throw new VirtkitError('INTERNAL_ERROR', `osinfo database file ${file} is not valid: ${(err as Error).message}`, { cause: err });
        }
        for (const os of oses) byId.set(os.id, os);
      }
    }
    const byShortId = new Map<string, RawOs>();
    for (const os of byId.values()) for (const s of os.shortIds) byShortId.set(s, os);
    return new OsDb([...byId.values()], byId, byShortId);
  }

  get size(): number {
    return this.oses.length;
  }

  /** `generic` (and virt-install's old `none`) -> the generic OS; a short-id or id URI -> that OS; else null. */
  lookup(name: string): OsInfo | null {
    if (name === 'generic' || name === 'none') return genericOs();
    const raw = this.byShortId.get(name) ?? this.byId.get(name);
    return raw ? resolveOs(raw, this.byId) : null;
  }

  /** Every OS with a short-id and virt-install's `generic`, in virt-install's order (`--osinfo list`, `osinfo-query os`). */
  list(): OsListEntry[] {
    const oses = this.oses
      .filter((o) => o.shortIds.length > 0)
      .map((o): OsListEntry => ({ id: o.id, shortIds: o.shortIds, name: o.name, version: o.version, family: o.family }));
    return virtInstallOsOrder([...oses, GENERIC_LIST_ENTRY]);
  }

  /** The OS an install ISO belongs to, with the kernel/initrd paths of the matching media, or null. */
  identify(iso: IsoIdentity, arch: string): { os: OsInfo; kernel: string | null; initrd: string | null } | null {
    const m = identifyMedia(iso, this.oses, arch);
    return m ? { os: resolveOs(m.os, this.byId), kernel: m.media.kernel, initrd: m.media.initrd } : null;
  }
}

/** An ISO file's identity, or null when the file is not ISO 9660 (a disk image, a kernel). */
export async function readIsoIdentity(path: string): Promise<IsoIdentity | null> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(PVD_LENGTH);
    const { bytesRead } = await fh.read(buf, 0, PVD_LENGTH, PVD_OFFSET);
    return bytesRead === PVD_LENGTH ? parseIsoIdentity(buf) : null;
  } finally {
    await fh.close();
  }
}

let shared: Promise<OsDb> | null = null;
/** The host's database, loaded once per process. */
export function hostOsDb(): Promise<OsDb> {
  shared ??= OsDb.load();
  return shared;
}
