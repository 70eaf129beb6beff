/**
 * vol-upload and vol-download's local fast path (a transfer lease; docs/storage.md) through a real
 * daemon: the API and the CLI take it on the daemon's host and stream when told to, with the same
 * bytes either way (whole, and at an offset with a length); a client that cannot open the volume's
 * file streams instead; and an upload lease holds the pool's job like a streaming upload (vol-delete,
 * vol-wipe, vol-resize and a second upload refused meanwhile) until its client is killed (kill -9),
 * which ends it as a failed upload: the written prefix in place, the rest of the volume as it was.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { VirtkitClient } from '../../src/client/client.js';
import { seeded } from '../helpers/seeded-random.js';
import { until } from '../helpers/wait.js';
import { cli, inProcessDaemon } from './daemon-harness.js';

const MiB = 1 << 20;
const CHILD = join(dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'transfer-client.js');

function sameBytes(actual: Buffer, expected: Buffer, what: string): void {
  if (actual.equals(expected)) return;
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  assert.fail(`${what}: ${actual.length} bytes where ${expected.length} were expected, first difference at byte ${i}`);
}
const leases = (log: string[]): number => log.filter((l) => /lease on volume .* to a local client/.test(l)).length;
const busy = (e: unknown): boolean => (e as { code?: string }).code === 'OPERATION_IN_PROGRESS';

interface ChildRun {
  /** Resolves with the child's last line of JSON (ok false when it printed none). */
  readonly done: Promise<{ ok: boolean; code?: string; result?: unknown }>;
  /** Resolves once the child printed `line`. */
  printed(line: string): Promise<void>;
  kill(): Promise<void>;
}

