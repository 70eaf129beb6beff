/**
 * Reading disk image files for the pure qcow2 reader: the bytes it asks for, the file's size,
 * and its real allocation (st_blocks * 512, not the file size: a sparse 10 GiB image may hold
 * 200 KiB). Opens read-only and non-blocking (a FIFO named as a backing file must not hang the
 * daemon), and only regular files.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { VirtkitError, isVirtkitError } from '../../core/errors.js';
import type { ChainReader } from '../../core/storage/backing-chain.js';
import { detectImageMagic, type ImageMagic } from '../../core/storage/image-magic.js';
import { PROBE_HEAD_BYTES, VMDK_DESCRIPTOR_MAX_BYTES, isVmdkDescriptor, probeImage, probeImageFormat, type ProbedImage } from '../../core/storage/image-probe.js';
import { readQcow2, type ImageSource, type Qcow2Info } from '../../core/storage/qcow2-read.js';
import { vhdxVirtualSize } from '../../core/storage/image-probe-vhdx.js';

export interface ImageFileFacts {
  readonly path: string;
  /** st_size: what the file claims. */
  readonly size: number;
  /** st_blocks * 512: what the file really occupies on disk. */
  readonly allocation: number;
  /** "dev:ino": the file itself, whatever name reached it. */
  readonly identity: string;
}

/** Opens `path` read-only, checks it is a regular file, and runs `fn` with a byte source over it. */
export async function withImageFile<T>(path: string, fn: (src: ImageSource, facts: ImageFileFacts) => Promise<T>): Promise<T> {
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    throw new VirtkitError('IO_ERROR', `cannot open image ${path}: ${code === 'ENOENT' ? 'no such file' : code}`, { details: { path, errno: code }, cause: e });
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new VirtkitError('IMAGE_UNSUPPORTED', `${path} is not a regular file; virtkit reads image files only`, { details: { path } });
    const facts: ImageFileFacts = { path, size: st.size, allocation: st.blocks * 512, identity: `${st.dev}:${st.ino}` };
    const src: ImageSource = {
      size: st.size,
      read: async (offset, length) => {
        const buf = Buffer.alloc(length);
        let got = 0;
        while (got < length) {
          const { bytesRead } = await fh.read(buf, got, length - got, offset + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        return buf.subarray(0, got);
      },
    };
    return await fn(src, facts);
  } finally {
    await fh.close();
  }
}

/** Size, allocation and identity of an image file, without reading it. */
export async function imageFileFacts(path: string): Promise<ImageFileFacts> {
  return withImageFile(path, (_src, facts) => Promise.resolve(facts));
}

/** Reads a qcow2 image's header and snapshot table; errors name the file. */
export async function readQcow2File(path: string): Promise<{ info: Qcow2Info; facts: ImageFileFacts }> {
  return withImageFile(path, async (src, facts) => {
    try {
      return { info: await readQcow2(src), facts };
    } catch (e) {
      if (!isVirtkitError(e)) throw e;
      throw new VirtkitError(e.code, `${path}: ${e.message}`, { details: { ...e.details, path }, cause: e });
    }
  });
}

/** What a pool volume's first bytes say: a qcow2 header read in full, or another format probed by its magic. */
export type PoolVolumeHeader = { readonly kind: 'qcow2'; readonly info: Qcow2Info } | { readonly kind: 'probed'; readonly image: ProbedImage };

/**
 * A pool volume's header, in one open: the qcow2 header when the file starts with one, another
 * format by its magic (core/storage/image-probe.ts: bounded reads), else undefined (listed as raw).
 * For listing pool volumes only; a disk's format is always explicit.
 */
export async function readPoolVolumeHeader(path: string): Promise<PoolVolumeHeader | undefined> {
  return withImageFile(path, async (src) => {
    let head = await src.read(0, Math.min(src.size, PROBE_HEAD_BYTES));
    // Any "QFI\xfb" file but qcow v1 goes to the qcow2 reader, which refuses (and so warns about) an unknown version.
    if (detectImageMagic(head) !== 'qcow2' || probeImageFormat(head) === 'qcow') {
      if (isVmdkDescriptor(head)) head = await src.read(0, Math.min(src.size, VMDK_DESCRIPTOR_MAX_BYTES));
      const image = probeImage(head, src.size);
      if (image?.format === 'vhdx') return { kind: 'probed', image: { ...image, capacity: await vhdxVirtualSize(src) } };
      return image === undefined ? undefined : { kind: 'probed', image };
    }
    try {
      return { kind: 'qcow2', info: await readQcow2(src) };
    } catch (e) {
      if (!isVirtkitError(e)) throw e;
      throw new VirtkitError(e.code, `${path}: ${e.message}`, { details: { ...e.details, path }, cause: e });
    }
  });
}

/** Whether the file starts with a qcow2 header: to warn that a raw disk looks like qcow2, never to choose its format. */
export async function imageMagicOf(path: string): Promise<ImageMagic | undefined> {
  return withImageFile(path, async (src) => detectImageMagic(await src.read(0, Math.min(src.size, 4))));
}

/** The backing-chain walker's reader over real files. */
export const fileChainReader: ChainReader = {
  async readQcow2(path) {
    const { info, facts } = await readQcow2File(path);
    return { identity: facts.identity, info };
  },
};
