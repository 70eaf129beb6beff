import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { copyRange, CopyStopped } from './local-copy.js';

const MiB = 1 << 20;
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function scratch(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'vk-copy-'));
  dirs.push(d);
  return d;
}

/** A handle whose writes the kernel refuses as O_DIRECT writes it cannot take (EINVAL). */
function refusingWrites(fh: FileHandle): FileHandle {
  return new Proxy(fh, {
    get(target, prop, receiver) {
      if (prop === 'write') {
        return async () => {
          throw Object.assign(new Error('EINVAL: invalid argument, write'), { code: 'EINVAL' });
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

describe('copyRange (the local fast path\'s copy)', () => {
  it('copies a range between offsets, in place, with the rest of the target unchanged', async () => {
    const d = await scratch();
    const src = randomBytes(9 * MiB + 5);
    const old = randomBytes(12 * MiB);
    await writeFile(join(d, 's'), src);
    await writeFile(join(d, 't'), old);
    const from = await open(join(d, 's'), 'r');
    const to = await open(join(d, 't'), 'r+');
    const seen: number[] = [];
    try {
      assert.equal(await copyRange({ from, fromOffset: 3, to, toOffset: MiB + 1 }, 9 * MiB, (n) => seen.push(n)), 9 * MiB);
    } finally {
      await from.close();
      await to.close();
    }
    const expected = Buffer.concat([old.subarray(0, MiB + 1), src.subarray(3, 9 * MiB + 3), old.subarray(10 * MiB + 1)]);
    assert.ok((await readFile(join(d, 't'))).equals(expected));
    assert.equal(seen.at(-1), 9 * MiB);
    assert.ok(seen.every((n, i) => i === 0 || n > (seen[i - 1] ?? 0)));
  });

  it('with O_DIRECT: aligned blocks direct, the unaligned tail buffered; a refused direct write goes buffered', async () => {
    const d = await scratch();
    const src = randomBytes(10 * MiB + 123);
    await writeFile(join(d, 's'), src);
    for (const refuse of [false, true]) {
      const out = join(d, `t${String(refuse)}`);
      const from = await open(join(d, 's'), 'r');
      const buffered = await open(out, 'w', 0o644);
      const direct = await open(out, constants.O_WRONLY | constants.O_DIRECT).catch(() => buffered);
      try {
        await buffered.truncate(src.length);
        await copyRange({ from, fromOffset: 0, to: refuse ? refusingWrites(direct) : direct, toOffset: 0, buffered }, src.length);
      } finally {
        await from.close();
        if (direct !== buffered) await direct.close();
        await buffered.close();
      }
      assert.ok((await readFile(out)).equals(src), `bytes (direct writes refused: ${String(refuse)})`);
    }
  });

  it('stops with the prefix written when the source ends early', async () => {
    const d = await scratch();
    await writeFile(join(d, 's'), randomBytes(5 * MiB));
    await writeFile(join(d, 't'), Buffer.alloc(0));
    const from = await open(join(d, 's'), 'r');
    const to = await open(join(d, 't'), 'r+');
    try {
      await assert.rejects(copyRange({ from, fromOffset: 0, to, toOffset: 0 }, 8 * MiB),
        (e: unknown) => e instanceof CopyStopped && e.written === 5 * MiB && /source ended after 5242880 of 8388608/.test(e.message));
    } finally {
      await from.close();
      await to.close();
    }
  });
});
