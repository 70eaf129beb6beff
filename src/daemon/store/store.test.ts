import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FileConfigStore } from './file-config-store.js';
import { FileStatusStore } from './file-status-store.js';
import { MemoryConfigStore, MemoryStatusStore } from './memory-stores.js';
import { configStoreContract, sampleStatus, statusStoreContract } from './store.contract.js';
import { recordedCommitsOf } from './types.js';

const fileConfig = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vk-store-'));
  const open = () => new FileConfigStore(join(dir, 'domains'), join(dir, 'autostart'));
  return { dir, store: open(), reopen: open, cleanup: () => rm(dir, { recursive: true, force: true }) };
};

configStoreContract('file', fileConfig);
configStoreContract('memory', () => {
  const store = new MemoryConfigStore();
  return Promise.resolve({ store, reopen: () => store, cleanup: () => Promise.resolve() });
});
statusStoreContract('file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vk-status-'));
  const open = () => new FileStatusStore(dir);
  return { store: open(), reopen: open, cleanup: () => rm(dir, { recursive: true, force: true }) };
});
statusStoreContract('memory', () => {
  const store = new MemoryStatusStore();
  return Promise.resolve({ store, reopen: () => store, cleanup: () => Promise.resolve() });
});

describe('file stores after a crash', () => {
  it('ignore and remove temp files an interrupted write left behind', async () => {
    const { dir, store, reopen, cleanup } = await fileConfig();
    try {
      await store.save('a', '<domain/>\n');
      const domains = join(dir, 'domains');
      // What a crash between open(temp) and rename() leaves: a hidden, half-written file.
      await writeFile(join(domains, '.a.xml.tmp-999-1'), '<domain><na');
      await writeFile(join(domains, '.b.xml.tmp-999-2'), '');
      const again = reopen();
      assert.deepEqual(await again.loadAll(), [{ name: 'a', xml: '<domain/>\n', autostart: false }]);
      assert.deepEqual(await readdir(domains), ['a.xml']);
    } finally {
      await cleanup();
    }
  });

  it('skips status files that are not status documents, and says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vk-status-'));
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'junk.json'), '{"name":"junk"}');
      await writeFile(join(dir, 'bad.json'), '{not json');
      const warnings: string[] = [];
      const store = new FileStatusStore(dir, (m) => warnings.push(m));
      await store.save(sampleStatus('ok'));
      assert.deepEqual((await store.loadAll()).map((s) => s.name), ['ok']);
      assert.equal(warnings.length, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// Pools keep their autostart markers in a directory inside their definitions' directory (as libvirt's
// /etc/libvirt/storage/autostart): the same store must not take that directory for a definition.
configStoreContract('file, autostart dir inside the definitions dir (pools)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vk-pools-'));
  const open = () => new FileConfigStore(join(dir, 'storage'), join(dir, 'storage', 'autostart'), 0o700, 'pool');
  return { store: open(), reopen: open, cleanup: () => rm(dir, { recursive: true, force: true }) };
});

describe('recordedCommitsOf (the block commits a status file records)', () => {
  it('keeps well-formed records and drops the others', () => {
    const good = { merged: ['/p/top.qcow2'], base: { file: '/p/base.raw', format: 'raw' }, remove: ['/p/top.qcow2'], finish: 'ready' };
    const plain = { merged: ['/p/mid.qcow2'], base: { file: '/p/base.raw', format: 'raw' }, remove: [] };
    const got = recordedCommitsOf({
      vda: good, vdb: plain,
      vdc: { ...good, finish: 'explode' }, vdd: { ...good, merged: [1] }, vde: { ...good, base: { file: '/p/b' } }, vdf: null, vdg: 'x',
    });
    assert.deepEqual([...got], [['vda', good], ['vdb', plain]]);
    assert.equal(recordedCommitsOf(undefined).size, 0);
    assert.equal(recordedCommitsOf('junk').size, 0);
  });
});
