/**
 * qemu-img's structured output, parsed and checked: `info`, `check` and `map` with
 * --output=json, and the "(N.NN/100%)" progress that `convert -p` / `commit -p` print (the one
 * text format, which has no JSON form). Tested on captured output in tests/fixtures/qemu-img/.
 */
import { VirtkitError } from '../errors.js';

export interface QemuImgSnapshot {
  readonly id: string;
  readonly name: string;
  readonly vmStateSize: number;
  readonly dateSec: number;
  readonly dateNsec: number;
  readonly vmClockSec: number;
  readonly vmClockNsec: number;
  readonly icount: number | undefined;
}

export interface QemuImgInfo {
  readonly filename: string;
  readonly format: string;
  readonly virtualSize: number;
  readonly actualSize: number | undefined;
  readonly clusterSize: number | undefined;
  readonly dirty: boolean;
  readonly encrypted: boolean;
  readonly backingFilename: string | undefined;
  readonly fullBackingFilename: string | undefined;
  readonly backingFormat: string | undefined;
  readonly snapshots: readonly QemuImgSnapshot[];
  /** format-specific.type and .data as qemu-img gave them (qcow2: compat, lazy-refcounts, refcount-bits, corrupt, encrypt...). */
  readonly formatSpecific: { readonly type: string; readonly data: Readonly<Record<string, unknown>> } | undefined;
}

export interface QemuImgCheck {
  readonly filename: string;
  readonly format: string;
  readonly checkErrors: number;
  readonly corruptions: number;
  readonly leaks: number;
  readonly corruptionsFixed: number;
  readonly leaksFixed: number;
  readonly imageEndOffset: number | undefined;
  readonly totalClusters: number | undefined;
  readonly allocatedClusters: number | undefined;
  readonly compressedClusters: number | undefined;
}

export interface QemuImgExtent {
  readonly start: number;
  readonly length: number;
  readonly depth: number;
  readonly present: boolean;
  readonly zero: boolean;
  readonly data: boolean;
  readonly offset: number | undefined;
}

type Obj = Readonly<Record<string, unknown>>;

function bad(what: string, why: string): VirtkitError {
  return new VirtkitError('QEMU_IMG_FAILED', `qemu-img ${what} gave output virtkit does not understand: ${why}`, { details: { command: what } });
}

function json(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw bad(what, `not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

function obj(v: unknown, what: string, where: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(what, `${where} is not an object`);
  return v as Obj;
}

function field<T>(o: Obj, key: string, type: 'number' | 'string' | 'boolean', what: string, optional: true): T | undefined;
function field<T>(o: Obj, key: string, type: 'number' | 'string' | 'boolean', what: string, optional?: false): T;
function field<T>(o: Obj, key: string, type: 'number' | 'string' | 'boolean', what: string, optional = false): T | undefined {
  const v = o[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== type) throw bad(what, `"${key}" is ${v === undefined ? 'missing' : `not a ${type}`}`);
  return v as T;
}

export function parseQemuImgInfo(text: string): QemuImgInfo {
  return infoOf(json(text, 'info'));
}

/** `info --backing-chain`: an array, top image first. */
export function parseQemuImgInfoChain(text: string): QemuImgInfo[] {
  const v = json(text, 'info');
  if (!Array.isArray(v)) throw bad('info', 'the backing chain is not an array');
  return v.map(infoOf);
}

function infoOf(v: unknown): QemuImgInfo {
  const o = obj(v, 'info', 'the image');
  const snaps = o['snapshots'] ?? [];
  if (!Array.isArray(snaps)) throw bad('info', '"snapshots" is not an array');
  const fs = o['format-specific'];
  const fso = fs === undefined ? undefined : obj(fs, 'info', '"format-specific"');
  return {
    filename: field(o, 'filename', 'string', 'info'),
    format: field(o, 'format', 'string', 'info'),
    virtualSize: field(o, 'virtual-size', 'number', 'info'),
    actualSize: field(o, 'actual-size', 'number', 'info', true),
    clusterSize: field(o, 'cluster-size', 'number', 'info', true),
    dirty: field<boolean>(o, 'dirty-flag', 'boolean', 'info', true) ?? false,
    encrypted: field<boolean>(o, 'encrypted', 'boolean', 'info', true) ?? false,
    backingFilename: field(o, 'backing-filename', 'string', 'info', true),
    fullBackingFilename: field(o, 'full-backing-filename', 'string', 'info', true),
    backingFormat: field(o, 'backing-filename-format', 'string', 'info', true),
    snapshots: snaps.map((s: unknown) => {
      const so = obj(s, 'info', 'a snapshot');
      return {
        id: field(so, 'id', 'string', 'info'),
        name: field(so, 'name', 'string', 'info'),
        vmStateSize: field(so, 'vm-state-size', 'number', 'info'),
        dateSec: field(so, 'date-sec', 'number', 'info'),
        dateNsec: field(so, 'date-nsec', 'number', 'info'),
        vmClockSec: field(so, 'vm-clock-sec', 'number', 'info'),
        vmClockNsec: field(so, 'vm-clock-nsec', 'number', 'info'),
        icount: field(so, 'icount', 'number', 'info', true),
      };
    }),
    formatSpecific: fso === undefined ? undefined : { type: field(fso, 'type', 'string', 'info'), data: obj(fso['data'] ?? {}, 'info', '"format-specific.data"') },
  };
}

export function parseQemuImgCheck(text: string): QemuImgCheck {
  const o = obj(json(text, 'check'), 'check', 'the result');
  const n = (k: string): number | undefined => field(o, k, 'number', 'check', true);
  return {
    filename: field(o, 'filename', 'string', 'check'),
    format: field(o, 'format', 'string', 'check'),
    checkErrors: field(o, 'check-errors', 'number', 'check'),
    corruptions: n('corruptions') ?? 0,
    leaks: n('leaks') ?? 0,
    corruptionsFixed: n('corruptions-fixed') ?? 0,
    leaksFixed: n('leaks-fixed') ?? 0,
    imageEndOffset: n('image-end-offset'),
    totalClusters: n('total-clusters'),
    allocatedClusters: n('allocated-clusters'),
    compressedClusters: n('compressed-clusters'),
  };
}

export function parseQemuImgMap(text: string): QemuImgExtent[] {
  const v = json(text, 'map');
  if (!Array.isArray(v)) throw bad('map', 'not an array of extents');
  return v.map((e: unknown) => {
    const o = obj(e, 'map', 'an extent');
    return {
      start: field(o, 'start', 'number', 'map'),
      length: field(o, 'length', 'number', 'map'),
      depth: field(o, 'depth', 'number', 'map'),
      present: field<boolean>(o, 'present', 'boolean', 'map', true) ?? true,
      zero: field(o, 'zero', 'boolean', 'map'),
      data: field(o, 'data', 'boolean', 'map'),
      offset: field(o, 'offset', 'number', 'map', true),
    };
  });
}

/**
 * The percentages in `-p` output, which qemu-img writes as "    (12.50/100%)\r" records, in pieces
 * as they arrive: feed each chunk, get the whole records it completed.
 */
export class ProgressParser {
  private rest = '';

  push(chunk: string): number[] {
    const text = this.rest + chunk;
    const out: number[] = [];
    const re = /\((\d+(?:\.\d+)?)\/100%\)/g;
    let end = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      out.push(Number(m[1]));
      end = re.lastIndex;
    }
    // Keep an unfinished record (from its last "(") for the next chunk; drop what is done.
    const open = text.lastIndexOf('(');
    this.rest = open >= end ? text.slice(open) : '';
    return out;
  }
}
