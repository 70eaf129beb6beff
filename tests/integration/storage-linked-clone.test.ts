/**
 * A linked clone in a real guest: the ext4 root image imported into the `default` pool as a raw
 * volume, a volume holding known bytes, and a linked clone (vol-clone --linked: a qcow2 overlay)
 * of each, made through the CLI against an in-process daemon. The test guest boots from the root
 * clone and reads the known bytes through the data clone: both read their base's data. Its
 * writes land in the clone; the base volume's bytes stay as they were.
 */
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { GUEST_READY_MARKER, GUEST_ROOT_APPEND, ensureTestRootfs, guestDomainXml, rootMountedLine, virtioDiskXml } from '../helpers/guest.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { until } from '../helpers/wait.js';
import { cli, inProcessDaemon } from './daemon-harness.js';

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

test('the test guest boots from a linked clone of its root volume and reads a data volume through a linked clone', { timeout: 300_000 }, async () => {
  const rootfs = await ensureTestRootfs();
  const d = await inProcessDaemon();
  const engine = d.daemon.engine;
  const name = 'linked';
  let defined = false;
  try {
    const vk = async (...a: string[]) => {
      const r = await cli(d.root, a);
      assert.equal(r.code, 0, `${a.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const images = d.layout.imagesDir;
    await vk('vol-import', 'default', rootfs, '--format', 'raw', '--target-format', 'raw', '--name', 'root.raw');
    await vk('vol-create-as', 'default', 'data.raw', '1M');
    const token = `virtkit-linked-${randomUUID()}`;
    const fh = await open(join(images, 'data.raw'), 'r+');
    await fh.write(Buffer.from(token), 0, token.length, 0);
    await fh.close();
    const baseSums = [await sha256(join(images, 'root.raw')), await sha256(join(images, 'data.raw'))];
    assert.equal(await vk('vol-clone', 'root.raw', 'root-clone.qcow2', '--pool', 'default', '--linked'), 'Vol root-clone.qcow2 cloned from root.raw\n\n');
    await vk('vol-clone', 'data.raw', 'data-clone.qcow2', '--pool', 'default', '--linked');

    const devices = virtioDiskXml(join(images, 'root-clone.qcow2'), 'vda', 'qcow2') + virtioDiskXml(join(images, 'data-clone.qcow2'), 'vdb', 'qcow2');
    await engine.dispatch({ kind: 'define', xml: await guestDomainXml(name, { append: GUEST_ROOT_APPEND, devices }) });
    defined = true;
    await engine.dispatch({ kind: 'start', name });
    const shell = new GuestShell((await engine.dispatch({ kind: 'console', name })).stream);
    await shell.waitFor(GUEST_READY_MARKER);
    assert.ok(shell.text.includes(rootMountedLine()), `the guest mounted the root clone read-write:\n${shell.text}`);
    assert.equal(await shell.check('head -n 1 /virtkit/run'), '#!/bin/sh\n', "the root clone reads the base's files");
    assert.equal(await shell.check(`head -c ${token.length} /dev/vdb`), token, "the data clone reads the base's bytes");
    await shell.check('echo clone-write > /clone-proof.txt && sync');
    await shell.check(`printf overwritten | dd of=/dev/vdb bs=512 conv=notrunc,fsync 2>/dev/null`);
    assert.equal(await shell.check('head -c 11 /dev/vdb'), 'overwritten');

    await engine.dispatch({ kind: 'shutdown', name });
    await until(`${name} shut off`, async () => (await engine.dispatch({ kind: 'get', name })).state === 'shutoff');
    assert.deepEqual([await sha256(join(images, 'root.raw')), await sha256(join(images, 'data.raw'))], baseSums, 'the base volumes are unchanged');
    const vol = JSON.parse(await vk('--json', 'vol-info', 'data-clone.qcow2', '--pool', 'default')) as { allocation: number };
    assert.ok(vol.allocation > 0);
  } finally {
    if (defined) {
      const s = await engine.dispatch({ kind: 'get', name });
      if (s.state !== 'shutoff') await engine.dispatch({ kind: 'destroy', name });
      await engine.dispatch({ kind: 'undefine', name });
    }
    await d.close();
  }
});
