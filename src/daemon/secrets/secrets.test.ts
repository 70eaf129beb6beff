import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { VirtkitError } from '../../core/errors.js';
import { SecretContext } from './context.js';
import { defineSecret, getSecretValue, loadSecrets, secretValueFor, setSecretValue, undefineSecret } from './ops.js';
import { FileSecretStore } from './store.js';

const U = '0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const xml = (flags: string) => `<secret ${flags}><uuid>${U}</uuid><usage type='volume'><volume>/v/a.img</volume></usage></secret>`;

async function withDir(fn: (dir: string, ctx: () => SecretContext) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'vk-secrets-'));
  const dir = join(root, 'secrets');
  const log: string[] = [];
  const ctx = () => new SecretContext({ store: new FileSecretStore(dir), log: { warn: (m) => log.push(m), error: (m) => log.push(m) } });
  try {
    await fn(dir, ctx);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

test('a store that was never written creates nothing when loaded', async () => {
  await withDir(async (dir, ctx) => {
    assert.equal(await loadSecrets(ctx()), 0);
    assert.equal(existsSync(dir), false);
  });
});

test('redefining keeps the value; persistent -> ephemeral leaves the disk, ephemeral -> persistent writes the value', async () => {
  await withDir(async (dir, ctx) => {
    const c = ctx();
    assert.equal((await defineSecret(c, xml("ephemeral='no'"), {})).created, true);
    await setSecretValue(c, U, b64('pass one'), {});
    assert.equal((await defineSecret(c, `${xml("ephemeral='no'")}`.replace('<usage', '<description>d</description><usage'), {})).created, false);
    assert.equal(getSecretValue(c, U), b64('pass one'));
    assert.deepEqual(readdirSync(dir).sort(), [`${U}.base64`, `${U}.xml`]);
    assert.equal(statSync(join(dir, `${U}.base64`)).mode & 0o777, 0o600);

    await defineSecret(c, xml("ephemeral='yes'"), {});
    assert.deepEqual(readdirSync(dir), [], 'an ephemeral secret is not on disk');
    assert.equal(getSecretValue(c, U), b64('pass one'), 'its value stays in memory');
    assert.equal(await loadSecrets(ctx()), 0, 'a restarted daemon does not know it');

    await defineSecret(c, xml("ephemeral='no'"), {});
    const again = ctx();
    assert.equal(await loadSecrets(again), 1);
    assert.equal(getSecretValue(again, U), b64('pass one'), 'the value was written when it became persistent');
    assert.deepEqual(secretValueFor(again, { usage: '/v/a.img' }, 'volume', 'x'), new TextEncoder().encode('pass one'));
    assert.throws(() => secretValueFor(again, { uuid: U }, 'ceph', '/p'), (e: unknown) => e instanceof VirtkitError && e.code === 'XML_CONFLICT');

    await undefineSecret(again, U, {});
    assert.deepEqual(readdirSync(dir), []);
    assert.throws(() => secretValueFor(again, { uuid: U }, 'volume', '/p'), (e: unknown) => e instanceof VirtkitError && e.code === 'SECRET_NOT_FOUND');
  });
});

test('a definition that does not parse is reported and left on disk', async () => {
  await withDir(async (dir, ctx) => {
    const c = ctx();
    await defineSecret(c, xml(''), {});
    await writeFile(join(dir, `${U}.xml`), '<secret><usage/></secret>');
    const log: string[] = [];
    const fresh = new SecretContext({ store: new FileSecretStore(dir), log: { warn: (m) => log.push(m), error: (m) => log.push(m) } });
    assert.equal(await loadSecrets(fresh), 0);
    assert.match(log.join('\n'), new RegExp(`ignoring the definition of secret ${U}: .*needs the attribute 'type'`));
    assert.equal(existsSync(join(dir, `${U}.xml`)), true);
  });
});
