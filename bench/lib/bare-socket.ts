/**
 * The ceiling a transfer between two node processes has on this host, for the storage bench's
 * vol-upload / vol-download rows: a child node process streams a file into a UNIX socket
 * (fs.createReadStream piped into net.connect, 1 MiB reads), this process receives it, with no
 * HTTP and no virtkit. `toFile` also writes what arrives into a file (fs.createWriteStream) and
 * fsyncs it, as a durable upload must. Timed from the connection to the last byte (and fsync).
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { exited, now } from './proc.js';

const SENDER = `const s = require('net').connect(process.argv[1], () => {
  require('fs').createReadStream(process.argv[2], { highWaterMark: 1 << 20 }).pipe(s);
});`;

/** MiB/s of `src` sent by a child process over a UNIX socket in `work`, received here (into `out`, fsync'ed, when given). */
export async function bareSocketRate(work: string, src: string, out?: string): Promise<number> {
  const bytes = (await stat(src)).size;
  const sock = join(work, 'bare.sock');
  let t0 = 0;
  const received = new Promise<number>((resolve, reject) => {
    const server = createServer((c: Socket) => {
      t0 = now();
      server.close();
      const done = (async () => {
        if (out === undefined) {
          let n = 0;
          for await (const b of c) n += (b as Buffer).length;
          return n;
        }
        const fh = await open(out, 'w');
        try {
          const w = createWriteStream(out, { fd: fh.fd, autoClose: false, highWaterMark: 1 << 20 });
          await pipeline(c, w);
          await fh.sync();
          return w.bytesWritten;
        } finally {
          await fh.close();
        }
      })();
      done.then(resolve, reject);
    });
    server.on('error', reject);
    server.listen(sock, () => {
      const child = spawn(process.execPath, ['-e', SENDER, sock, src], { stdio: 'ignore' });
      exited(child).catch(reject);
    });
  });
  const n = await received;
  const ms = now() - t0;
  await rm(sock, { force: true });
  if (n !== bytes) throw new Error(`bare socket: received ${n} of ${bytes} bytes`);
  return bytes / (1 << 20) / (ms / 1000);
}
