/**
 * The baseline: QEMU started directly, no manager. Per repetition one boot
 * (exec -> QMP ready, exec -> guest marker on the serial port, then `quit`
 * -> QMP socket closed and child reaped) and one short run killed with
 * SIGKILL once QMP is ready.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestGuest } from '../../tests/helpers/guest.js';
import { GUEST_READY_MARKER, QEMU, bareArgv } from './guest.js';
import { exited, killQuietly, now, onCleanup } from './proc.js';
import { BenchQmp, MarkerWatch, within } from './qmp.js';
import type { Samples } from './stats.js';

interface Boot {
  qmp: BenchQmp;
  t0: number;
  qmpReady: number;
  marker: MarkerWatch;
  gone: Promise<void>;
  pid: number;
}

async function boot(g: TestGuest, dir: string, i: number): Promise<Boot> {
  const qmpSocket = join(dir, `qmp-${i}.sock`);
  const t0 = now();
  const child = spawn(QEMU, bareArgv(g, qmpSocket), { stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid ?? -1;
  const drop = onCleanup(() => killQuietly(pid));
  const marker = new MarkerWatch(GUEST_READY_MARKER);
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => marker.feed(d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const gone = exited(child).then(drop);
  const qmp = await BenchQmp.open(qmpSocket, 10_000, () => child.exitCode !== null).catch((e: unknown) => {
    throw new Error(`bare QEMU: ${(e as Error).message}: ${stderr.trim()}`);
  });
  return { qmp, t0, qmpReady: now() - t0, marker, gone, pid };
}

/**
 * One repetition of the baseline: a full boot (QMP ready, marker, `quit`) and
 * a short run ended by SIGKILL. The bench interleaves these with virtkit's
 * boots, so that both columns see the same load on this shared host.
 */
export class BareQemu {
  #i = 0;

  private constructor(readonly g: TestGuest, readonly dir: string, readonly drop: () => void) {}

  static async create(g: TestGuest): Promise<BareQemu> {
    const dir = await mkdtemp(join(tmpdir(), 'vkb-bare-'));
    return new BareQemu(g, dir, onCleanup(() => rm(dir, { recursive: true, force: true })));
  }

  async rep(out: Samples): Promise<void> {
    const b = await boot(this.g, this.dir, this.#i++);
    out.add('qmpReady', b.qmpReady);
    const seen = await within(b.marker.seen, 60_000, `bare QEMU guest marker (output: ${b.marker.tail()})`);
    out.add('marker', seen - b.t0);
    const tq = now();
    b.qmp.quit();
    out.add('quitGone', (await b.qmp.closed) - tq);
    await b.gone;
    out.add('quitReaped', now() - tq);

    const k = await boot(this.g, this.dir, this.#i++);
    out.add('qmpReady', k.qmpReady);
    const tk = now();
    killQuietly(k.pid, 'SIGKILL');
    out.add('killGone', (await k.qmp.closed) - tk);
    await k.gone;
    out.add('killReaped', now() - tk);
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    this.drop();
  }
}

/** N bare QEMUs at once, until every guest printed its marker (how much TCG on this host's cores allows). */
export async function benchBareConcurrent(g: TestGuest, n: number, out: Samples): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vkb-bare-'));
  const dropDir = onCleanup(() => rm(dir, { recursive: true, force: true }));
  const boots: Boot[] = [];
  try {
    const t0 = now();
    await within(Promise.all(Array.from({ length: n }, async (_, i) => {
      const b = await boot(g, dir, i);
      boots.push(b);
      await b.marker.seen;
    })), 180_000, `${n} concurrent bare QEMU guests`);
    out.add('concurrentAll', now() - t0);
  } finally {
    for (const b of boots) killQuietly(b.pid);
    await Promise.all(boots.map((b) => b.qmp.closed));
    await Promise.all(boots.map((b) => b.gone));
    await rm(dir, { recursive: true, force: true });
    dropDir();
  }
}
