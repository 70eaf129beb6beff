/**
 * vol-resize and kill -9: the daemon (and the qemu-img it runs, as a power cut or the OOM killer
 * would) killed in the middle of a qcow2 shrink, a qcow2 preallocated grow, a raw --allocate grow
 * and a plain qcow2 grow; after the restart every volume is a valid image (qemu-img check: no
 * corruption) of its old or its new size, its data before the new end intact, and no resize marker
 * is left (the interrupted ones were rolled forward at pool start: the new size). A marker a crash
 * left is rolled forward deterministically too.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, watch } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { api, assertLeftNothing, spawnDaemon, tempRoot, type Child } from './daemon-harness.js';

const MiB = 1 << 20;
const poolXml = (dir: string) => `<pool type='dir'><name>p</name><target><path>${dir}</path></target></pool>`;
const volXml = (name: string, format: string, mib: number) =>
  `<volume><name>${name}</name><capacity unit='M'>${mib}</capacity><allocation>0</allocation><target><format type='${format}'/></target></volume>`;
const qinfo = (path: string, format: string) => JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '-f', format, path], { encoding: 'utf8' })) as { 'virtual-size': number };

/** qemu-img check: exit 0 (clean) or 3 (leaked clusters only, harmless); never corruption. */
function checkValid(path: string, format: string): void {
  if (format !== 'qcow2') return;
  let out: string;
  try {
    out = execFileSync('qemu-img', ['check', '--output=json', '-f', 'qcow2', path], { encoding: 'utf8' });
  } catch (e) {
    const err = e as { status: number; stdout: string };
    assert.equal(err.status, 3, `qemu-img check ${path}: ${err.stdout}`);
    out = err.stdout;
  }
  const r = JSON.parse(out) as { corruptions?: number; 'check-errors'?: number };
  assert.equal(r.corruptions ?? 0, 0, `${path} is corrupt: ${out}`);
  assert.equal(r['check-errors'] ?? 0, 0, out);
}

