/**
 * qemu-img, run with an argument array (execFile semantics: never a shell), its JSON output
 * parsed by core/storage/qemu-img-json.ts, the argv planned by core/storage/qemu-img-args.ts.
 * A failure becomes QEMU_IMG_FAILED quoting qemu-img's own message; a missing binary QEMU_NOT_FOUND.
 */
import { access, rm } from 'node:fs/promises';
import { VirtkitError, isVirtkitError } from '../../core/errors.js';
import * as plan from '../../core/storage/qemu-img-args.js';
import type { ConvertSpec, CreateSpec, ImageRef } from '../../core/storage/qemu-img-args.js';
import * as out from '../../core/storage/qemu-img-json.js';
import { spawnQemuImg } from './qemu-img-spawn.js';
import { isNoSpace } from './tool.js';

export interface RunOptions {
  /** Percentages as `-p` reports them (convert, commit, rebase). */
  readonly onProgress?: (percent: number) => void;
  readonly signal?: AbortSignal;
  /** Exit statuses that are results, not failures (check: 2 corruptions, 3 leaks). */
  readonly okExit?: readonly number[];
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
}

/** qemu-img's error lines, without its "qemu-img: " prefix, for a message. */
function quote(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.map((l) => l.replace(/^qemu-img: /, '')).join('; ') || '(no message)';
}

/**
 * `create` writes to stdout only its "Formatting ..." line, which nothing reads: its stdout goes to
 * /dev/null, which spares the daemon a pipe and the wake-up to read that line (~0.3 ms of a linked
 * clone, docs/bench.md). Its errors are on stderr, still read.
 */
function stdoutOf(args: readonly string[], o: RunOptions): 'ignore' | 'pipe' {
  return args[0] === 'create' && o.onProgress === undefined ? 'ignore' : 'pipe';
}

export function runQemuImg(args: readonly string[], o: RunOptions = {}, binary = 'qemu-img'): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawnQemuImg(binary, args, { stdout: stdoutOf(args, o), signal: o.signal });
    const progress = new out.ProgressParser();
    const so: Buffer[] = [];
    const se: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => {
      so.push(b);
      if (o.onProgress) for (const p of progress.push(b.toString('latin1'))) o.onProgress(p);
    });
    child.stderr?.on('data', (b: Buffer) => se.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') {
        reject(new VirtkitError('QEMU_NOT_FOUND', `${binary} not found; install it (apt install qemu-utils)`, { details: { binary }, cause: e }));
      } else {
        reject(new VirtkitError('QEMU_IMG_FAILED', `qemu-img ${args[0] ?? ''} could not run: ${e.message}`, { details: { args: [...args] }, cause: e }));
      }
    });
    child.on('close', (code, sig) => {
      const r = { stdout: Buffer.concat(so).toString('utf8'), stderr: Buffer.concat(se).toString('utf8'), exitCode: code ?? -1 };
      if (code === 0 || (code !== null && o.okExit?.includes(code) === true)) return resolve(r);
      const why = sig !== null ? `was killed by ${sig}` : `failed (exit ${code})`;
      // check exits 63 for a format without checks (raw): not a failure of the image, nothing to check.
      const code2 = code === 63 && args[0] === 'check' ? 'UNSUPPORTED_OPERATION' : isNoSpace(r.stderr) ? 'NO_SPACE' : 'QEMU_IMG_FAILED';
      reject(new VirtkitError(code2, `qemu-img ${args[0] ?? ''} ${why}: ${quote(r.stderr)}`, { details: { args: [...args], exitCode: r.exitCode, stderr: r.stderr } }));
    });
  });
}

/**
 * runQemuImg for create and convert. QEMU 7.2 sizes LUKS key-slot iterations with a PBKDF
 * benchmark that fails ("Unable to get accurate CPU usage") when the thread's CPU time reads 0,
 * which a loaded host can cause (tick-based thread CPU times); the run is then harmless to repeat (up to 10 times: under
 * load three tries were seen to fail). Anything
 * else fails at once.
 */
export async function runQemuImgRetrying(args: readonly string[], o: RunOptions = {}, binary = 'qemu-img'): Promise<RunResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runQemuImg(args, o, binary);
    } catch (e) {
      const flaky = isVirtkitError(e) && /Unable to get accurate CPU usage/.test(e.message);
      if (!flaky || attempt >= 10) throw e;
    }
  }
}

/** The qemu-img operations virtkit uses; every image's format is explicit. */
export class QemuImg {
  constructor(private readonly binary = 'qemu-img') {}

  private run(args: readonly string[], o?: RunOptions): Promise<RunResult> {
    return runQemuImg(args, o, this.binary);
  }

  /** `forceShare` (-U) reads an image a running guest holds open. */
  async info(img: ImageRef, o: { forceShare?: boolean } = {}): Promise<out.QemuImgInfo> {
    return out.parseQemuImgInfo((await this.run(plan.infoArgs(img, o))).stdout);
  }

  /** The chain as qemu-img sees it. Only for a chain virtkit's own walker accepted (core/storage/backing-chain.ts). */
  async infoChain(img: ImageRef, o: { forceShare?: boolean } = {}): Promise<out.QemuImgInfo[]> {
    return out.parseQemuImgInfoChain((await this.run(plan.infoArgs(img, { ...o, backingChain: true }))).stdout);
  }

  /** Corruptions and leaks are results (exit 2 and 3); a check that could not run (exit 1) throws. */
  async check(img: ImageRef, o: { repair?: 'leaks' | 'all'; forceShare?: boolean } = {}): Promise<out.QemuImgCheck> {
    return out.parseQemuImgCheck((await this.run(plan.checkArgs(img, o), { okExit: [2, 3] })).stdout);
  }

  async map(img: ImageRef, o: { forceShare?: boolean } = {}): Promise<out.QemuImgExtent[]> {
    return out.parseQemuImgMap((await this.run(plan.mapArgs(img, o))).stdout);
  }

  /** A failed create leaves no file behind (unless one was there before: qemu-img may have rewritten it). */
  async create(spec: CreateSpec): Promise<void> {
    const existed = await exists(spec.path);
    try {
      await this.retryingBenchmark(plan.createArgs(spec));
    } catch (e) {
      if (!existed) await rm(spec.path, { force: true });
      throw e;
    }
  }

  private async retryingBenchmark(args: readonly string[], o?: RunOptions): Promise<void> {
    await runQemuImgRetrying(args, o, this.binary);
  }

  async convert(spec: ConvertSpec, o: Pick<RunOptions, 'onProgress' | 'signal'> = {}): Promise<void> {
    await this.retryingBenchmark(plan.convertArgs(spec), o);
  }

  async resize(img: ImageRef, size: number, o: { shrink?: boolean; preallocation?: 'falloc' | 'full' } = {}): Promise<void> {
    await this.run(plan.resizeArgs(img, size, o));
  }

  async rebase(img: ImageRef, backing: { path: string; format: string } | null, o: { unsafe?: boolean } & Pick<RunOptions, 'onProgress'> = {}): Promise<void> {
    await this.run(plan.rebaseArgs(img, backing, o), o);
  }

  async commit(img: ImageRef, o: { base?: string } & Pick<RunOptions, 'onProgress'> = {}): Promise<void> {
    await this.run(plan.commitArgs(img, o), o);
  }

  async snapshot(img: ImageRef, op: 'create' | 'delete' | 'apply', name: string): Promise<void> {
    await this.run(plan.snapshotArgs(img, op, name));
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
