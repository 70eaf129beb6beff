/** Big-endian reads over the caller's bytes, and the two errors an image header earns. */
import { VirtkitError, type ErrorDetails } from '../errors.js';

export function bytesView(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

export function u16(v: DataView, at: number): number {
  return v.getUint16(at, false);
}

export function u32(v: DataView, at: number): number {
  return v.getUint32(at, false);
}

export function u64(v: DataView, at: number): bigint {
  return v.getBigUint64(at, false);
}

/** An offset for error details: a number while exact, else its decimal string. */
export function unsafeOffset(off: bigint): number | string {
  return off <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(off) : off.toString();
}

const HINT = 'the image is damaged or was crafted; do not use it as a disk (`qemu-img check` says more)';

export function imageInvalid(why: string, details: ErrorDetails): VirtkitError {
  return new VirtkitError('IMAGE_INVALID', `invalid qcow2 image: ${why}; ${HINT}`, { details });
}

export function imageUnsupported(why: string, details: ErrorDetails): VirtkitError {
  return new VirtkitError('IMAGE_UNSUPPORTED', `unsupported qcow2 image: ${why}`, { details });
}

/** Names in a qcow2 image are UTF-8 without NUL bytes; anything else is refused rather than guessed at. */
export function decodeName(bytes: Uint8Array, what: string): string {
  if (bytes.includes(0)) throw imageInvalid(`${what} contains a NUL byte`, {});
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw imageInvalid(`${what} is not valid UTF-8`, {});
  }
}
