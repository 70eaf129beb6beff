import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Io } from './framework.js';
import { buildTinyImage, TINY_IMAGE_SCRIPT } from './tiny-image.js';

describe('buildTinyImage (the runner of scripts/build-tiny-image.sh)', () => {
  let dir: string;
  let stderr: string;
  const io = (): Io => ({ stdout: () => undefined, stderr: (t) => { stderr += t; }, env: { PATH: process.env['PATH'] }, cwd: dir });
  const script = async (name: string, body: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, `${body}\n`);
    return path;
  };
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'vk-tiny-cli-')); });
  after(() => rm(dir, { recursive: true, force: true }));

  it('finds the project script from the CLI module (three levels below the checkout)', () => {
    assert.match(TINY_IMAGE_SCRIPT, /\/scripts\/build-tiny-image\.sh$/);
    assert.ok(existsSync(TINY_IMAGE_SCRIPT), TINY_IMAGE_SCRIPT);
  });

  it("returns the last line of the script's stdout, passes --force, and shows its log on stderr", async () => {
    stderr = '';
    const s = await script('ok.sh', 'echo "log: $*" >&2; echo noise; echo /images/tiny.qcow2');
    assert.equal(await buildTinyImage(io(), { script: s, force: true }), '/images/tiny.qcow2');
    assert.equal(stderr, 'log: --force\n');
    stderr = '';
    await buildTinyImage(io(), { script: s });
    assert.equal(stderr, 'log: \n');
  });

  it('fails with IMAGE_BUILD_FAILED quoting the last line of stderr, or for a missing path', async () => {
    stderr = '';
    const s = await script('fail.sh', 'echo "build-tiny-image: building" >&2; echo "build-tiny-image: error: needs root" >&2; exit 3');
    await assert.rejects(buildTinyImage(io(), { script: s }), {
      code: 'IMAGE_BUILD_FAILED', message: `${s} failed (exit status 3): build-tiny-image: error: needs root`, details: { script: s },
    });
    assert.match(stderr, /building\n.*needs root\n$/);
    const quiet = await script('quiet.sh', 'exit 0');
    await assert.rejects(buildTinyImage(io(), { script: quiet }), { code: 'IMAGE_BUILD_FAILED', message: `${quiet} printed no image path` });
  });
});
