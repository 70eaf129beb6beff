import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fakeEngine } from '../../../tests/helpers/fake-engine.js';
import { isVirtkitError } from '../../core/errors.js';
import { NoHypervisor } from '../driver-none.js';
import type { Hypervisor } from '../driver.js';
import type { LifecycleEvent } from '../state.js';
import { MemoryConfigStore, MemoryStatusStore } from '../store/memory-stores.js';
import type { CachedSummary, SummaryCache } from '../store/summary-cache.js';
import { FakeHypervisor } from './fake-driver.js';

// The engine's network objects keep their directories on disk (etc/network, run/network): a
// root of this run's own, removed afterwards.
const ROOT = mkdtempSync(join(tmpdir(), 'vk-engine-test-'));
after(() => rmSync(ROOT, { recursive: true, force: true }));
const nodeInfo = () => Promise.resolve({ model: 'x86_64', cpus: 1, mhz: 1, nodes: 1, sockets: 1, cores: 1, threads: 1, memoryKiB: 1 });

const code = (c: string) => (e: unknown) => isVirtkitError(e) && e.code === c;
const xml = (name: string, uuid?: string) =>
  `<domain type='kvm'><name>${name}</name>${uuid ? `<uuid>${uuid}</uuid>` : ''}<memory unit='KiB'>1024</memory>` +
  `<vcpu>1</vcpu><os><type>hvm</type></os></domain>`;
const U1 = '11111111-1111-1111-1111-111111111111';

function setup(
  driver: Hypervisor = new NoHypervisor(),
  stores = { config: new MemoryConfigStore(), status: new MemoryStatusStore() },
  summaries?: SummaryCache,
) {
  const engine = fakeEngine({ root: ROOT, driver, ...stores, ...(summaries ? { summaries } : {}), nodeInfo });
  const events: LifecycleEvent[] = [];
  engine.subscribe((e) => events.push(e));
  const seen = () => events.map((e) => `${e.domain}:${e.event}/${e.detail}`);
  return { engine, events, seen, ...stores };
}

