/**
 * Secrets through the CLI, in-process against a real rooted daemon: define, list, set and
 * get a value (base64, --file, --plain), values stored 0600 in a 0700 directory and never in
 * the daemon's log, private values not readable, ephemeral secrets never on disk, definitions
 * and values surviving a daemon restart, and undefine removing the value.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startDaemon } from '../../src/daemon/daemon.js';
import { assertLeftNothing, cli, inProcessDaemon, quietLog } from './daemon-harness.js';

const U1 = '0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f';
const U2 = 'c2b4e0a6-63fb-4b0f-9a3e-3f4d2b6c9e11';
const U3 = '9d0e4c1a-2b7f-4e8d-8c6a-5f1e3d2c4b7a';
const errCode = (stderr: string): string => (JSON.parse(stderr) as { error: { code: string } }).error.code;
const mode = (path: string): number => statSync(path).mode & 0o777;

describe('secrets (CLI, real daemon)', { timeout: 60_000 }, () => {
  it('defines, lists, sets, reads, hides private values, keeps values 0600 and out of the log, and undefines', async () => {
    let d = await inProcessDaemon();
    try {
      const vk = (...a: string[]) => cli(d.root, a);
      const passphrase = 'correct horse battery staple';
      const b64 = Buffer.from(passphrase).toString('base64');
      await writeFile(join(d.root, 'vol.xml'), `<secret ephemeral='no' private='no'>\n  <uuid>${U1}</uuid>\n  <description>mail disk</description>\n  <usage type='volume'>\n    <volume>/srv/mail.img</volume>\n  </usage>\n</secret>\n`);
      await writeFile(join(d.root, 'priv.xml'), `<secret private='yes'><uuid>${U2}</uuid><usage type='ceph'><name>client.admin secret</name></usage></secret>`);
      await writeFile(join(d.root, 'eph.xml'), `<secret ephemeral='yes'><uuid>${U3}</uuid></secret>`);
      await writeFile(join(d.root, 'plain.txt'), passphrase);
      await writeFile(join(d.root, 'value.b64'), `${b64}\n`);

      assert.deepEqual(await vk('secret-list'), { code: 0, stdout: ' UUID   Usage\n---------------\n\n', stderr: '' });
      assert.deepEqual(await vk('secret-define', 'vol.xml'), { code: 0, stdout: `Secret ${U1} created\n\n`, stderr: '' });
      assert.equal((await vk('secret-define', 'priv.xml')).code, 0);
      assert.equal((await vk('secret-define', 'eph.xml')).code, 0);
      const list = await vk('secret-list');
      assert.equal(list.stdout, [
        ` UUID${' '.repeat(35)}Usage`, '-'.repeat(66),
        ` ${U1}   volume /srv/mail.img`, ` ${U3}   Unused`, ` ${U2}   ceph client.admin secret`, '', '',
      ].join('\n'));
      assert.equal((await vk('secret-list', '--private')).stdout.includes(U1), false);
      assert.equal((await vk('secret-list', '--ephemeral')).stdout.includes(U3), true);
      assert.equal((await vk('secret-dumpxml', U1)).stdout, `<secret ephemeral='no' private='no'>\n  <uuid>${U1}</uuid>\n  <description>mail disk</description>\n  <usage type='volume'>\n    <volume>/srv/mail.img</volume>\n  </usage>\n</secret>\n\n`);

      // No value yet; then --plain from a file, base64 from a file, and --base64.
      const none = await vk('--json', 'secret-get-value', U1);
      assert.equal(errCode(none.stderr), 'OPERATION_INVALID');
      assert.deepEqual(await vk('secret-set-value', U1, '--file', 'plain.txt', '--plain'), { code: 0, stdout: 'Secret value set\n\n', stderr: '' });
      assert.deepEqual(await vk('secret-get-value', U1), { code: 0, stdout: `${b64}\n\n`, stderr: '' });
      assert.equal((await vk('secret-get-value', U1, '--plain')).stdout, `${passphrase}\n`);
      assert.equal((await vk('secret-set-value', U1, '--file', 'value.b64')).code, 0);
      assert.equal((await vk('secret-get-value', U1)).stdout, `${b64}\n\n`);
      const dir = d.layout.secretsDir;
      assert.equal(mode(dir), 0o700);
      assert.equal(mode(join(dir, `${U1}.xml`)), 0o600);
      assert.equal(mode(join(dir, `${U1}.base64`)), 0o600);
      assert.equal(Buffer.from(readFileSync(join(dir, `${U1}.base64`), 'utf8'), 'base64').toString(), passphrase);

      // Bad base64 is refused without quoting it; a ceph secret wants a cephx key.
      const bad = await vk('--json', 'secret-set-value', U1, '--base64', 'not*base64!');
      assert.equal(errCode(bad.stderr), 'INVALID_ARGUMENT');
      assert.equal(bad.stderr.includes('not*base64!'), false);
      const cephx = Buffer.alloc(28);
      cephx[0] = 1;
      cephx[10] = 16;
      cephx.fill(7, 12);
      assert.equal(errCode((await vk('--json', 'secret-set-value', U2, '--file', 'plain.txt', '--plain')).stderr), 'INVALID_ARGUMENT');
      assert.equal((await vk('secret-set-value', U2, '--base64', cephx.toString('base64'))).code, 0);
      // Private: set and usable, never read back.
      const priv = await vk('--json', 'secret-get-value', U2);
      assert.equal(errCode(priv.stderr), 'OPERATION_INVALID');
      assert.match(priv.stderr, /is private: its value cannot be read back/);
      assert.equal(priv.stderr.includes(cephx.toString('base64')), false);
      // Ephemeral: the value is kept in memory only.
      assert.equal((await vk('secret-set-value', U3, '--file', 'value.b64')).code, 0);
      assert.equal((await vk('secret-get-value', U3)).stdout, `${b64}\n\n`);
      assert.deepEqual((await readdir(dir)).sort(), [`${U1}.base64`, `${U1}.xml`, `${U2}.base64`, `${U2}.xml`].sort());

      // Refusals: a second secret for the same usage, a usage change, an unknown UUID.
      await writeFile(join(d.root, 'dup.xml'), `<secret><usage type='volume'><volume>/srv/mail.img</volume></usage></secret>`);
      assert.equal(errCode((await vk('--json', 'secret-define', 'dup.xml')).stderr), 'XML_DUPLICATE');
      const unknown = await vk('secret-dumpxml', '11111111-2222-4333-8444-555555555555');
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /^error: failed to get secret '11111111-2222-4333-8444-555555555555'\n/);
      assert.equal((await vk('secret-set-value', U1)).code, 1);

      // Never in the daemon's log.
      const log = d.log.join('\n');
      for (const v of [passphrase, b64, cephx.toString('base64')]) assert.equal(log.includes(v), false, 'a value reached the log');

      // A restart keeps persistent secrets and their values; ephemeral ones are gone.
      await d.daemon.close();
      const log2: string[] = [];
      const again = await startDaemon({ layout: d.layout, log: quietLog(log2), autostart: false });
      d = { ...d, daemon: again, log: log2, close: async () => { await again.close(); await assertLeftNothing(d.root, d.layout); } };
      assert.equal((await vk('secret-get-value', U1)).stdout, `${b64}\n\n`);
      assert.equal(errCode((await vk('--json', 'secret-get-value', U2)).stderr), 'OPERATION_INVALID');
      assert.equal((await vk('secret-list', '--ephemeral')).stdout.includes(U3), false);

      // Undefine removes the definition and the value.
      assert.deepEqual(await vk('secret-undefine', U1), { code: 0, stdout: `Secret ${U1} deleted\n\n`, stderr: '' });
      assert.equal(existsSync(join(dir, `${U1}.base64`)), false);
      assert.equal(existsSync(join(dir, `${U1}.xml`)), false);
      assert.equal(errCode((await vk('--json', 'secret-get-value', U1)).stderr), 'SECRET_NOT_FOUND');
      assert.equal((await vk('secret-undefine', U2)).code, 0);
      assert.deepEqual(await readdir(dir), []);
    } finally {
      await d.close();
    }
  });
});
