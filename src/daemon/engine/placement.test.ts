import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fakeEngine } from '../../../tests/helpers/fake-engine.js';
import { isVirtkitError } from '../../core/errors.js';
import { parseDomainXml } from '../../core/xml/domain/index.js';
import { hostReader } from '../../host/sysfs/host-reader.js';
import { fakeSysfs, type FakeSysfs } from '../../../tests/helpers/fake-sysfs.js';
import { VNF_ASKED, VNF_BUSY_CPUS, VNF_EXPERT, VNF_HOST, vnfXml } from '../../../tests/helpers/placement-vnf.js';
import { MemoryConfigStore, MemoryStatusStore } from '../store/memory-stores.js';
import type { Engine } from './engine.js';
import { FakeHypervisor } from './fake-driver.js';

// The engine with the fake driver on the fake four-node host of the VNF case: the placement,
// the reservation lock, the holdings in the runtime records and status files are the real ones.
const ROOT = mkdtempSync(join(tmpdir(), 'vk-engine-place-'));
let host: FakeSysfs;
before(async () => { host = await fakeSysfs(VNF_HOST); });
after(async () => {
  await host.remove();
  rmSync(ROOT, { recursive: true, force: true });
});

const code = (c: string) => (e: unknown) => isVirtkitError(e) && e.code === c;

function setup(stores = { config: new MemoryConfigStore(), status: new MemoryStatusStore() }, driver = new FakeHypervisor()) {
  const engine = fakeEngine({ root: ROOT, driver, ...stores, host: hostReader(host.root) });
  return { engine, driver, ...stores };
}

/** A dedicated domain of `vcpus` vCPUs and 1 GiB, no huge pages. */
const dedicated = (name: string, vcpus: number): string =>
  `<domain type='kvm'><name>${name}</name><memory unit='GiB'>1</memory><vcpu placement='auto'>${vcpus}</vcpu>` +
  "<os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os></domain>";

/** Host CPUs of the live XML's vcpupins. */
async function pinned(engine: Engine, name: string): Promise<number[]> {
  const live = parseDomainXml(await engine.dispatch({ kind: 'dumpxml', name }));
  return (live.cputune?.vcpupin ?? []).map((p) => Number(p.cpuset));
}

async function run(engine: Engine, xml: string): Promise<void> {
  const name = parseDomainXml(xml).name;
  await engine.dispatch({ kind: 'define', xml });
  await engine.dispatch({ kind: 'start', name });
}