/** The daemon's children (its qemu-img) and the daemon itself, killed with SIGKILL at once. */
function killAll(pid: number): void {
  const kids: number[] = [];
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    const c = readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim();
    if (c !== '') kids.push(...c.split(/\s+/).map(Number));
  }
  process.kill(pid, 'SIGKILL');
  for (const k of kids) {
    try {
      process.kill(k, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

interface Case { name: string; format: 'raw' | 'qcow2'; from: number; to: number; shrink?: boolean; allocate?: boolean; marker: boolean }

const CASES: Case[] = [
  { name: 'shrink.qcow2', format: 'qcow2', from: 64, to: 8, shrink: true, marker: true },
  { name: 'prealloc.qcow2', format: 'qcow2', from: 8, to: 256, allocate: true, marker: true },
  { name: 'alloc.raw', format: 'raw', from: 8, to: 256, allocate: true, marker: true },
  { name: 'grow.qcow2', format: 'qcow2', from: 8, to: 4096, marker: false },
];

describe('vol-resize crash safety', { timeout: 180_000 }, () => {
  it('kill -9 of the daemon and its qemu-img mid-resize leaves valid volumes of the old or new size, rolled forward at restart', async () => {
    const { root, layout } = await tempRoot();
    const dir = join(root, 'pool');
    let daemon: Child = await spawnDaemon(layout);
    try {
      assert.equal((await api(layout, 'POST', '/v1/pools', { xml: poolXml(dir) })).status, 201);
      assert.equal((await api(layout, 'POST', '/v1/pools/p/actions/start', { build: true })).status, 200);
      for (const c of CASES) {
        const r = await api(layout, 'POST', '/v1/pools/p/volumes?wait=30000', { xml: volXml(c.name, c.format, c.from) });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        // Known data in the first MiB (kept by every resize here), and data past 8 MiB for the shrink to discard.
        execFileSync('qemu-io', ['-f', c.format, '-c', 'write -P 0x5a 0 1M', ...(c.shrink ? ['-c', 'write -P 0x33 16M 40M'] : []), join(dir, c.name)]);
      }
      for (const c of CASES) {
        const path = join(dir, c.name);
        // Killed the moment the intent marker appears (the non-atomic cases), or as soon as qemu-img runs (the plain grow).
        let killed = false;
        const kill = () => {
          if (!killed) {
            killed = true;
            killAll(daemon.pid);
          }
        };
        const watcher = watch(dir, (_e, f) => {
          if (String(f) === `.${c.name}.vk-resize`) kill();
        });
        const poll = setInterval(() => {
          if (c.marker || killed) return;
          const kids = readdirSync(`/proc/${daemon.pid}/task`).flatMap((t) => readFileSync(`/proc/${daemon.pid}/task/${t}/children`, 'utf8').trim().split(/\s+/)).filter(Boolean);
          if (kids.some((k) => readFileSync(`/proc/${k}/comm`, 'utf8').trim() === 'qemu-img')) kill();
        }, 1);
        const body = { capacity: c.to * MiB, ...(c.shrink ? { shrink: true } : {}), ...(c.allocate ? { allocate: true } : {}) };
        const res = await api(layout, 'POST', `/v1/pools/p/volumes/${c.name}/actions/resize?wait=60000`, body).then((r) => r.status, () => 'killed');
        watcher.close();
        clearInterval(poll);
        if (c.marker) assert.equal(res, 'killed', `${c.name}: the resize was acknowledged before the kill (${String(res)})`);
        await daemon.stop();
        const markerLeft = existsSync(join(dir, `.${c.name}.vk-resize`));
        if (c.marker) assert.ok(markerLeft, `${c.name}: the kill left no marker`);
        // Valid in between (no daemon): old or new size.
        checkValid(path, c.format);
        const size = c.format === 'raw' ? statSync(path).size : qinfo(path, c.format)['virtual-size'];
        assert.ok(size === c.from * MiB || size === c.to * MiB, `${c.name}: ${size} is neither ${c.from} nor ${c.to} MiB`);

        daemon = await spawnDaemon(layout);
        const v = (await api(layout, 'GET', `/v1/pools/p/volumes/${c.name}`)).body as { capacity: number; allocation: number };
        assert.equal(v.capacity, c.marker ? c.to * MiB : size, `${c.name} after the restart`);
        assert.equal(existsSync(join(dir, `.${c.name}.vk-resize`)), false, `${c.name}: marker left after the restart`);
        if (c.format === 'raw' && c.allocate) assert.ok(v.allocation >= (c.to - c.from) * MiB, `${c.name}: allocation ${v.allocation} not finished`);
        checkValid(path, c.format);
        execFileSync('qemu-io', ['-f', c.format, '-c', 'read -P 0x5a 0 1M', path]);
      }
      const listed = ((await api(layout, 'GET', '/v1/pools/p/volumes')).body as { volumes: { name: string }[] }).volumes.map((v) => v.name).sort();
      assert.deepEqual(listed, CASES.map((c) => c.name).sort(), 'markers are never listed as volumes');
      assert.equal(await daemon.stop('SIGTERM'), 0);
    } finally {
      await daemon.stop('SIGKILL');
    }
    await assertLeftNothing(root, layout, daemon.pid);
  });

  it('a resize marker a crash left is rolled forward at pool start: the qcow2 shrink is finished', async () => {
    const { root, layout } = await tempRoot();
    const dir = join(root, 'pool');
    let daemon: Child = await spawnDaemon(layout);
    try {
      assert.equal((await api(layout, 'POST', '/v1/pools', { xml: poolXml(dir) })).status, 201);
      assert.equal((await api(layout, 'POST', '/v1/pools/p/actions/start', { build: true })).status, 200);
      assert.equal((await api(layout, 'POST', '/v1/pools/p/volumes?wait=30000', { xml: volXml('v.qcow2', 'qcow2', 32) })).status, 201);
      assert.equal(await daemon.stop('SIGKILL'), null);
      // As a crash between the marker and the first discard leaves it.
      const intent = { volume: 'v.qcow2', format: 'qcow2', from: 32 * MiB, to: 4 * MiB, allocate: false };
      await writeFile(join(dir, '.v.qcow2.vk-resize'), JSON.stringify(intent));
      await writeFile(join(dir, '.gone.raw.vk-resize'), JSON.stringify({ ...intent, volume: 'gone.raw', format: 'raw' }));
      daemon = await spawnDaemon(layout);
      const v = (await api(layout, 'GET', '/v1/pools/p/volumes/v.qcow2')).body as { capacity: number };
      assert.equal(v.capacity, 4 * MiB);
      assert.equal(qinfo(join(dir, 'v.qcow2'), 'qcow2')['virtual-size'], 4 * MiB);
      assert.deepEqual((await readdir(dir)).sort(), ['v.qcow2'], 'both markers removed, the one for a missing volume too');
      assert.equal(await daemon.stop('SIGTERM'), 0);
    } finally {
      await daemon.stop('SIGKILL');
    }
    await assertLeftNothing(root, layout, daemon.pid);
  });
});
