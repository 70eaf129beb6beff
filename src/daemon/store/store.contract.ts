/**
 * Contract suites for ConfigStore and StatusStore: every implementation must
 * pass them unchanged (store.test.ts runs them against the file and memory
 * stores).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isVirtkitError } from '../../core/errors.js';
import type { ConfigStore, DomainStatus, StatusStore } from './types.js';

export interface Fixture<T> {
  store: T;
  /** A second store over the same data, as a restarted daemon would open it. */
  reopen(): T;
  cleanup(): Promise<void>;
}

const XML = (name: string): string => `<domain type='kvm'>\n  <name>${name}</name>\n</domain>\n`;

export function configStoreContract(impl: string, make: () => Promise<Fixture<ConfigStore>>): void {
  const withStore = (fn: (f: Fixture<ConfigStore>) => Promise<void>) => async () => {
    const f = await make();
    try {
      await fn(f);
    } finally {
      await f.cleanup();
    }
  };

  describe(`ConfigStore contract: ${impl}`, () => {
    it('starts empty', withStore(async ({ store }) => {
      assert.deepEqual(await store.list(), []);
      assert.deepEqual(await store.loadAll(), []);
      assert.equal(await store.load('nope'), undefined);
    }));

    it('saves, loads, lists sorted and survives a reopen', withStore(async ({ store, reopen }) => {
      await store.save('b', XML('b'));
      await store.save('a', XML('a'));
      assert.deepEqual(await store.list(), ['a', 'b']);
      assert.equal(await store.load('a'), XML('a'));
      const again = reopen();
      assert.deepEqual(await again.loadAll(), [
        { name: 'a', xml: XML('a'), autostart: false },
        { name: 'b', xml: XML('b'), autostart: false },
      ]);
    }));

    it('replaces a definition on save', withStore(async ({ store }) => {
      await store.save('a', XML('a'));
      await store.save('a', '<domain/>\n');
      assert.equal(await store.load('a'), '<domain/>\n');
      assert.deepEqual(await store.list(), ['a']);
    }));

    it('keeps autostart flags and reports them in loadAll', withStore(async ({ store, reopen }) => {
      await store.save('a', XML('a'));
      assert.equal(await store.getAutostart('a'), false);
      await store.setAutostart('a', true);
      await store.setAutostart('a', true);
      assert.equal(await store.getAutostart('a'), true);
      assert.deepEqual(await reopen().loadAll(), [{ name: 'a', xml: XML('a'), autostart: true }]);
      await store.setAutostart('a', false);
      await store.setAutostart('a', false);
      assert.equal(await store.getAutostart('a'), false);
    }));

    it('deletes a definition with its autostart flag', withStore(async ({ store }) => {
      await store.save('a', XML('a'));
      await store.setAutostart('a', true);
      assert.equal(await store.delete('a'), true);
      assert.equal(await store.delete('a'), false);
      assert.equal(await store.load('a'), undefined);
      assert.equal(await store.getAutostart('a'), false);
      assert.deepEqual(await store.list(), []);
    }));

    it('takes names with spaces and unicode', withStore(async ({ store }) => {
      await store.save('my vm ü', XML('x'));
      assert.deepEqual(await store.list(), ['my vm ü']);
    }));

    for (const bad of ['', '../etc', 'a/b', '.hidden', 'a\nb', 'x'.repeat(201)]) {
      it(`refuses the name ${JSON.stringify(bad.slice(0, 12))} with XML_INVALID_VALUE`, withStore(async ({ store }) => {
        await assert.rejects(store.save(bad, XML('x')), (e) => isVirtkitError(e) && e.code === 'XML_INVALID_VALUE');
        assert.deepEqual(await store.list(), []);
      }));
    }

    it('keeps every one of 50 concurrent saves whole', withStore(async ({ store, reopen }) => {
      const names = Array.from({ length: 50 }, (_, i) => `vm${String(i).padStart(2, '0')}`);
      await Promise.all(names.map((n) => store.save(n, XML(n))));
      const all = await reopen().loadAll();
      assert.deepEqual(all.map((d) => d.name), names);
      for (const d of all) assert.equal(d.xml, XML(d.name));
    }));
  });
}

export const sampleStatus = (name: string, over: Partial<DomainStatus> = {}): DomainStatus => ({
  name,
  uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f',
  id: 1,
  pid: 4242,
  qmpSocket: '/run/virtkit/d/6695eb01-f6a4-8304-79aa-97f2502e193f/qmp.sock',
  startedAt: '2025-01-01T00:00:00.000Z',
  argv: ['qemu-system-x86_64', '-name', `guest=${name}`],
  aliases: { virtio0: 'disk vda' },
  xml: XML(name),
  persistent: true,
  state: 'running',
  reason: 'booted',
  ...over,
} as DomainStatus);

export function statusStoreContract(impl: string, make: () => Promise<Fixture<StatusStore>>): void {
  describe(`StatusStore contract: ${impl}`, () => {
    it('saves, replaces, reloads and deletes status documents', async () => {
      const { store, reopen, cleanup } = await make();
      try {
        assert.deepEqual(await store.loadAll(), []);
        await store.save(sampleStatus('a'));
        await store.save(sampleStatus('a', { state: 'paused', reason: 'user' }));
        await store.save(sampleStatus('b', { id: 2 }));
        const all = (await reopen().loadAll()).sort((x, y) => x.name.localeCompare(y.name));
        assert.deepEqual(all, [sampleStatus('a', { state: 'paused', reason: 'user' }), sampleStatus('b', { id: 2 })]);
        assert.equal(await store.delete('a'), true);
        assert.equal(await store.delete('a'), false);
        assert.deepEqual((await reopen().loadAll()).map((s) => s.name), ['b']);
      } finally {
        await cleanup();
      }
    });
  });
}
