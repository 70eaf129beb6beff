/**
 * A network namespace of the bench's own (`ip netns add`), with `lo` up: the daemons it starts inside
 * make their bridges, firewall rules, dnsmasq and guests there, so nothing of the host's network
 * changes. Removed at the end (and on an error or a signal): any process still inside (a dnsmasq or
 * QEMU a daemon left behind) is killed by its pid first, then the namespace is deleted; the pids
 * killed are reported as an error.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { killQuietly, onCleanup, sleep } from './proc.js';

const run = promisify(execFile);

export async function pidsIn(name: string): Promise<number[]> {
  const out = (await run('ip', ['netns', 'pids', name]).catch(() => ({ stdout: '' }))).stdout;
  return out.split('\n').map((l) => Number(l.trim())).filter((p) => p > 0);
}

export class NetNs {
  readonly #drop: () => void;

  private constructor(readonly name: string) {
    this.#drop = onCleanup(() => this.dispose());
  }

  static async create(name: string): Promise<NetNs> {
    await run('ip', ['netns', 'add', name]);
    const ns = new NetNs(name);
    await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /** `ip netns exec NAME` as a command prefix. */
  get exec(): string[] {
    return ['ip', 'netns', 'exec', this.name];
  }

  async dispose(): Promise<void> {
    this.#drop();
    const left = await pidsIn(this.name);
    for (const p of left) killQuietly(p);
    for (let i = 0; i < 100 && (await pidsIn(this.name)).length > 0; i++) await sleep(20);
    await run('ip', ['netns', 'del', this.name]);
    if (left.length > 0) throw new Error(`processes left in network namespace ${this.name}: ${left.join(' ')} (killed)`);
  }
}
