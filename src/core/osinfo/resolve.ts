/**
 * A database OS record + its relatives -> the OsInfo virtkit install uses, with libosinfo's inheritance rules:
 * devices are the union over the OS and everything it derives from or clones (recursively), minus any device a
 * link anywhere in that set marks supported="false" (osinfo_os_get_all_devices); resources marked inherit="true"
 * take the fields they lack from the relatives' resources of the same arch.
 */
import type { OsInfo, ResourceSet } from '../install/types.js';
import type { RawOs, RawResources } from './parse.js';

/** The OS and every OS it derives from or clones, nearest first, each once. */
function related(os: RawOs, byId: ReadonlyMap<string, RawOs>): RawOs[] {
  const out: RawOs[] = [];
  const seen = new Set<string>();
  const visit = (o: RawOs): void => {
    if (seen.has(o.id)) return;
    seen.add(o.id);
    out.push(o);
    for (const id of [...o.derivesFrom, ...o.clones]) {
      const r = byId.get(id);
      if (r) visit(r);
    }
  };
  visit(os);
  return out;
}

function resourceSets(chain: RawOs[], which: 'minimum' | 'recommended'): ResourceSet[] {
  const [self, ...rest] = chain;
  if (!self) return [];
  return self.resources
    .filter((r) => r[which] !== null || r.inherit)
    .map((r) => {
      const own: RawResources = r[which] ?? { ram: null, storage: null, cpu: null, nCpus: null };
      const set: ResourceSet = { arch: r.arch, ...own };
      if (!r.inherit) return set;
      for (const rel of rest) {
        for (const rr of rel.resources) {
          const v = rr[which];
          if (rr.arch !== r.arch || !v) continue;
          set.ram ??= v.ram;
          set.storage ??= v.storage;
          set.cpu ??= v.cpu;
          set.nCpus ??= v.nCpus;
        }
      }
      return set;
    });
}

export function resolveOs(os: RawOs, byId: ReadonlyMap<string, RawOs>): OsInfo {
  const chain = related(os, byId);
  const unsupported = new Set(chain.flatMap((o) => o.devices.filter((d) => !d.supported).map((d) => d.id)));
  const devices: string[] = [];
  for (const o of chain) for (const d of o.devices) if (d.supported && !unsupported.has(d.id) && !devices.includes(d.id)) devices.push(d.id);
  return {
    id: os.id,
    shortId: os.shortIds[0] ?? os.id,
    shortIds: os.shortIds,
    name: os.name,
    family: os.family,
    distro: os.distro,
    version: os.version,
    generic: false,
    devices,
    minimumResources: resourceSets(chain, 'minimum'),
    recommendedResources: resourceSets(chain, 'recommended'),
    trees: os.trees,
    media: os.media.map((m) => ({ arch: m.arch, volumeId: m.volumeId, kernel: m.kernel, initrd: m.initrd })),
    eol: os.eol,
  };
}

/** virt-install's "generic" OS: no database entry, no devices known. */
export function genericOs(): OsInfo {
  return {
    id: 'generic', shortId: 'generic', shortIds: ['generic'], name: 'Generic OS', family: 'generic', distro: null,
    version: null, generic: true, devices: [], minimumResources: [], recommendedResources: [], trees: [], media: [], eol: null,
  };
}