/** The transfer client as its own process, `prefix` (e.g. setpriv ...) before node. */
function child(job: Record<string, unknown>, prefix: string[] = []): ChildRun {
  const argv = [...prefix, process.execPath, CHILD, JSON.stringify(job)];
  const c = spawn(argv[0] ?? '', argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const waiters: (() => void)[] = [];
  c.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<void>((r) => c.once('exit', () => r()));
  return {
    done: exited.then(() => {
      try {
        return JSON.parse(out.trim().split('\n').at(-1) ?? '') as { ok: boolean; code?: string; result?: unknown };
      } catch {
        return { ok: false, code: `no answer: ${out}` };
      }
    }),
    printed: async (line) => {
      while (!out.includes(line)) {
        if (c.exitCode !== null || c.signalCode !== null) throw new Error(`the client exited without printing ${line}: ${out}`);
        await new Promise<void>((r) => { waiters.push(r); void exited.then(r); });
      }
    },
    kill: async () => {
      c.kill('SIGKILL');
      await exited;
    },
  };
}

describe('vol-upload and vol-download, the local fast path (real daemon)', { timeout: 120_000 }, () => {
  it('API and CLI take the lease; streamed on request; the same bytes whole and with an offset and a length', async () => {
    const d = await inProcessDaemon();
    const client = new VirtkitClient({ root: d.root, env: { PATH: process.env['PATH'] } });
    try {
      const random = seeded(21);
      assert.equal((await cli(d.root, ['vol-create-as', 'default', 'v.raw', '12M'])).code, 0);
      const vol = join(d.layout.imagesDir, 'v.raw');
      const data = Buffer.from(random(12 * MiB));
      await writeFile(join(d.root, 'in.bin'), data);
      for (const stream of [false, true]) {
        const before = leases(d.log);
        const o = stream ? { stream: true } : {};
        await client.uploadVolume('default', 'v.raw', join(d.root, 'in.bin'), o);
        sameBytes(await readFile(vol), data, `the volume after the upload (stream: ${stream})`);
        assert.equal(await client.downloadVolume('default', 'v.raw', join(d.root, 'out.bin'), o), 12 * MiB);
        sameBytes(await readFile(join(d.root, 'out.bin')), data, `the download (stream: ${stream})`);
        // 5 MiB + 3 of a file, 4 MiB + 1 of it at 3 MiB - 7: only those bytes change.
        const patch = Buffer.from(random(5 * MiB + 3));
        await writeFile(join(d.root, 'patch.bin'), patch);
        await client.uploadVolume('default', 'v.raw', join(d.root, 'patch.bin'), { ...o, offset: 3 * MiB - 7, length: 4 * MiB + 1 });
        const expected = Buffer.concat([data.subarray(0, 3 * MiB - 7), patch.subarray(0, 4 * MiB + 1), data.subarray(7 * MiB - 6)]);
        sameBytes(await readFile(vol), expected, `the volume after the ranged upload (stream: ${stream})`);
        assert.equal(await client.downloadVolume('default', 'v.raw', join(d.root, 'part.bin'), { ...o, offset: 5, length: 9 * MiB + 1 }), 9 * MiB + 1);
        sameBytes(await readFile(join(d.root, 'part.bin')), expected.subarray(5, 9 * MiB + 6), `the ranged download (stream: ${stream})`);
        const flag = stream ? ['--stream'] : [];
        assert.equal((await cli(d.root, ['vol-download', 'v.raw', 'tail.bin', '--pool', 'default', '--offset', String(11 * MiB), '--length', '5M', ...flag])).code, 0);
        sameBytes(await readFile(join(d.root, 'tail.bin')), expected.subarray(11 * MiB), `the CLI's download to the end (stream: ${stream})`);
        assert.equal((await cli(d.root, ['vol-upload', 'v.raw', 'in.bin', '--pool', 'default', ...flag])).code, 0);
        sameBytes(await readFile(vol), data, `the volume after the CLI's upload (stream: ${stream})`);
        // Four API transfers and two CLI ones: each a lease, or none when streamed.
        assert.equal(leases(d.log) - before, stream ? 0 : 6, `leases taken (stream: ${stream})`);
      }
      const refused = await client.uploadVolume('default', 'v.raw', join(d.root, 'patch.bin'), { offset: 8 * MiB }).catch((e: unknown) => e);
      assert.equal((refused as { code?: string }).code, 'VOLUME_RANGE_INVALID');
      sameBytes(await readFile(vol), data, 'the volume after the refusal');
    } finally {
      client.close();
      await d.close();
    }
  });

  it('streams instead when the client cannot open the volume\'s file', async () => {
    const d = await inProcessDaemon();
    try {
      assert.equal((await cli(d.root, ['vol-create-as', 'default', 'f.raw', '6M'])).code, 0);
      const vol = join(d.layout.imagesDir, 'f.raw');
      const data = Buffer.from(seeded(22)(6 * MiB));
      await writeFile(join(d.root, 'in.bin'), data);
      // The file is root's and mode 0: a client without CAP_DAC_OVERRIDE cannot open it; the daemon can.
      await chmod(vol, 0);
      const weak = ['setpriv', '--bounding-set=-dac_override,-dac_read_search', '--inh-caps=-dac_override,-dac_read_search'];
      const base = { root: d.root, pool: 'default', vol: 'f.raw' };
      const up = await child({ ...base, file: join(d.root, 'in.bin'), direction: 'upload' }, weak).done;
      assert.equal(up.ok, true, JSON.stringify(up));
      sameBytes(await readFile(vol), data, 'the volume after the fallback upload');
      const down = await child({ ...base, file: join(d.root, 'out.bin'), direction: 'download', offset: MiB + 1, length: 2 * MiB }, weak).done;
      assert.deepEqual(down, { ok: true, result: 2 * MiB });
      sameBytes(await readFile(join(d.root, 'out.bin')), data.subarray(MiB + 1, 3 * MiB + 1), 'the fallback download');
      assert.equal(d.log.filter((l) => /lease on volume 'f\.raw' given back unused: the client cannot open/.test(l)).length, 2, d.log.join('\n'));
    } finally {
      await d.close();
    }
  });

  it('an upload lease holds the pool like a streaming upload, and kill -9 of its client ends it as a failed upload', async () => {
    const d = await inProcessDaemon();
    const client = new VirtkitClient({ root: d.root, env: { PATH: process.env['PATH'] } });
    try {
      assert.equal((await cli(d.root, ['vol-create-as', 'default', 'k.raw', '16M'])).code, 0);
      const vol = join(d.layout.imagesDir, 'k.raw');
      const old = Buffer.from(seeded(23)(16 * MiB));
      await client.uploadVolumeStream('default', 'k.raw', Readable.from([old]), old.length);
      const fresh = Buffer.from(seeded(24)(16 * MiB));
      await writeFile(join(d.root, 'fresh.bin'), fresh);
      const c = child({ root: d.root, pool: 'default', vol: 'k.raw', file: join(d.root, 'fresh.bin'), direction: 'upload', hang: true });
      try {
        await c.printed('HANGING');
        // Mid-copy, the lease held: what a streaming upload refuses, this one refuses too.
        await assert.rejects(client.deleteVolume('default', 'k.raw'), busy);
        await assert.rejects(client.wipeVolume('default', 'k.raw'), busy);
        await assert.rejects(client.resizeVolume('default', 'k.raw', 32 * MiB), busy);
        await assert.rejects(client.uploadVolume('default', 'k.raw', join(d.root, 'fresh.bin')), busy);
        await assert.rejects(client.uploadVolumeStream('default', 'k.raw', Readable.from([fresh]), fresh.length), busy);
        // A download holds no lock, streamed or not.
        assert.equal(await client.downloadVolume('default', 'k.raw', join(d.root, 'mid.bin'), { length: MiB }), MiB);
      } finally {
        await c.kill();
      }
      await until('the daemon to end the lease of the killed client', () => d.log.find((l) => /local upload to volume 'k\.raw' .*did not finish: the client went away/.test(l)));
      const now = await readFile(vol);
      assert.equal(now.length, 16 * MiB);
      let written = 0;
      while (written < now.length && now[written] === fresh[written]) written++;
      assert.ok(written > 0 && written < 16 * MiB, `the killed client wrote ${written} bytes`);
      sameBytes(now.subarray(written), old.subarray(written), 'the bytes past the written prefix');
      // The job is free again: a whole upload goes through, then the volume can be deleted.
      await client.uploadVolume('default', 'k.raw', join(d.root, 'fresh.bin'));
      sameBytes(await readFile(vol), fresh, 'the volume after a whole upload');
      await client.deleteVolume('default', 'k.raw');
    } finally {
      client.close();
      await d.close();
    }
  });
  it('over TCP the daemon grants no lease, and the client streams', async () => {
    const token = 't'.repeat(32);
    const d = await inProcessDaemon({ tcp: { host: '127.0.0.1', port: 0, token } });
    const port = d.daemon.server.tcpAddress?.port ?? 0;
    const client = new VirtkitClient({ uri: `qemu+tcp://127.0.0.1:${port}/system`, env: { VIRTKIT_TOKEN: token } });
    try {
      assert.equal((await cli(d.root, ['vol-create-as', 'default', 'n.raw', '4M'])).code, 0);
      const data = Buffer.from(seeded(25)(4 * MiB));
      await writeFile(join(d.root, 'in.bin'), data);
      const lease = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest({
          host: '127.0.0.1', port, method: 'POST', path: '/v1/pools/default/volumes/n.raw/content?direction=download', agent: false,
          headers: { Authorization: `Bearer ${token}`, 'Transfer-Encoding': 'chunked' },
        }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end('{"ok":true}');
      });
      assert.equal((JSON.parse(lease.body) as { error: { code: string } }).error.code, 'UNSUPPORTED_OPERATION', lease.body);
      assert.ok(lease.status >= 400, `status ${lease.status}`);
      await client.uploadVolume('default', 'n.raw', join(d.root, 'in.bin'));
      assert.equal(await client.downloadVolume('default', 'n.raw', join(d.root, 'out.bin')), 4 * MiB);
      sameBytes(await readFile(join(d.root, 'out.bin')), data, 'the download over TCP');
      assert.equal(leases(d.log), 0, d.log.join('\n'));
    } finally {
      client.close();
      await d.close();
    }
  });
});
