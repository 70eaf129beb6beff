import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fakeEngine } from '../../../tests/helpers/fake-engine.js';
import { isVirtkitError } from '../../core/errors.js';
import type { Engine } from '../engine/engine.js';

const code = (c: string) => (e: unknown) => isVirtkitError(e) && e.code === c;
const record = (name: string, t: number) =>
  `<domainsnapshot><name>${name}</name><state>shutoff</state><creationTime>${t}</creationTime><memory snapshot='no'/></domainsnapshot>`;

async function withEngine(fn: (engine: Engine, root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'vk-snap-engine-'));
  const engine = fakeEngine({ root });
  try {
    await fn(engine, root);
  } finally {
    await engine.close();
    await rm(root, { recursive: true, force: true });
  }
}

describe('snapshot actions in the engine (fake driver)', () => {
  it('redefines records, tracks the current one, and refuses undefine while they exist', async () => {
    await withEngine(async (engine, root) => {
      const { uuid } = (await engine.dispatch({ kind: 'define', xml: "<domain type='kvm'><name>vm</name><memory>1024</memory></domain>" })).domain;
      await engine.dispatch({ kind: 'snapshotCreate', name: 'vm', xml: record('a', 10), redefine: true, current: true });
      await engine.dispatch({ kind: 'snapshotCreate', name: 'vm', xml: record('b', 20), redefine: true });
      assert.deepEqual((await engine.dispatch({ kind: 'snapshotList', name: 'vm' })).map((s) => [s.name, s.current]), [['a', true], ['b', false]]);
      assert.equal((await engine.dispatch({ kind: 'snapshotCurrent', name: 'vm' }))?.name, 'a');
      await assert.rejects(engine.dispatch({ kind: 'snapshotGet', name: 'vm', snapshot: 'c' }), code('SNAPSHOT_NOT_FOUND'));
      await assert.rejects(engine.dispatch({ kind: 'snapshotCreate', name: 'vm', xml: record('c', 1), redefine: true, noMetadata: true }), code('INVALID_ARGUMENT'));
      await assert.rejects(engine.dispatch({ kind: 'snapshotCreate', name: 'vm', xml: '<domainsnapshot><name>n</name></domainsnapshot>', redefine: true }), code('XML_MISSING'));

      await assert.rejects(engine.dispatch({ kind: 'undefine', name: 'vm' }), code('OPERATION_INVALID'));
      const dir = join(root, 'lib', 'domains', uuid, 'snapshots');
      assert.ok(existsSync(join(dir, 'a.xml')));
      await engine.dispatch({ kind: 'undefine', name: 'vm', snapshotsMetadata: true });
      assert.ok(!existsSync(join(dir, 'a.xml')) && !existsSync(join(dir, 'b.xml')), 'the metadata is forgotten with the domain');
    });
  });

  it('says so when the driver cannot snapshot a running domain', async () => {
    await withEngine(async (engine) => {
      await engine.dispatch({ kind: 'define', xml: "<domain type='kvm'><name>vm</name><memory>1024</memory></domain>" });
      await engine.dispatch({ kind: 'start', name: 'vm' });
      await assert.rejects(engine.dispatch({ kind: 'snapshotCreate', name: 'vm' }), code('UNSUPPORTED_OPERATION'));
      await assert.rejects(engine.dispatch({ kind: 'snapshotCreate', name: 'vm', quiesce: true }), code('INVALID_ARGUMENT'));
      await assert.rejects(engine.dispatch({ kind: 'snapshotCreate', name: 'vm', quiesce: true, diskOnly: true }),
        (e) => isVirtkitError(e) && e.code === 'AGENT_UNAVAILABLE' && /no org\.qemu\.guest_agent\.0 channel/.test(e.message));
      assert.deepEqual(await engine.dispatch({ kind: 'snapshotList', name: 'vm' }), [], 'nothing recorded');
      await assert.rejects(engine.dispatch({ kind: 'blockJobs', name: 'vm', disk: 'vda' }), code('UNSUPPORTED_OPERATION'));
      await engine.dispatch({ kind: 'destroy', name: 'vm' });
    });
  });
});
