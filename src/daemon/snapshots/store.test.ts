import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseSnapshotXml } from '../../core/xml/snapshot/index.js';
import { SnapshotSet } from './store.js';

const rec = (name: string, t: number, parent?: string) =>
  parseSnapshotXml(`<domainsnapshot><name>${name}</name><state>shutoff</state>${parent === undefined ? '' : `<parent><name>${parent}</name></parent>`}<creationTime>${t}</creationTime><memory snapshot='no'/></domainsnapshot>`);

describe('snapshot metadata files', () => {
  it('keeps one file per snapshot, the current one marked <active>1</active>, and reads them back', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'vk-snapmeta-')), 'snapshots');
    try {
      const warnings: string[] = [];
      const set = await SnapshotSet.load(dir, (m) => warnings.push(m));
      assert.equal(set.size, 0, 'a missing directory is no snapshots');
      await set.save(rec('b', 20), true);
      await set.save(rec('a', 10), true);
      assert.equal(set.current, 'a');
      assert.deepEqual((await readdir(dir)).sort(), ['a.xml', 'b.xml']);
      assert.match(await readFile(join(dir, 'a.xml'), 'utf8'), /<active>1<\/active>/);
      assert.doesNotMatch(await readFile(join(dir, 'b.xml'), 'utf8'), /<active>/, 'the old current file is rewritten without the mark');
      await set.save(rec('c', 30, 'a'), false);
      await writeFile(join(dir, 'junk.xml'), '<domain/>');
      await writeFile(join(dir, 'other.xml'), '<domainsnapshot><name>elsewhere</name></domainsnapshot>');

      const again = await SnapshotSet.load(dir, (m) => warnings.push(m));
      assert.deepEqual(again.all().map((s) => s.name), ['a', 'b', 'c'], 'oldest first');
      assert.equal(again.current, 'a');
      assert.deepEqual(again.children('a').map((s) => s.name), ['c']);
      assert.equal(again.get('c', 'vm').active, undefined, 'the mark is not part of the record');
      assert.deepEqual(warnings.map((w) => w.replace(/ .*/, '')), ['ignoring', 'ignoring']);
      assert.ok(warnings.some((w) => w.includes('junk.xml')) && warnings.some((w) => w.includes("names snapshot 'elsewhere'")));

      await again.setCurrent('c');
      await again.remove('a');
      const third = await SnapshotSet.load(dir, () => undefined);
      assert.equal(third.current, 'c');
      assert.equal(third.has('a'), false);
      assert.throws(() => third.get('a', 'vm'), (e: Error & { code?: string }) => e.code === 'SNAPSHOT_NOT_FOUND');
      await assert.rejects(third.save(rec('../x', 1), false), (e: Error & { code?: string }) => e.code === 'XML_INVALID_VALUE');
      assert.equal(third.has('../x'), false, 'a refused name is not kept');
    } finally {
      await rm(join(dir, '..'), { recursive: true, force: true });
    }
  });
});