describe('engine without a driver', () => {
  it('defines, lists, gets, dumps and undefines', async () => {
    const { engine, config, seen } = setup();
    const r = await engine.dispatch({ kind: 'define', xml: xml('vm1') });
    assert.equal(r.created, true);
    assert.equal(r.domain.state, 'shutoff');
    assert.equal(r.domain.id, null);
    assert.match(r.domain.uuid, /^[0-9a-f-]{36}$/);
    assert.match((await config.load('vm1')) ?? '', new RegExp(r.domain.uuid));
    assert.deepEqual((await engine.dispatch({ kind: 'list', filter: {} })).map((d) => d.name), ['vm1']);
    assert.deepEqual(await engine.dispatch({ kind: 'list', filter: { active: true } }), []);
    assert.equal((await engine.dispatch({ kind: 'get', name: r.domain.uuid.toUpperCase() })).name, 'vm1');
    assert.match(await engine.dispatch({ kind: 'dumpxml', name: 'vm1' }), /<name>vm1<\/name>/);
    await engine.dispatch({ kind: 'undefine', name: 'vm1' });
    assert.equal(await config.load('vm1'), undefined);
    await assert.rejects(engine.dispatch({ kind: 'get', name: 'vm1' }), code('DOMAIN_NOT_FOUND'));
    assert.deepEqual(seen(), ['vm1:defined/added', 'vm1:undefined/removed']);
  });

  it("drops a disk's <mirror> from a definition, as libvirt: a block job's state is not defined", async () => {
    const { engine } = setup();
    const disk = "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/var/lib/a.qcow2'/>" +
      "<mirror type='file' job='active-commit' ready='yes'><format type='raw'/><source file='/var/lib/base.raw'/></mirror>" +
      "<target dev='vda' bus='virtio'/></disk>";
    await engine.dispatch({ kind: 'define', xml: xml('vmm').replace('</os>', `</os><devices>${disk}</devices>`) });
    const out = await engine.dispatch({ kind: 'dumpxml', name: 'vmm', inactive: true });
    assert.match(out, /<source file='\/var\/lib\/a.qcow2'\/>/u);
    assert.doesNotMatch(out, /mirror|base\.raw/u);
  });

  it('updates a definition in place, keeping its uuid when the new XML has none', async () => {
    const { engine, seen } = setup();
    const first = await engine.dispatch({ kind: 'define', xml: xml('vm1', U1) });
    const again = await engine.dispatch({ kind: 'define', xml: xml('vm1') });
    assert.equal(again.created, false);
    assert.equal(again.domain.uuid, first.domain.uuid);
    assert.deepEqual(seen(), ['vm1:defined/added', 'vm1:defined/updated']);
  });

  it('refuses a name or uuid that another domain has', async () => {
    const { engine } = setup();
    await engine.dispatch({ kind: 'define', xml: xml('vm1', U1) });
    await assert.rejects(engine.dispatch({ kind: 'define', xml: xml('vm2', U1) }), code('DOMAIN_EXISTS'));
    await assert.rejects(
      engine.dispatch({ kind: 'define', xml: xml('vm1', '22222222-2222-2222-2222-222222222222') }),
      code('DOMAIN_EXISTS'),
    );
  });

  it('lets only one of two concurrent defines take a uuid', async () => {
    const { engine } = setup();
    const results = await Promise.allSettled([
      engine.dispatch({ kind: 'define', xml: xml('a', U1) }),
      engine.dispatch({ kind: 'define', xml: xml('b', U1) }),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    assert.equal((await engine.dispatch({ kind: 'list', filter: {} })).length, 1);
  });

  it('sets and clears autostart in the store', async () => {
    const { engine, config } = setup();
    await engine.dispatch({ kind: 'define', xml: xml('vm1') });
    assert.equal((await engine.dispatch({ kind: 'setAutostart', name: 'vm1', enabled: true })).autostart, true);
    assert.equal(await config.getAutostart('vm1'), true);
    await engine.dispatch({ kind: 'setAutostart', name: 'vm1', enabled: false });
    assert.equal(await config.getAutostart('vm1'), false);
  });

  it('refuses lifecycle actions with UNSUPPORTED_OPERATION and leaves the domain shut off', async () => {
    const { engine } = setup();
    await engine.dispatch({ kind: 'define', xml: xml('vm1') });
    await assert.rejects(engine.dispatch({ kind: 'start', name: 'vm1' }), code('UNSUPPORTED_OPERATION'));
    await assert.rejects(engine.dispatch({ kind: 'destroy', name: 'vm1' }), code('OPERATION_INVALID'));
    assert.equal((await engine.dispatch({ kind: 'get', name: 'vm1' })).state, 'shutoff');
    assert.equal((await engine.dispatch({ kind: 'host' })).hypervisor, null);
  });

  it('reloads definitions and autostart flags from the store', async () => {
    const first = setup();
    await first.engine.dispatch({ kind: 'define', xml: xml('vm1') });
    await first.engine.dispatch({ kind: 'setAutostart', name: 'vm1', enabled: true });
    const { engine } = setup(new NoHypervisor(), { config: first.config, status: first.status });
    assert.deepEqual(await engine.load(), { domains: 1, running: 0, skipped: [], parsed: 1 });
    const d = await engine.dispatch({ kind: 'get', name: 'vm1' });
    assert.equal(d.autostart, true);
  });

  it('starts from the summary cache without parsing, and parses what the cache does not match', async () => {
    const entries = new Map<string, CachedSummary>();
    const summaries: SummaryCache = {
      load: () => Promise.resolve(new Map(entries)),
      save: (e) => { entries.clear(); for (const [k, v] of e) entries.set(k, v); return Promise.resolve(); },
    };
    const config = new MemoryConfigStore();
    const first = setup(new NoHypervisor(), { config, status: new MemoryStatusStore() }, summaries);
    await first.engine.dispatch({ kind: 'define', xml: xml('vm1') });
    await first.engine.dispatch({ kind: 'define', xml: xml('vm2') });
    await first.engine.close();
    assert.deepEqual([...entries.keys()].sort(), ['vm1', 'vm2']);
    const want = await first.engine.dispatch({ kind: 'get', name: 'vm1' });

    const again = setup(new NoHypervisor(), { config, status: new MemoryStatusStore() }, summaries);
    assert.equal((await again.engine.load()).parsed, 0);
    assert.deepEqual(await again.engine.dispatch({ kind: 'get', name: 'vm1' }), want);
    assert.match(await again.engine.dispatch({ kind: 'dumpxml', name: 'vm1' }), /<name>vm1<\/name>/);

    // Edited behind the daemon's back: the hash no longer matches, so it is parsed.
    await config.save('vm2', (await config.load('vm2'))?.replace('<vcpu>1</vcpu>', '<vcpu>4</vcpu>') ?? '');
    const third = setup(new NoHypervisor(), { config, status: new MemoryStatusStore() }, summaries);
    assert.equal((await third.engine.load()).parsed, 1);
    assert.equal((await third.engine.dispatch({ kind: 'get', name: 'vm2' })).vcpus, 4);
  });
});

describe('engine with the fake driver: what must not be dropped', () => {
  const fakeSetup = (root = ROOT, status: MemoryStatusStore = new MemoryStatusStore()) => {
    const driver = new FakeHypervisor();
    const log: string[] = [];
    const engine = fakeEngine({
      root, driver, status, nodeInfo,
      log: { info: (m) => log.push(`info: ${m}`), warn: (m) => log.push(`warning: ${m}`), error: (m) => log.push(`error: ${m}`) },
    });
    return { engine, driver, log };
  };

  it('logs a subscriber that throws, with its error, and drops only that one', async () => {
    const { engine, log } = fakeSetup();
    const seen: string[] = [];
    engine.subscribe(() => {
      throw new Error('subscriber bug');
    });
    engine.subscribe((e) => seen.push(`${e.event}/${e.detail}`));
    await engine.dispatch({ kind: 'define', xml: xml('vm1') });
    await engine.dispatch({ kind: 'define', xml: xml('vm1') });
    assert.deepEqual(seen, ['defined/added', 'defined/updated']);
    assert.deepEqual(log.filter((l) => l.includes('subscriber')),
      ["error: dropped an event subscriber that threw on defined/added of domain 'vm1': subscriber bug"]);
  });

  it('fails a start whose status file cannot be written, and stops the guest again', async () => {
    class BrokenStatus extends MemoryStatusStore {
      override save(): Promise<void> {
        return Promise.reject(new Error('EROFS: read-only file system'));
      }
    }
    const { engine, driver } = fakeSetup(ROOT, new BrokenStatus());
    await engine.dispatch({ kind: 'define', xml: xml('vm1') });
    await assert.rejects(engine.dispatch({ kind: 'start', name: 'vm1' }), (e) =>
      isVirtkitError(e) && e.code === 'IO_ERROR' && /status could not be recorded \(EROFS: read-only file system\).*stopped again/.test(e.message));
    assert.deepEqual(driver.running.get('vm1')?.calls, ['destroy:false']);
    const d = await engine.dispatch({ kind: 'get', name: 'vm1' });
    assert.equal(`${d.state}/${d.reason}`, 'shutoff/failed');
  });

  it('refuses to start a domain whose console socket path is too long, even when its QMP socket fits', async () => {
    // RUN/d/UUID/qmp.sock is 52 bytes longer than the root, RUN/d/UUID/console.sock 56.
    const root = `/tmp/${'r'.repeat(50)}`;
    const { engine, driver } = fakeSetup(root);
    await engine.dispatch({ kind: 'define', xml: xml('vm1', U1) });
    assert.equal(Buffer.byteLength(`${root}/run/d/${U1}/qmp.sock`), 107);
    await assert.rejects(engine.dispatch({ kind: 'start', name: 'vm1' }), (e) =>
      isVirtkitError(e) && e.code === 'INVALID_ARGUMENT' && e.message.includes(`${U1}/console.sock`));
    assert.equal(driver.running.size, 0);
  });
});
