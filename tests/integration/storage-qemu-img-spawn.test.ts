// How the daemon starts qemu-img (src/host/storage/qemu-img-spawn.ts, qemu-img.ts): a bare name
// looked up on PATH once and spawned by its path, looked up again when that file is gone; create's
// stdout discarded while its errors are still quoted. Real qemu-img and small shell scripts standing
// in for a tool, all in one temp directory removed at the end (PATH restored).
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { isVirtkitError } from '../../src/core/errors.js';
import { onPath } from '../../src/host/storage/qemu-img-spawn.js';
import { runQemuImg } from '../../src/host/storage/qemu-img.js';

const dir = mkdtempSync(join(tmpdir(), 'virtkit-img-spawn-'));
const PATH = process.env['PATH'];
after(() => {
  process.env['PATH'] = PATH;
  rmSync(dir, { recursive: true, force: true });
});

/** A stand-in tool: prints the path it was run as (its $0) and its arguments. */
function tool(at: string, name: string): string {
  mkdirSync(at, { recursive: true });
  const file = join(at, name);
  writeFileSync(file, '#!/bin/sh\necho "$0 $*"\n');
  chmodSync(file, 0o755);
  return file;
}

describe('starting qemu-img', () => {
  test('onPath finds the first executable file of that name on PATH, like execvp', () => {
    const a = join(dir, 'look-a');
    const b = join(dir, 'look-b');
    mkdirSync(join(a, 'vk-look'), { recursive: true });
    const plain = join(b, 'vk-look');
    mkdirSync(b, { recursive: true });
    writeFileSync(plain, 'not executable');
    const c = tool(join(dir, 'look-c'), 'vk-look');
    assert.equal(onPath('vk-look', ['relative', a, b, join(dir, 'look-c')].join(':')), c);
    assert.equal(onPath('vk-look', [a, b].join(':')), undefined);
    assert.equal(onPath(`${join(dir, 'look-c')}/vk-look`, join(dir, 'look-c')), undefined);
  });

  test('a tool found once and moved since is looked up again, not reported missing', async () => {
    const one = join(dir, 'one');
    const two = join(dir, 'two');
    mkdirSync(two, { recursive: true });
    const first = tool(one, 'vk-moving-img');
    process.env['PATH'] = `${one}:${two}:${PATH ?? ''}`;
    assert.equal((await runQemuImg(['info'], {}, 'vk-moving-img')).stdout, `${first} info\n`);
    renameSync(first, join(two, 'vk-moving-img'));
    assert.equal((await runQemuImg(['info'], {}, 'vk-moving-img')).stdout, `${join(two, 'vk-moving-img')} info\n`);
    await assert.rejects(runQemuImg(['info'], {}, 'vk-nowhere-img'), (e) => isVirtkitError(e) && e.code === 'QEMU_NOT_FOUND');
  });

  test("create: nothing read from stdout, and a failure still quotes qemu-img's stderr", async () => {
    const base = join(dir, 'base.qcow2');
    const made = await runQemuImg(['create', '-f', 'qcow2', base, '16M']);
    assert.equal(made.stdout, '');
    const failed = runQemuImg(['create', '-f', 'qcow2', '-b', join(dir, 'missing.qcow2'), '-F', 'qcow2', join(dir, 'over.qcow2')]);
    await assert.rejects(failed, (e) => isVirtkitError(e) && e.code === 'QEMU_IMG_FAILED' && /missing\.qcow2/.test(e.message) &&
      /missing\.qcow2/.test(String((e.details as { stderr?: unknown } | undefined)?.stderr)));
    // Other commands keep their stdout: info's JSON.
    const info = JSON.parse((await runQemuImg(['info', '--output=json', '-f', 'qcow2', base])).stdout) as { 'virtual-size': number };
    assert.equal(info['virtual-size'], 16 << 20);
  });
});
