/**
 * A client process for the transfer tests (tests/integration/storage-volume-lease.test.ts): runs one
 * vol-upload or vol-download through the real client library, as its own process, so that a test
 * can run it with fewer rights (setpriv) or kill -9 it mid-copy. Its one argument is JSON:
 *   { root, pool, vol, file, direction: 'upload' | 'download', offset?, length?, stream?, hang? }
 * `hang`: after the first block is written, print "HANGING" and block for good (the lease held,
 * part of the range written) until killed. Prints one line of JSON at the end: {"ok":true,"result"}
 * or {"ok":false,"code","message"}.
 */
import { VirtkitClient } from '../../src/client/client.js';

interface Job {
  readonly root: string;
  readonly pool: string;
  readonly vol: string;
  readonly file: string;
  readonly direction: 'upload' | 'download';
  readonly offset?: number;
  readonly length?: number;
  readonly stream?: boolean;
  readonly hang?: boolean;
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const client = new VirtkitClient({ root: job.root, env: { PATH: process.env['PATH'] } });
const onProgress = job.hang === true
  ? () => {
    // stdout on a pipe is synchronous on Linux: the line is out before the thread blocks.
    process.stdout.write('HANGING\n');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  }
  : undefined;
const opts = {
  ...(job.offset === undefined ? {} : { offset: job.offset }),
  ...(job.length === undefined ? {} : { length: job.length }),
  ...(job.stream === true ? { stream: true } : {}),
  ...(onProgress ? { onProgress } : {}),
};
try {
  const result = job.direction === 'upload'
    ? await client.uploadVolume(job.pool, job.vol, job.file, opts)
    : await client.downloadVolume(job.pool, job.vol, job.file, opts);
  process.stdout.write(`${JSON.stringify({ ok: true, result })}\n`);
} catch (e) {
  const err = e as { code?: string; message?: string };
  process.stdout.write(`${JSON.stringify({ ok: false, code: err.code, message: err.message })}\n`);
} finally {
  client.close();
}
