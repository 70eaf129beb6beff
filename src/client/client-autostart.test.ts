/**
 * The client starts a daemon only when none is there (the socket is missing or refuses), never for a
 * connection cut after the request went out: that request may have been carried out, and sending it
 * again to a new daemon would do it twice (a daemon killed during `blockcommit --pivot` once saw its
 * request re-sent to the daemon the client had started). The "daemon" started here is a script that
 * writes a marker and exits, so the test sees whether a start was tried.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isVirtkitError } from '../core/errors.js';
import { VirtkitClient } from './client.js';

describe('client: which failures start a daemon', () => {
  it('a hang-up after the request starts nothing and is not retried; a missing socket starts one', async () => {
    const root = await mkdtemp(join(tmpdir(), 'vk-cas-'));
    const marker = join(root, 'started');
    const fake = join(root, 'fake-virtkitd.mjs');
    await writeFile(fake, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, process.argv.slice(2).join(' '));\n`);
    await mkdir(join(root, 'run'));
    let requests = 0;
    const server = createServer((s) => {
      s.once('data', () => {
        requests++;
        s.destroy();
      });
    });
    await new Promise<void>((r) => server.listen(join(root, 'run', 'virtkitd.sock'), r));
    const client = new VirtkitClient({ root, env: {}, spawn: { virtkitd: fake, timeoutMs: 300 } });
    try {
      const cut = await client.listDomains().then(() => undefined, (e: unknown) => e);
      assert.ok(isVirtkitError(cut) && cut.code === 'DAEMON_UNREACHABLE', String(cut));
      assert.equal(requests, 1, 'the request was sent once');
      assert.equal(existsSync(marker), false, 'no daemon was started for a cut connection');

      await new Promise((r) => server.close(r));
      const none = await client.listDomains().then(() => undefined, (e: unknown) => e);
      assert.ok(isVirtkitError(none) && none.code === 'DAEMON_UNREACHABLE', String(none));
      assert.match(none.message, /did not answer within 300 ms/);
      assert.equal(existsSync(marker), true, 'a daemon was started for a missing socket');
    } finally {
      client.close?.();
      server.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
