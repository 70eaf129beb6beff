/**
 * The guest's serial console as the daemon sees it. The driver starts QEMU
 * with the first serial port on a unix socket in the domain's runtime dir
 * (`-chardev socket,server=on,wait=off`), not a pty, and stays connected to
 * it from before the vCPUs run until QEMU exits. Why not a pty: QEMU polls a
 * pty's slave side only once a second and drops what the guest wrote while
 * nobody had it open, so a console attached right after start loses the first
 * second of output; a socket we hold is connected before the guest runs.
 *
 * One console session at a time: `open()` hands out a duplex stream; opening
 * another ends the previous one (the daemon's API decides whether a caller
 * may take over, i.e. `--force`). Guest output with no session attached is
 * discarded, as with virsh console.
 */
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { VirtkitError } from '../../core/errors.js';

export class SerialConsole {
  #session: Duplex | undefined;
  #closed = false;

  private constructor(private readonly sock: Socket) {
    sock.on('data', (chunk: Buffer) => {
      const s = this.#session;
      // Respect a slow reader: QEMU then holds the guest's UART, which is what a real serial line does.
      if (s !== undefined && !s.push(chunk)) sock.pause();
    });
    const end = (): void => {
      this.#closed = true;
      this.#session?.push(null);
      this.#session = undefined;
    };
    sock.on('close', end);
    sock.on('error', () => undefined); // 'close' follows
  }

  /** Connects to QEMU's console socket (retrying briefly while QEMU creates it). */
  static async connect(path: string, timeoutMs = 5_000): Promise<SerialConsole> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const sock = await new Promise<Socket>((resolve, reject) => {
          const s = createConnection(path);
          s.once('connect', () => { s.off('error', reject); resolve(s); });
          s.once('error', reject);
        });
        sock.unref(); // the console alone must not keep the daemon (or a test) alive
        return new SerialConsole(sock);
      } catch (err) {
        if (Date.now() > deadline) {
          throw new VirtkitError('IO_ERROR', `cannot connect to the serial console socket ${path}: ${(err as Error).message}`, { cause: err });
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }

  get attached(): boolean {
    return this.#session !== undefined;
  }

  /** A new console session; an existing one is ended (taken over). */
  open(): Duplex {
    if (this.#closed) throw new VirtkitError('OPERATION_INVALID', 'the serial console is closed: the domain is not running');
    this.#session?.push(null);
    const sock = this.sock;
    const session: Duplex = new Duplex({
      read: () => { if (this.#session === session) sock.resume(); },
      write: (chunk: Buffer, _enc, cb) => {
        if (this.#session !== session) { cb(); return; } // taken over: drop the keystrokes
        sock.write(chunk, () => cb());
      },
      final: (cb) => { this.#detach(session); cb(); },
      destroy: (err, cb) => { this.#detach(session); cb(err); },
    });
    this.#session = session;
    sock.resume();
    return session;
  }

  #detach(session: Duplex): void {
    if (this.#session !== session) return;
    this.#session = undefined;
    this.sock.resume(); // discard output until the next session
  }

  /** Ends the session and the connection (the daemon detaches or QEMU is gone). */
  close(): void {
    this.#session?.push(null);
    this.#session = undefined;
    this.sock.destroy();
  }
}
