/** <disk> and its backing chain. */
import { VirtkitError } from '../../../errors.js';
import { formatWithSpec, parseWithSpec } from '../../codec.js';
import type { Model } from '../../schema.js';
import { attr, custom, elem, many, one, req, text } from '../../schema.js';
import type { XmlElement } from '../../tree.js';
import { parseXmlTree } from '../../tree.js';
import { oneOf, onOff, str, token, uint, uuidType, yesNo } from '../../values.js';
import { addressSpec } from './address.js';
import { aliasSpec, bootSpec, virtioDriverAttrs } from './common.js';

export const diskFormats = oneOf('raw', 'qcow2', 'qcow', 'vmdk', 'vdi', 'vpc', 'vhdx', 'qed', 'luks', 'iso', 'dmg', 'cloop', 'bochs', 'parallels');

export const diskSourceSpec = elem({
  attrs: {
    file: attr(str),
    dev: attr(str),
    dir: attr(str),
    protocol: attr(oneOf('nbd', 'iscsi', 'rbd', 'sheepdog', 'gluster', 'http', 'https', 'ftp', 'ftps', 'tftp', 'ssh', 'nfs', 'vxhs')),
    name: attr(str),
    pool: attr(token),
    volume: attr(token),
    mode: attr(oneOf('host', 'direct')),
    startupPolicy: attr(oneOf('mandatory', 'requisite', 'optional')),
    index: attr(uint),
    tls: attr(yesNo),
  },
  children: {
    host: many(elem({ attrs: { name: attr(token), port: attr(uint), transport: attr(oneOf('tcp', 'unix', 'rdma')), socket: attr(str) } })),
    // <auth username><secret type='ceph' uuid|usage/></auth>: an rbd disk's cephx user and key.
    auth: one(elem({
      attrs: { username: req(token) },
      children: { secret: one(elem({ attrs: { type: req(oneOf('ceph', 'iscsi')), uuid: attr(uuidType), usage: attr(str) } })) },
    })),
  },
});

const backingLayerSpec = elem({
  attrs: { type: attr(oneOf('file', 'block', 'network', 'volume')), index: attr(uint) },
  children: {
    format: one(elem({ attrs: { type: req(diskFormats) } })),
    source: one(diskSourceSpec),
  },
});

export type BackingStore = Model<typeof backingLayerSpec> & { backingStore?: BackingStore };

function parseBacking(el: XmlElement): BackingStore {
  const nested = el.children.filter((c) => c.name === 'backingStore');
  if (nested.length > 1) {
    throw new VirtkitError('XML_DUPLICATE', `${nested[1]?.path ?? el.path}: <backingStore> may appear only once`, { details: { path: el.path } });
  }
  const layer = parseWithSpec(backingLayerSpec, { ...el, children: el.children.filter((c) => c.name !== 'backingStore') }) as BackingStore;
  const inner = nested[0];
  if (inner) layer.backingStore = parseBacking(inner);
  return layer;
}

function formatBacking(v: BackingStore, name: string): XmlElement {
  const { backingStore, ...layer } = v;
  // Reuse the generic formatter for the layer, then append the nested store.
  const el = formatLayer(layer, name);
  if (backingStore) el.children.push(formatBacking(backingStore, 'backingStore'));
  return el;
}

// The layer is formatted through the codec and re-read as a tree, keeping one formatter.
function formatLayer(layer: Model<typeof backingLayerSpec>, name: string): XmlElement {
  return parseXmlTree(formatWithSpec(backingLayerSpec, layer, name, ''));
}

export const backingStoreSpec = custom<BackingStore>({ parse: parseBacking, format: formatBacking });

/**
 * libvirt 10.0's <driver><iothreads>: the IOThreads a virtio disk uses, each
 * optionally with the virtqueues it serves (QEMU's iothread-vq-mapping, 9.0+).
 */
export const diskIothreadsSpec = elem({
  children: {
    iothread: many(elem({ attrs: { id: req(uint) }, children: { queue: many(elem({ attrs: { id: req(uint) } })) } })),
  },
});

/**
 * <encryption format='luks'><secret type='passphrase' uuid|usage=.../></encryption>, in the disk
 * (libvirt's place for it in its own output): the image is LUKS-encrypted and its key is the
 * value of that secret. Other formats parse so that the argv builder can refuse them by name.
 */
export const diskEncryptionSpec = elem({
  attrs: { format: req(oneOf('default', 'qcow', 'luks', 'luks2', 'luks-any')) },
  children: {
    secret: one(elem({ attrs: { type: req(oneOf('passphrase')), uuid: attr(uuidType), usage: attr(str) } })),
  },
});

export const diskSpec = elem({
  attrs: {
    type: attr(oneOf('file', 'block', 'network', 'volume', 'dir')),
    device: attr(oneOf('disk', 'cdrom', 'floppy', 'lun')),
    model: attr(oneOf('virtio', 'virtio-transitional', 'virtio-non-transitional')),
    snapshot: attr(oneOf('no', 'internal', 'external')),
    rawio: attr(yesNo),
    sgio: attr(oneOf('filtered', 'unfiltered')),
  },
  children: {
    driver: one(
      elem({
        attrs: {
          name: attr(oneOf('qemu')),
          type: attr(diskFormats),
          cache: attr(oneOf('default', 'none', 'writethrough', 'writeback', 'directsync', 'unsafe')),
          io: attr(oneOf('threads', 'native', 'io_uring')),
          discard: attr(oneOf('unmap', 'ignore')),
          detect_zeroes: attr(oneOf('off', 'on', 'unmap')),
          error_policy: attr(oneOf('stop', 'report', 'ignore', 'enospace')),
          rerror_policy: attr(oneOf('stop', 'report', 'ignore')),
          event_idx: attr(onOff),
          ioeventfd: attr(onOff),
          copy_on_read: attr(onOff),
          queues: attr(uint),
          queue_size: attr(uint),
          iothread: attr(uint),
          ...virtioDriverAttrs,
        },
        children: { iothreads: one(diskIothreadsSpec) },
      }),
    ),
    source: one(diskSourceSpec),
    backingStore: one(backingStoreSpec),
    // A running block job's target, as libvirt shows it in the live XML (an active commit: the base it writes into).
    mirror: one(elem({
      attrs: { type: attr(oneOf('file', 'block')), job: attr(oneOf('copy', 'active-commit')), ready: attr(oneOf('yes', 'abort', 'pivot')) },
      children: { format: one(elem({ attrs: { type: req(diskFormats) } })), source: one(diskSourceSpec) },
    })),
    target: one(
      elem({
        attrs: {
          dev: req(token),
          bus: attr(oneOf('ide', 'fdc', 'scsi', 'virtio', 'usb', 'sata', 'sd')),
          tray: attr(oneOf('open', 'closed')),
          removable: attr(onOff),
          rotation_rate: attr(uint),
        },
      }),
    ),
    blockio: one(elem({ attrs: { logical_block_size: attr(uint), physical_block_size: attr(uint), discard_granularity: attr(uint) } })),
    boot: one(bootSpec),
    readonly: one(elem({})),
    shareable: one(elem({})),
    transient: one(elem({})),
    serial: one(text(str)),
    wwn: one(text(token)),
    vendor: one(text(token)),
    product: one(text(token)),
    encryption: one(diskEncryptionSpec),
    alias: one(aliasSpec),
    address: one(addressSpec),
  },
});

export type DiskDef = Model<typeof diskSpec>;
