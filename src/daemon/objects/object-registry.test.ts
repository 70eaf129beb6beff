import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isVirtkitError } from '../../core/errors.js';
import { FileRecordStore } from '../store/file-record-store.js';
import { ObjectEventBus } from './object-events.js';
import { ObjectRegistry } from './object-registry.js';

const U1 = '11111111-2222-3333-4444-555555555555';
const U2 = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const kind = { noun: 'pool', notFound: 'POOL_NOT_FOUND', exists: 'POOL_EXISTS' } as const;

const code = (c: string) => (e: unknown) => isVirtkitError(e) && e.code === c;

describe('ObjectRegistry', () => {
  it('finds by UUID (any spelling) then by name, and says which kind is missing', () => {
    const r = new ObjectRegistry<{ name: string; uuid: string }>(kind);
    r.add({ name: 'a', uuid: U1 });
    assert.equal(r.find(U1.toUpperCase())?.name, 'a');
    assert.equal(r.find(U1.replace(/-/g, ''))?.name, 'a');
    assert.equal(r.find('a')?.uuid, U1);
    assert.throws(() => r.resolve('b'), (e) => code('POOL_NOT_FOUND')(e) && /pool 'b' not found: no pool has/.test((e as Error).message));
  });

  it('refuses a second object with a taken UUID, and a UUID reserved by a concurrent define', () => {
    const r = new ObjectRegistry<{ name: string; uuid: string }>(kind);
    r.add({ name: 'a', uuid: U1 });
    assert.throws(() => r.add({ name: 'b', uuid: U1 }), code('POOL_EXISTS'));
    const release = r.reserveUuid(U2, 'c');
    assert.throws(() => r.reserveUuid(U2, 'd'), code('POOL_EXISTS'));
    release();
    r.reserveUuid(U2, 'd')();
  });

  it('replacing an object under its name drops its old UUID', () => {
    const r = new ObjectRegistry<{ name: string; uuid: string }>(kind);
    r.add({ name: 'a', uuid: U1 });
    r.add({ name: 'a', uuid: U2 });
    assert.equal(r.byUuid(U1), undefined);
    assert.equal(r.size, 1);
    r.remove(r.named('a'));
    assert.equal(r.size, 0);
  });
});

describe('ObjectEventBus', () => {
  it('stamps the kind and time, filters by UUID, and drops a throwing subscriber', () => {
    const dropped: string[] = [];
    const bus = new ObjectEventBus<'pool', 'started' | 'stopped'>('pool', () => 0, (_e, ev) => dropped.push(ev.event));
    const all: string[] = [];
    const one: string[] = [];
    bus.subscribe((e) => all.push(`${e.kind}:${e.name}:${e.event}:${e.timestamp}`));
    bus.subscribe((e) => one.push(e.name), { uuid: U2 });
    bus.subscribe(() => {
      throw new Error('boom');
    });
    bus.emit({ name: 'a', uuid: U1 }, 'started');
    bus.emit({ name: 'b', uuid: U2 }, 'stopped');
    assert.deepEqual(all, ['pool:a:started:1970-01-01T00:00:00.000Z', 'pool:b:stopped:1970-01-01T00:00:00.000Z']);
    assert.deepEqual(one, ['b']);
    assert.deepEqual(dropped, ['started']);
    assert.equal(bus.subscribers, 2);
  });
});

describe('FileRecordStore', () => {
  it('saves, reloads, skips what does not parse or is misnamed, removes temp files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vk-rec-'));
    try {
      const warnings: string[] = [];
      const parse = (v: unknown) => (typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string'
        ? v as { name: string; n?: number } : undefined);
      const store = new FileRecordStore(dir, 'pool', parse, (m) => warnings.push(m));
      await store.save({ name: 'a', n: 1 });
      await writeFile(join(dir, 'b.json'), '[]');
      await writeFile(join(dir, 'c.json'), '{"name": "other"}');
      await writeFile(join(dir, '.a.json.tmp-1-1'), '{');
      const again = new FileRecordStore(dir, 'pool', parse, (m) => warnings.push(m));
      assert.deepEqual(await again.loadAll(), [{ name: 'a', n: 1 }]);
      assert.equal(warnings.length, 2);
      assert.deepEqual((await readdir(dir)).sort(), ['a.json', 'b.json', 'c.json']);
      assert.equal(await again.delete('a'), true);
      assert.equal(await again.delete('a'), false);
      await assert.rejects(again.save({ name: '../x' }), /invalid pool name/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
