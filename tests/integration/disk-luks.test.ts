// A real LUKS-encrypted disk: a qcow2 volume created by the storage engine with the key of a
// (private) secret, filled with known bytes from the host through qemu-img with the key in a
// file, then attached to the test guest with <encryption format='luks'>. QEMU gets the key
// from a 0600 file in the domain's run dir that is gone once the start returns; the guest
// reads the bytes and writes others, which the host reads back with the key. The image file
// itself never holds the plain bytes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { VirtkitError } from '../../src/core/errors.js';
import { domainRuntimePaths } from '../../src/daemon/paths.js';
import { GUEST_APPEND, GUEST_READY_MARKER, GUEST_SHELL, guestDomainXml } from '../helpers/guest.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { assertNoLeftovers, createHarness } from './lifecycle-harness.js';

const UUID = '6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const SIZE = 4 << 20;

test('the guest reads and writes a LUKS qcow2 volume whose key QEMU reads from a file removed after start', { timeout: 300_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vk-luks-'));
  const h = await createHarness();
  try {
    const passphrase = randomBytes(24).toString('base64');
    const image = join(h.layout.imagesDir, 'luks.qcow2');
    await h.engine.dispatch({ kind: 'secretDefine', xml: `<secret private='yes'><uuid>${UUID}</uuid><usage type='volume'><volume>${image}</volume></usage></secret>` });
    await h.engine.dispatch({ kind: 'secretSetValue', uuid: UUID, value: Buffer.from(passphrase).toString('base64') });
    await h.engine.dispatch({
      kind: 'volCreate', pool: 'default',
      xml: `<volume><name>luks.qcow2</name><capacity>${SIZE}</capacity><target><format type='qcow2'/>` +
        `<encryption format='luks'><secret type='passphrase' uuid='${UUID}'/></encryption></target></volume>`,
    }, { wait: 60_000 });

    // Known bytes into the encrypted image from the host: qemu-img with the key in a 0600 file.
    const keyFile = join(dir, 'key');
    await writeFile(keyFile, passphrase, { mode: 0o600 });
    const head = randomBytes(16).toString('hex');
    const plain = join(dir, 'plain.raw');
    await writeFile(plain, Buffer.concat([Buffer.from(head), Buffer.alloc(SIZE - head.length)]));
    const secretObj = ['--object', `secret,id=s0,file=${keyFile}`];
    const opened = `driver=qcow2,file.filename=${image},encrypt.key-secret=s0`;
    execFileSync('qemu-img', ['convert', '-n', ...secretObj, '-f', 'raw', '--target-image-opts', plain, opened]);
    assert.equal(readFileSync(image).includes(head), false, 'the image holds the bytes encrypted');

    const disk = `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${image}'/><target dev='vda' bus='virtio'/>
      <encryption format='luks'><secret type='passphrase' uuid='${UUID}'/></encryption></disk>`;
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml('luks', { append: `${GUEST_APPEND} ${GUEST_SHELL}`, devices: disk }) });
    const info = await h.engine.dispatch({ kind: 'start', name: 'luks' });
    await h.remember('luks');
    const run = domainRuntimePaths(h.layout, 'luks', info.uuid).runDir;
    assert.deepEqual(readdirSync(run).filter((f) => f.endsWith('.key')), [], 'the key file is gone from the run dir once started');
    const argv = h.engine.ctx.registry.named('luks').runtime?.argv ?? [];
    assert.ok(argv.some((a) => a.includes(`"file":"${join(run, 'disk-vda.key')}"`)), 'QEMU read the key from its file');
    assert.equal(argv.join(' ').includes(passphrase), false, 'the key is not on the command line');
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name: 'luks' }), /<encryption format='luks'>\n\s*<secret type='passphrase' uuid='6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'\/>/);

    const shell = new GuestShell((await h.engine.dispatch({ kind: 'console', name: 'luks' })).stream);
    await shell.waitFor(GUEST_READY_MARKER);
    assert.equal(await shell.check('blockdev --getsize64 /dev/vda'), `${SIZE}\n`);
    assert.equal(await shell.check('head -c 32 /dev/vda'), head, 'the guest reads the bytes written from the host');
    const written = randomBytes(16).toString('hex');
    await shell.check(`printf ${written} | dd of=/dev/vda bs=512 seek=8 conv=notrunc,fsync 2>/dev/null`);
    await h.engine.dispatch({ kind: 'destroy', name: 'luks' });
    await assertNoLeftovers(h);

    const back = join(dir, 'back.raw');
    execFileSync('qemu-img', ['convert', ...secretObj, '--image-opts', opened, '-O', 'raw', back]);
    const data = readFileSync(back);
    assert.equal(data.subarray(0, 32).toString(), head);
    assert.equal(data.subarray(8 * 512, 8 * 512 + 32).toString(), written, "the guest's write reached the image, encrypted");
    assert.equal(readFileSync(image).includes(written), false);

    // Without the secret's value the start is refused before QEMU runs.
    await h.engine.dispatch({ kind: 'secretUndefine', uuid: UUID });
    await assert.rejects(h.engine.dispatch({ kind: 'start', name: 'luks' }), (e: unknown) => e instanceof VirtkitError && e.code === 'SECRET_NOT_FOUND');
    assert.equal((await h.engine.dispatch({ kind: 'get', name: 'luks' })).state, 'shutoff');
    await assertNoLeftovers(h);
  } finally {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  }
});
