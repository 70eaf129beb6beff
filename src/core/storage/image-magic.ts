/**
 * Whether a file starts with a qcow2 header. Only ever used to warn about or refuse a file that
 * claims to be something else (a raw disk whose first bytes are a qcow2 header naming a host file):
 * never to choose a format. The format of every image is explicit (docs/storage.md).
 */
import { QCOW2_MAGIC } from './qcow2.js';

export type ImageMagic = 'qcow2';

export function detectImageMagic(head: Uint8Array): ImageMagic | undefined {
  if (head.length < 4) return undefined;
  const v = new DataView(head.buffer, head.byteOffset, 4);
  return v.getUint32(0, false) === QCOW2_MAGIC ? 'qcow2' : undefined;
}
