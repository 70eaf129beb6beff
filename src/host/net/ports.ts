/**
 * TCP ports handed out to QEMU for listeners it opens itself (VNC's autoport), as libvirt's port allocator: the
 * lowest port of the range that nobody here holds and that can be bound on the listen address right now. A port is
 * held from allocation until released (the start failed, or QEMU exited), so two starts at once never get the same
 * one; ports of QEMUs this process did not start (re-attached after a restart) are found taken by the bind test.
 */
import { createServer } from 'node:net';
import { VirtkitError } from '../../core/errors.js';

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

export class PortAllocator {
  readonly #held = new Set<number>();

  constructor(private readonly first: number, private readonly last: number, private readonly what: string) {}

  /** The lowest free port on `host` (an address, not a name), held until release(). */
  async allocate(host: string): Promise<number> {
    for (let p = this.first; p <= this.last; p++) {
      if (this.#held.has(p)) continue;
      this.#held.add(p); // held before the await: a concurrent allocate skips it
      if (await canListen(p, host)) return p;
      this.#held.delete(p);
    }
    throw new VirtkitError('HOST_UNSUPPORTED', `no free ${this.what} port between ${this.first} and ${this.last} on ${host}`, { details: { first: this.first, last: this.last, host } });
  }

  release(port: number): void {
    this.#held.delete(port);
  }
}
