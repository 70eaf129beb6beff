/**
 * Secrets through the CLI, in-process against a real rooted daemon: define, list, set and
 * get a value (base64, --file, --plain), values stored 0600 in a 0700 directory and never in
 * the daemon's log, private values not readable, ephemeral secrets never on disk, definitions
 * and values surviving a daemon restart, and undefine removing the value.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { run } from '../../src/cli/run.js';
import { VirtkitClient } from '../../src/client/client.js';
import { VirtkitError } from '../../src/core/errors.js';
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
      // --interactive --plain: one line from the terminal (here a stream), not echoed.
      const stdin = new PassThrough();
      let out = '';
      const typed = run(['--root', d.root, 'secret-set-value', U1, '--interactive', '--plain'], {
        stdout: (t) => { out += t; }, stderr: (t) => { out += t; }, env: { PATH: process.env['PATH'] }, cwd: d.root,
        stdin: stdin as unknown as NodeJS.ReadStream,
      });
      stdin.write('typed value\n');
      assert.equal(await typed, 0);
      assert.equal(out, 'Enter new value for secret:Secret value set\n\n');
      assert.equal((await vk('secret-get-value', U1, '--plain')).stdout, 'typed value\n');
      assert.equal((await vk('secret-set-value', U1, '--file', 'value.b64')).code, 0);
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

  it('creates LUKS volumes (qcow2 and raw) with qemu-img reading the key from a file that is gone afterwards', async () => {
    const d = await inProcessDaemon();
    // A client per call, as the CLI: the LUKS key derivation makes pauses longer than the server's keep-alive.
    const client = new Proxy({} as VirtkitClient, {
      get: (_t, name: keyof VirtkitClient) => async (...args: unknown[]) => {
        const c = new VirtkitClient({ root: d.root, autoStart: false });
        try {
          return await (c[name] as (...a: unknown[]) => Promise<unknown>)(...args);
        } finally {
          c.close();
        }
      },
    });
    try {
      const keyDirs = async () => (await readdir(tmpdir())).filter((n) => n.startsWith('virtkit-key-'));
      const before = await keyDirs();
      const passphrase = 'luks passphrase 1';
      const images = d.layout.imagesDir;
      const path = join(images, 'enc.qcow2');
      await client.defineSecret(`<secret><uuid>${U1}</uuid><usage type='volume'><volume>${path}</volume></usage></secret>`);
      const volXml = (name: string, format: string, secret: string) =>
        `<volume><name>${name}</name><capacity unit='MiB'>4</capacity><target><format type='${format}'/>` +
        `<encryption format='luks'><secret type='passphrase' ${secret}/></encryption></target></volume>`;
      // No value yet: refused, nothing left in the pool.
      await assert.rejects(client.createVolume('default', volXml('enc.qcow2', 'qcow2', `uuid='${U1}'`)), (e: unknown) => e instanceof VirtkitError && e.code === 'OPERATION_INVALID');
      await client.setSecretValue(U1, Buffer.from(passphrase).toString('base64'));
      const v = await client.createVolume('default', volXml('enc.qcow2', 'qcow2', `uuid='${U1}'`));
      assert.equal(v.path, path);
      const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', path], { encoding: 'utf8' })) as Record<string, unknown>;
      assert.equal(info['format'], 'qcow2');
      assert.equal(info['encrypted'], true);
      assert.equal((info['format-specific'] as { data: { encrypt: { format: string } } }).data.encrypt.format, 'luks');
      // The passphrase opens it (and a wrong one does not).
      const io = (key: string, cmd: string) => {
        const keyFile = join(d.root, 'k');
        execFileSync('sh', ['-c', 'umask 077; cat > "$1"', 'sh', keyFile], { input: key });
        return execFileSync('qemu-io', ['--object', `secret,id=s0,file=${keyFile}`, '--image-opts',
          `driver=qcow2,file.filename=${path},encrypt.key-secret=s0`, '-c', cmd], { encoding: 'utf8', stdio: 'pipe' });
      };
      assert.match(io(passphrase, 'read 0 512'), /read 512\/512 bytes/);
      assert.throws(() => io('wrong', 'read 0 512'), /Invalid password|password/i);

      // A raw LUKS volume, its secret named by usage (the volume's path).
      const raw = join(images, 'enc.raw');
      await client.defineSecret(`<secret><uuid>${U2}</uuid><usage type='volume'><volume>${raw}</volume></usage></secret>`);
      await client.setSecretValue(U2, Buffer.from('another passphrase').toString('base64'));
      await client.createVolume('default', volXml('enc.raw', 'raw', `usage='${raw}'`));
      const keyFile = join(d.root, 'k2');
      execFileSync('sh', ['-c', 'umask 077; cat > "$1"', 'sh', keyFile], { input: 'another passphrase' });
      const rawInfo = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '--object', `secret,id=s0,file=${keyFile}`,
        '--image-opts', `driver=luks,file.filename=${raw},key-secret=s0`], { encoding: 'utf8' })) as Record<string, unknown>;
      assert.equal(rawInfo['format'], 'luks');
      // An unknown secret: refused before anything is written.
      await assert.rejects(client.createVolume('default', volXml('none.qcow2', 'qcow2', `uuid='${U3}'`)), (e: unknown) => e instanceof VirtkitError && e.code === 'SECRET_NOT_FOUND');
      // Each made LUKS volume has its secret note beside it (docs/storage.md); the refused one left nothing.
      assert.deepEqual((await readdir(images)).sort(), ['.enc.qcow2.vk-secret', '.enc.raw.vk-secret', 'enc.qcow2', 'enc.raw']);
      assert.deepEqual((await keyDirs()).filter((n) => !before.includes(n)), [], 'a key file was left behind');
      for (const v of [passphrase, Buffer.from(passphrase).toString('base64')]) assert.equal(d.log.join('\n').includes(v), false);
    } finally {
      await d.close();
    }
  });
});
