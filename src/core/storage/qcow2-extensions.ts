/**
 * qcow2 header extensions: the list after the fixed header, up to the backing file name (or the
 * end of the first cluster). Each is (type u32, length u32, data padded to 8 bytes); type 0 ends
 * the list. Unknown types are skipped, as QEMU does; every length is checked against the space left.
 */
import { bytesView, decodeName, imageInvalid, u32, u64 } from './qcow2-bytes.js';

export const EXT_BACKING_FORMAT = 0xe2792aca;
export const EXT_FEATURE_NAMES = 0x6803f857;
export const EXT_BITMAPS = 0x23852875;
export const EXT_LUKS = 0x0537be77;
export const EXT_DATA_FILE = 0x44415441;

export interface Qcow2FeatureName {
  readonly type: 'incompatible' | 'compatible' | 'autoclear';
  readonly bit: number;
  readonly name: string;
}

export interface Qcow2Extensions {
  /** The backing file's format as recorded in the image (extension 0xe2792aca). */
  readonly backingFormat: string | undefined;
  /** The external data file name as recorded (not resolved, never opened here). */
  readonly dataFile: string | undefined;
  readonly featureNames: readonly Qcow2FeatureName[];
  /** The LUKS header of an encrypted image (crypt_method 2): where it lies in the file. */
  readonly luks: { readonly offset: number; readonly length: number } | undefined;
  readonly bitmaps: { readonly count: number; readonly directoryOffset: number; readonly directorySize: number } | undefined;
  /** Types of extensions virtkit does not read, in file order. */
  readonly unknownExtensions: readonly number[];
}

const FEATURE_TYPES = ['incompatible', 'compatible', 'autoclear'] as const;

export function parseExtensions(head: Uint8Array, start: number, end: number, fileSize: number): Qcow2Extensions {
  const v = bytesView(head);
  const out: { -readonly [K in keyof Qcow2Extensions]: Qcow2Extensions[K] } = {
    backingFormat: undefined,
    dataFile: undefined,
    featureNames: [],
    luks: undefined,
    bitmaps: undefined,
    unknownExtensions: [],
  };
  const names: Qcow2FeatureName[] = [];
  const unknown: number[] = [];
  let at = start;
  while (at + 8 <= end) {
    const type = u32(v, at);
    const len = u32(v, at + 4);
    if (type === 0) break;
    const data = at + 8;
    if (data + len > end) {
      throw imageInvalid(`header extension 0x${type.toString(16)} (${len} bytes at offset ${data}) runs past the header area, which ends at ${end}`, {
        extension: type,
        offset: data,
        length: len,
      });
    }
    const bytes = head.subarray(data, data + len);
    switch (type) {
      case EXT_BACKING_FORMAT:
        if (len === 0 || len > 15) throw imageInvalid(`the backing format extension is ${len} bytes long (1..15)`, { length: len });
        out.backingFormat = ascii(bytes, 'the backing format');
        break;
      case EXT_DATA_FILE:
        if (len === 0 || len > 1023) throw imageInvalid(`the data file name extension is ${len} bytes long (1..1023)`, { length: len });
        out.dataFile = ascii(bytes, 'the data file name', false);
        break;
      case EXT_FEATURE_NAMES:
        for (let e = 0; e + 48 <= len; e += 48) {
          const t = FEATURE_TYPES[bytes[e] ?? 255];
          const raw = bytes.subarray(e + 2, e + 48);
          const nul = raw.indexOf(0);
          if (t !== undefined) names.push({ type: t, bit: bytes[e + 1] ?? 0, name: String.fromCharCode(...raw.subarray(0, nul < 0 ? 46 : nul)) });
        }
        break;
      case EXT_LUKS: {
        if (len !== 16) throw imageInvalid(`the LUKS header extension is ${len} bytes long (16)`, { length: len });
        const offset = u64(v, data);
        const length = u64(v, data + 8);
        if (offset + length > BigInt(fileSize)) {
          throw imageInvalid(`the LUKS header (${length} bytes at offset ${offset}) runs past the end of the file (${fileSize} bytes)`, {
            offset: offset.toString(),
            length: length.toString(),
            fileSize,
          });
        }
        out.luks = { offset: Number(offset), length: Number(length) };
        break;
      }
      case EXT_BITMAPS: {
        if (len !== 24) throw imageInvalid(`the bitmaps extension is ${len} bytes long (24)`, { length: len });
        const dirSize = u64(v, data + 8);
        const dirOffset = u64(v, data + 16);
        if (dirOffset + dirSize > BigInt(fileSize)) {
          throw imageInvalid(`the bitmap directory (${dirSize} bytes at offset ${dirOffset}) runs past the end of the file (${fileSize} bytes)`, {
            offset: dirOffset.toString(),
            length: dirSize.toString(),
            fileSize,
          });
        }
        out.bitmaps = { count: u32(v, data), directoryOffset: Number(dirOffset), directorySize: Number(dirSize) };
        break;
      }
      default:
        unknown.push(type);
    }
    at = data + Math.ceil(len / 8) * 8;
  }
  out.featureNames = names;
  out.unknownExtensions = unknown;
  return out;
}

/** Printable ASCII only for format names; UTF-8 without NUL for file names. */
function ascii(bytes: Uint8Array, what: string, strict = true): string {
  if (strict && bytes.some((b) => b < 0x21 || b > 0x7e)) throw imageInvalid(`${what} is not a printable ASCII word`, {});
  return decodeName(bytes, what);
}
