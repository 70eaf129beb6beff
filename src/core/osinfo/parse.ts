/**
 * libosinfo's database XML (Debian's osinfo-db: /usr/share/osinfo/os/VENDOR/NAME.xml) -> plain records. Only what
 * virtkit install uses is kept: ids and names, family/distro/version, the relations that carry inheritance
 * (derives-from, clones), device links, resources, install media and trees. Untranslated `<name>` only.
 */
import { parseXmlTree, type XmlElement } from '../xml/tree.js';

export interface RawResources {
  ram: number | null;
  storage: number | null;
  cpu: number | null;
  nCpus: number | null;
}

export interface RawOs {
  id: string;
  shortIds: string[];
  name: string;
  family: string;
  distro: string | null;
  version: string | null;
  eol: string | null;
  /** release-status `rolling`: its media match only when no other OS's do. */
  rolling: boolean;
  derivesFrom: string[];
  clones: string[];
  devices: Array<{ id: string; supported: boolean }>;
  resources: Array<{ arch: string; inherit: boolean; minimum: RawResources | null; recommended: RawResources | null }>;
  media: Array<{
    arch: string;
    volumeId: string | null;
    systemId: string | null;
    publisherId: string | null;
    applicationId: string | null;
    /** Exact volume size in bytes, when the entry gives one. */
    volumeSize: number | null;
    kernel: string | null;
    initrd: string | null;
  }>;
  trees: Array<{ arch: string; url: string | null; kernel: string | null; initrd: string | null }>;
}

const attr = (el: XmlElement, name: string): string | null => el.attrs.find(([k]) => k === name)?.[1] ?? null;
const kids = (el: XmlElement, name: string): XmlElement[] => el.children.filter((c) => c.name === name);
/** Text of the first child without an xml:lang attribute. */
const text = (el: XmlElement | undefined, name: string): string | null => {
  const c = el ? kids(el, name).find((k) => attr(k, 'xml:lang') === null) : undefined;
  return c ? c.text.trim() : null;
};
const num = (el: XmlElement | undefined, name: string): number | null => {
  const t = text(el, name);
  return t === null || t === '' || !/^-?\d+$/.test(t) ? null : Number(t);
};

function resources(el: XmlElement | undefined): RawResources | null {
  if (!el) return null;
  return { ram: num(el, 'ram'), storage: num(el, 'storage'), cpu: num(el, 'cpu'), nCpus: num(el, 'n-cpus') };
}

function parseOs(os: XmlElement): RawOs {
  const devices = kids(os, 'devices').flatMap((d) => kids(d, 'device'));
  return {
    id: attr(os, 'id') ?? '',
    shortIds: kids(os, 'short-id').map((s) => s.text.trim()),
    name: text(os, 'name') ?? '',
    family: text(os, 'family') ?? '',
    distro: text(os, 'distro'),
    version: text(os, 'version'),
    eol: text(os, 'eol-date'),
    rolling: text(os, 'release-status') === 'rolling',
    derivesFrom: kids(os, 'derives-from').map((d) => attr(d, 'id') ?? ''),
    clones: kids(os, 'clones').map((d) => attr(d, 'id') ?? ''),
    devices: devices.map((d) => ({ id: attr(d, 'id') ?? '', supported: attr(d, 'supported') !== 'false' })),
    resources: kids(os, 'resources').map((r) => ({
      arch: attr(r, 'arch') ?? 'all',
      inherit: attr(r, 'inherit') === 'true',
      minimum: resources(kids(r, 'minimum')[0]),
      recommended: resources(kids(r, 'recommended')[0]),
    })),
    media: kids(os, 'media').map((m) => {
      const iso = kids(m, 'iso')[0];
      return {
        arch: attr(m, 'arch') ?? 'all',
        volumeId: text(iso, 'volume-id'),
        systemId: text(iso, 'system-id'),
        publisherId: text(iso, 'publisher-id'),
        applicationId: text(iso, 'application-id'),
        volumeSize: num(iso, 'volume-size'),
        kernel: text(m, 'kernel'),
        initrd: text(m, 'initrd'),
      };
    }),
    trees: kids(os, 'tree').map((t) => ({ arch: attr(t, 'arch') ?? 'all', url: text(t, 'url'), kernel: text(t, 'kernel'), initrd: text(t, 'initrd') })),
  };
}

/** Every `<os>` of one database file. */
export function parseOsinfoXml(xml: string): RawOs[] {
  const root = parseXmlTree(xml);
  return kids(root, 'os').map(parseOs);
}