describe('automatic placement at start (fake four-node host, fake driver)', () => {
  it('gives the telco VNF the tuning an expert writes by hand, in the live XML only', async () => {
    const { engine, status } = setup();
    await run(engine, dedicated('other', 14)); // node 0's seven unshared cores
    assert.deepEqual((await pinned(engine, 'other')).sort((a, b) => a - b), VNF_BUSY_CPUS);
    await run(engine, VNF_ASKED);
    const live = parseDomainXml(await engine.dispatch({ kind: 'dumpxml', name: 'vnf' }));
    const expert = parseDomainXml(VNF_EXPERT);
    for (const k of ['vcpu', 'cputune', 'numatune', 'memoryBacking', 'cpu'] as const) assert.deepEqual(live[k], expert[k], k);
    const inactive = parseDomainXml(await engine.dispatch({ kind: 'dumpxml', name: 'vnf', inactive: true }));
    assert.equal(inactive.vcpu?.placement, 'auto');
    assert.equal(inactive.cputune, undefined);
    const st = (await status.loadAll()).find((s) => s.name === 'vnf');
    assert.deepEqual(st?.placement, { domain: 'vnf', cpus: [17, 18, 49, 50], memory: [], hugepages: [{ node: 2, sizeKiB: 2048, pages: 2048 }] });
    // virtkit placement: the holdings by domain, and per node what they hold.
    const view = await engine.dispatch({ kind: 'placement' });
    assert.deepEqual(view.holdings.map((h) => h.domain), ['other', 'vnf']);
    assert.deepEqual(view.nodes.map((n) => [n.node, n.heldCpus.length, n.memoryKiB, n.hugepages]), [
      [0, 14, 1024 * 1024, []], [1, 0, 0, []], [2, 4, 0, [{ sizeKiB: 2048, pages: 2048 }]], [3, 0, 0, []],
    ]);
    await engine.dispatch({ kind: 'destroy', name: 'vnf' });
    assert.deepEqual((await engine.dispatch({ kind: 'placement' })).holdings.map((h) => h.domain), ['other']);
    await engine.close();
  });

  it('never gives one CPU to two dedicated domains started at once; nothing fits: PLACEMENT_NO_FIT, nothing held', async () => {
    const { engine, driver } = setup();
    const names = ['d0', 'd1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7'];
    for (const n of names) await engine.dispatch({ kind: 'define', xml: dedicated(n, 7) });
    // Every start waits in the driver until all eight have placed: only the reservations keep them apart.
    let open = (): void => undefined;
    driver.gate = new Promise<void>((r) => { open = r; });
    const start = driver.start.bind(driver);
    let waiting = 0;
    driver.start = (...args) => {
      if (++waiting === names.length) open();
      return start(...args);
    };
    await Promise.all(names.map((name) => engine.dispatch({ kind: 'start', name })));
    driver.gate = undefined;
    const all = (await Promise.all(names.map((n) => pinned(engine, n)))).flat();
    assert.equal(all.length, 56);
    assert.equal(new Set(all).size, 56, 'a CPU given twice');
    // 4 nodes x 14 unshared threads: every one is taken now.
    await engine.dispatch({ kind: 'define', xml: dedicated('late', 1) });
    await assert.rejects(engine.dispatch({ kind: 'start', name: 'late' }),
      (e: unknown) => code('PLACEMENT_NO_FIT')(e) && /node 3: CPUs/.test((e as Error).message));
    assert.equal(driver.running.has('late'), false);
    // Stopping one releases its CPUs, and the next start gets them.
    const freed = await pinned(engine, 'd5');
    await engine.dispatch({ kind: 'destroy', name: 'd5' });
    await engine.dispatch({ kind: 'start', name: 'late' });
    assert.ok(freed.includes((await pinned(engine, 'late'))[0] ?? -1));
    await engine.close();
  });

  it('keeps the holdings of running domains across a daemon restart', async () => {
    const first = setup();
    await run(first.engine, dedicated('kept', 14));
    const kept = await pinned(first.engine, 'kept');
    await first.engine.close();
    const second = setup({ config: first.config, status: first.status });
    second.driver.alive.add(first.driver.running.get('kept')?.pid ?? -1);
    await second.engine.load();
    await run(second.engine, dedicated('next', 14));
    const next = await pinned(second.engine, 'next');
    assert.equal(next.filter((c) => kept.includes(c)).length, 0, 'the restarted daemon gave a held CPU again');
    assert.notDeepEqual(next, kept);
    await second.engine.close();
  });

  it("takes the SMT policy from virtkit's metadata: isolate holds each vCPU's sibling idle", async () => {
    const { engine, status } = setup();
    const meta = "<metadata><virtkit:placement xmlns:virtkit='https://virtkit.dev/xmlns/placement/1' smt='isolate'/></metadata>";
    await run(engine, dedicated('iso', 2).replace('<memory', `${meta}<memory`));
    assert.deepEqual(await pinned(engine, 'iso'), [1, 2]);
    assert.deepEqual((await status.loadAll()).find((s) => s.name === 'iso')?.placement?.cpus, [1, 2, 33, 34]);
    await engine.dispatch({ kind: 'define', xml: dedicated('bad', 1).replace('<memory', meta.replace('isolate', 'split') + '<memory') });
    await assert.rejects(engine.dispatch({ kind: 'start', name: 'bad' }), code('XML_INVALID_VALUE'));
    await engine.close();
  });

  it('refuses a domain no node can hold before anything runs', async () => {
    const { engine, driver } = setup();
    await engine.dispatch({ kind: 'define', xml: vnfXml("<vcpu placement='auto'>15</vcpu>", 'big') });
    await assert.rejects(engine.dispatch({ kind: 'start', name: 'big' }), code('PLACEMENT_NO_FIT'));
    assert.equal(driver.running.size, 0);
    const d = await engine.dispatch({ kind: 'get', name: 'big' });
    assert.equal(d.state, 'shutoff');
    await engine.close();
  });
});
