/**
 * What an image file is, from `qemu-img info --output=json` (qemu-img's
 * structured dialect): its format, virtual size and backing file. `-U` reads
 * an image a running guest holds. One small module, so that a header reader
 * (src/core/storage/qcow2.ts) can replace it without touching its callers.
 */
import { VirtkitError } from '../../core/errors.js';
import { runTool, type ToolRunner } from './tool.js';

export interface ImageInfo {
  readonly format: string;
  readonly virtualSize: number;
  readonly actualSize: number | undefined;
  readonly backing: { readonly path: string; readonly format: string | undefined } | undefined;
}

export async function imageInfo(path: string, run: ToolRunner = runTool): Promise<ImageInfo> {
  const { stdout } = await run('qemu-img', ['info', '-U', '--output=json', path]);
  return parseImageInfo(stdout, path);
}

export function parseImageInfo(json: string, path: string): ImageInfo {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch (e) {
    throw new VirtkitError('STORAGE_FAILED', `qemu-img info ${path} did not print JSON`, { cause: e });
  }
  const format = o['format'];
  const size = o['virtual-size'];
  if (typeof format !== 'string' || typeof size !== 'number') {
    throw new VirtkitError('STORAGE_FAILED', `qemu-img info ${path}: no format or virtual-size in its answer`);
  }
  const actual = o['actual-size'];
  const bpath = o['full-backing-filename'] ?? o['backing-filename'];
  const bfmt = o['backing-filename-format'];
  return {
    format,
    virtualSize: size,
    actualSize: typeof actual === 'number' ? actual : undefined,
    backing: typeof bpath === 'string' ? { path: bpath, format: typeof bfmt === 'string' ? bfmt : undefined } : undefined,
  };
}
