/**
 * libvirt's domain snapshot XML (formatsnapshot.html, snapshot_conf.c). The order of children
 * here is the order libvirt writes them. `<domain>` and `<inactiveDomain>` are parsed with the
 * domain's own schema (nothing of it is copied here); `<cookie>` (the QEMU driver's save
 * cookie: the guest CPU and the like at snapshot time) is kept verbatim and not interpreted.
 */
import { VirtkitError } from '../../errors.js';
import { formatWithSpec, parseWithSpec } from '../codec.js';
import type { DomainDef } from '../domain/index.js';
import { diskFormats, diskSourceSpec } from '../domain/schema/disk.js';
import { domainSpec } from '../domain/schema/domain.js';
import type { Model } from '../schema.js';
import { attr, custom, elem, many, one, raw, req, reqOne, text, textElem } from '../schema.js';
import type { XmlElement } from '../tree.js';
import { parseXmlTree } from '../tree.js';
import { int, oneOf, str, token, uint, uuidType } from '../values.js';

/** Where a snapshot keeps a disk's or the memory's state. 'manual' exists for disks only. */
export const snapshotLocation = oneOf('no', 'internal', 'external', 'manual');
export type SnapshotLocation = 'no' | 'internal' | 'external' | 'manual';

/** libvirt's snapshot states: the domain's states plus 'disk-snapshot' (a disk-only snapshot of a running domain). */
export const SNAPSHOT_STATES = ['running', 'blocked', 'paused', 'shutdown', 'shutoff', 'crashed', 'pmsuspended', 'disk-snapshot'] as const;
export type SnapshotState = (typeof SNAPSHOT_STATES)[number];

export const snapshotDiskSpec = elem({
  attrs: {
    name: req(token),
    snapshot: attr(snapshotLocation),
    // 'dir' and 'volume' parse so that validate can say why they are refused (as libvirt).
    type: attr(oneOf('file', 'block', 'network', 'dir', 'volume')),
  },
  children: {
    driver: one(
      elem({
        attrs: { type: attr(diskFormats) },
        children: {
          metadata_cache: one(elem({ children: { max_size: one(textElem(uint, { scaled: { field: 'value', out: 'bytes', default: 'bytes' } })) } })),
        },
      }),
    ),
    source: one(diskSourceSpec),
  },
});

/**
 * The domain a snapshot was taken of: a full definition, or (snapshots from before libvirt
 * 0.9.5, and libvirt's output when it has no definition) a <domain> with only its <uuid>.
 */
export type SnapshotDomain = { def: DomainDef } | { uuid: string };

const uuidOnlySpec = elem({ children: { uuid: reqOne(text(uuidType)) } });

function parseSnapshotDomain(el: XmlElement): SnapshotDomain {
  if (el.attrs.some(([k]) => k === 'type')) return { def: parseWithSpec(domainSpec, el) as DomainDef };
  if (el.children.some((c) => c.name !== 'uuid')) {
    throw new VirtkitError('XML_MISSING', `${el.path}/@type: a snapshot's <${el.name}> with more than a <uuid> is a domain definition and needs type='qemu' or 'kvm'`, {
      details: { path: `${el.path}/@type` },
    });
  }
  return parseWithSpec(uuidOnlySpec, el) as { uuid: string };
}

// Formatted through the codec and re-read as a tree: one formatter for the domain everywhere.
function formatSnapshotDomain(v: SnapshotDomain, name: string): XmlElement {
  const textForm = 'def' in v ? formatWithSpec(domainSpec, v.def, name, '') : formatWithSpec(uuidOnlySpec, v, name, '');
  return parseXmlTree(textForm);
}

const snapshotDomainSpec = custom<SnapshotDomain>({ parse: parseSnapshotDomain, format: formatSnapshotDomain });

function parseInactiveDomain(el: XmlElement): DomainDef {
  return parseWithSpec(domainSpec, el) as DomainDef;
}
const inactiveDomainSpec = custom<DomainDef>({
  parse: parseInactiveDomain,
  format: (v, name) => parseXmlTree(formatWithSpec(domainSpec, v, name, '')),
});

export const snapshotSpec = elem({
  children: {
    name: one(text(token)),
    description: one(text(str)),
    state: one(text(oneOf(...SNAPSHOT_STATES))),
    parent: one(elem({ children: { name: reqOne(text(token)) } })),
    creationTime: one(text(int)),
    memory: one(elem({ attrs: { snapshot: attr(snapshotLocation), file: attr(token) } })),
    disks: one(elem({ children: { disk: many(snapshotDiskSpec) } })),
    domain: one(snapshotDomainSpec),
    inactiveDomain: one(inactiveDomainSpec),
    cookie: one(raw),
    /** Whether this is the domain's current snapshot: virtkit's own metadata files only. */
    active: one(text(oneOf('0', '1'))),
  },
});

export type SnapshotDef = Model<typeof snapshotSpec>;
export type SnapshotDiskDef = Model<typeof snapshotDiskSpec>;
export type SnapshotMemory = NonNullable<SnapshotDef['memory']>;
