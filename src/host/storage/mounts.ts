/**
 * Mounting the source of an fs (or netfs) pool on its target, and what the
 * kernel can mount. The proc root is a parameter so that a test can point it
 * at a fake tree; the mount tools are run through a ToolRunner.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import { runTool, type ToolRunner } from './tool.js';

export interface MountOptions {
  readonly source: string;
  readonly target: string;
  /** -t TYPE; undefined lets mount probe (libvirt's 'auto'). */
  readonly fsType?: string | undefined;
  /** -o loop: the source is an image file, not a block device. */
  readonly loop: boolean;
}

export class Mounter {
  constructor(
    private readonly run: ToolRunner = runTool,
    private readonly procRoot = '/proc',
  ) {}

  /** The argv of the mount (a plan: printed by --dry-run, compared by tests). */
  static mountArgs(o: MountOptions): string[] {
    return [...(o.fsType === undefined ? [] : ['-t', o.fsType]), ...(o.loop ? ['-o', 'loop'] : []), o.source, o.target];
  }

  async mount(o: MountOptions): Promise<void> {
    await this.run('mount', Mounter.mountArgs(o));
  }

  /** Unmounts `target`; a loop device that mount set up is freed by umount itself (autoclear). */
  async unmount(target: string): Promise<void> {
    await this.run('umount', [target]);
  }

  /** Whether something is mounted exactly on `target` (from mountinfo: field 5 is the mount point). */
  async isMounted(target: string): Promise<boolean> {
    const text = await readFile(join(this.procRoot, 'self', 'mountinfo'), 'utf8');
    return text.split('\n').some((line) => unescapeMount(line.split(' ')[4] ?? '') === target);
  }

  /** Whether the kernel knows file system `fs` (/proc/filesystems); nfs needs the NFS client module. */
  async kernelHas(fs: string): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(join(this.procRoot, 'filesystems'), 'utf8');
    } catch (e) {
      throw new VirtkitError('IO_ERROR', `cannot read ${join(this.procRoot, 'filesystems')}: ${(e as Error).message}`, { cause: e });
    }
    return text.split('\n').some((l) => l.split('\t').at(-1)?.trim() === fs);
  }
}

/** mountinfo writes space, tab, newline and backslash in paths as \\ooo octal escapes. */
export function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}
