import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fakeEngine } from '../../../tests/helpers/fake-engine.js';
import { isVirtkitError } from '../../core/errors.js';
import { FakeHypervisor } from './fake-driver.js';
import type { LifecycleEvent } from '../state.js';
import { MemoryConfigStore, MemoryStatusStore } from '../store/memory-stores.js';

// The engine's network objects keep their directories on disk: a root of this run's own.
const ROOT = mkdtempSync(join(tmpdir(), 'vk-engine-fake-'));
after(() => rmSync(ROOT, { recursive: true, force: true }));

const code = (c: string) => (e: unknown) => isVirtkitError(e) && e.code === c;
const xml = (name: string) => `<domain type='kvm'><name>${name}</name><memory>1024</memory></domain>`;

function setup(stores = { config: new MemoryConfigStore(), status: new MemoryStatusStore() }, driver = new FakeHypervisor()) {
  const engine = fakeEngine({ root: ROOT, driver, ...stores });
  const events: LifecycleEvent[] = [];
  engine.subscribe((e) => events.push(e));
  const seen = () => events.map((e) => `${e.event}/${e.detail}`);
  return { engine, driver, seen, ...stores };
}

function gate(driver: FakeHypervisor): () => void {
  let open = (): void => undefined;
  driver.gate = new Promise<void>((r) => { open = r; });
  return () => {
    driver.gate = undefined;
    open();
  };
}

describe('engine state logic (fake driver)', () => {
  it('starts: running/booted with an id, status written, started event', async () => {
    const { engine, driver, status, seen } = setup();
    await engine.dispatch({ kind: 'define', xml: xml('vm1') });
    const d = await engine.dispatch({ kind: 'start', name: 'vm1' });
    assert.deepEqual([d.state, d.reason, d.id], ['running', 'booted', 1]);
    const [st] = await status.loadAll();
    // The status records the pid the driver handed out (read from the driver, not the fake's numbering).
    const pid = driver.running.get('vm1')?.pid;
    assert.equal(typeof pid, 'number');
    assert.equal(st?.pid, pid);
    assert.equal(st?.state, 'running');
    assert.match(st?.qmpSocket ?? '', /\/run\/d\/[0-9a-f-]{36}\/qmp\.sock$/);
    assert.deepEqual(seen(), ['defined/added', 'started/booted']);
    await assert.rejects(engine.dispatch({ kind: 'start', name: 'vm1' }), code('OPERATION_INVALID'));
    assert.match(await engine.dispatch({ kind: 'dumpxml', name: '1' }), /^<domain type='kvm' id='1'>/);
  });

  it('refuses a second job at once, lets queries through, and queues a job that asks to wait', async () => {
    const { engine, driver } = setup();
    await engine.dispatch({ kind: 'define', xml: xml('vm1') });
    const open = gate(driver);
    const starting = engine.dispatch({ kind: 'start', name: 'vm1' });
    await new Promise((r) => setImmediate(r));
    await assert.rejects(engine.dispatch({ kind: 'destroy', name: 'vm1' }), code('OPERATION_IN_PROGRESS'));
    await assert.rejects(engine.dispatch({ kind: 'undefine', name: 'vm1' }), code('OPERATION_IN_PROGRESS'));
    // Queries answer at once with the state before the job.
    assert.equal((await engine.dispatch({ kind: 'get', name: 'vm1' })).state, 'shutoff');
    assert.equal((await engine.dispatch({ kind: 'list', filter: {} })).length, 1);
    const destroying = engine.dispatch({ kind: 'destroy', name: 'vm1' }, { wait: 5000 });
    open();
    await starting;
    assert.equal((await destroying).state, 'shutoff');
  });

  it('times a waiting job out with OPERATION_TIMEOUT', async () => {
    const { engine, driver } = setup();
    await engine.dispatch({ kind: 'define', xml: xml('vm1') });
    const open = gate(driver);
    const starting = engine.dispatch({ kind: 'start', name: 'vm1' });
    await assert.rejects(engine.dispatch({ kind: 'destroy', name: 'vm1' }, { wait: 20 }), code('OPERATION_TIMEOUT'));
    open();
    await starting;
  });

  it('records destroy as destroyed (whatever the driver says) and removes the status', async () => {
    const { engine, status, seen } = setup();
    await engine.dispatch({ kind: 'define', xml: xml('vm1') });
    await engine.dispatch({ kind: 'start', name: 'vm1' });
    const d = await engine.dispatch({ kind: 'destroy', name: 'vm1', graceful: true });
    assert.deepEqual([d.state, d.reason, d.id], ['shutoff', 'destroyed', null]);
    assert.deepEqual(await status.loadAll(), []);
    assert.deepEqual(seen().slice(-1), ['stopped/destroyed']);
  });

  it('follows a guest power-off reported by the driver', async () => {
    const { engine, driver, seen } = setup();
    await engine.dispatch({ kind: 'define', xml: xml('vm1') });
    await engine.dispatch({ kind: 'start', name: 'vm1' });
    const guest = driver.running.get('vm1');
    await engine.dispatch({ kind: 'shutdown', name: 'vm1', mode: 'acpi' });
    assert.deepEqual(guest?.calls, ['shutdown:acpi']);
    guest?.emit({ type: 'shutdown', by: 'guest' });
    assert.equal((await engine.dispatch({ kind: 'get', name: 'vm1' })).state, 'shutdown');
    guest?.emit({ type: 'stopped', reason: 'shutdown' });
    guest?.emit({ type: 'stopped', reason: 'crashed' }); // a second report changes nothing
    const d = await engine.dispatch({ kind: 'get', name: 'vm1' });
    assert.deepEqual([d.state, d.reason], ['shutoff', 'shutdown']);
    assert.deepEqual(seen(), ['defined/added', 'started/booted', 'shutdown/guest', 'stopped/shutdown']);
  });

  it('records running/crashed when the driver restarts a panicked guest (on_crash=restart)', async () => {
    const { engine, driver, seen } = setup();
    await engine.dispatch({ kind: 'define', xml: xml('vm1') });
    await engine.dispatch({ kind: 'start', name: 'vm1' });
    const guest = driver.running.get('vm1');
    guest?.emit({ type: 'crashed', reason: 'panicked' });
    guest?.emit({ type: 'resumed', reason: 'crashed' });
    const d = await engine.dispatch({ kind: 'get', name: 'vm1' });
    assert.deepEqual([d.state, d.reason], ['running', 'crashed']);
    guest?.emit({ type: 'resumed', reason: 'wakeup' });
    assert.equal((await engine.dispatch({ kind: 'get', name: 'vm1' })).reason, 'wakeup');
    assert.deepEqual(seen().slice(1), ['started/booted', 'crashed/panicked', 'resumed/unpaused', 'started/wakeup']);
  });

  it("setvcpus --config rewrites a <vcpus> for the new counts (ids below current enabled, hotpluggable='no'); live saves the status", async () => {
    const { engine, config, status, driver } = setup();
    await engine.dispatch({ kind: 'define', xml: xml('vm1').replace('</memory>', "</memory><vcpu current='1'>2</vcpu><vcpus><vcpu id='0' enabled='yes' hotpluggable='no'/><vcpu id='1' enabled='no' hotpluggable='yes'/></vcpus>") });
    await engine.dispatch({ kind: 'setVcpus', name: 'vm1', count: 2, config: true });
    const stored = async (): Promise<string> => (await config.loadAll()).find((c) => c.name === 'vm1')?.xml ?? '';
    assert.match(await stored(), /<vcpu>2<\/vcpu>\n\s+<vcpus>\n\s+<vcpu id='0' enabled='yes' hotpluggable='no' order='1'\/>\n\s+<vcpu id='1' enabled='yes' hotpluggable='no' order='2'\/>/);
    await engine.dispatch({ kind: 'setVcpus', name: 'vm1', count: 3, maximum: true, config: true });
    // --maximum keeps the current count (libvirt): the added vCPU is offline and hotpluggable.
    assert.match(await stored(), /<vcpu current='2'>3<\/vcpu>\n\s+<vcpus>(\n\s+<vcpu id='\d' enabled='yes' hotpluggable='no'\/>){2}\n\s+<vcpu id='2' enabled='no' hotpluggable='yes'\/>\n\s+<\/vcpus>/);
    await engine.dispatch({ kind: 'start', name: 'vm1' });
    // The fake driver does not plug anything: stand in for a driver whose live definition changed.
    const guest = driver.running.get('vm1');
    assert.ok(guest !== undefined);
    Object.assign(guest, { liveDef: { ...guest.liveDef, vcpu: { value: 3, current: 1 } } });
    assert.doesNotMatch((await status.loadAll())[0]?.xml ?? '', /<vcpu current='1'>3<\/vcpu>/);
    await engine.dispatch({ kind: 'setVcpus', name: 'vm1', count: 1, live: true });
    assert.match((await status.loadAll())[0]?.xml ?? '', /<vcpu current='1'>3<\/vcpu>/, 'the status file (what a restarted daemon re-attaches with) holds the live count');
  });

  it('setmem/setmaxmem/setvcpus: --config rewrites the definition, live goes to the driver, setmaxmem live is refused', async () => {
    const { engine, driver, config } = setup();
    await engine.dispatch({ kind: 'define', xml: xml('vm1') });
    await engine.dispatch({ kind: 'setMaxMemory', name: 'vm1', kib: 2048 });
    await engine.dispatch({ kind: 'setMemory', name: 'vm1', kib: 1536 });
    await engine.dispatch({ kind: 'setVcpus', name: 'vm1', count: 4, maximum: true, config: true });
    await engine.dispatch({ kind: 'setVcpus', name: 'vm1', count: 2 });
    const stored = (await config.loadAll()).find((c) => c.name === 'vm1')?.xml ?? '';
    assert.match(stored, /<memory unit='KiB'>2048<\/memory>\n\s+<currentMemory unit='KiB'>1536<\/currentMemory>\n\s+<vcpu current='2'>4<\/vcpu>/);
    assert.deepEqual(await engine.dispatch({ kind: 'vcpucount', name: 'vm1' }), { config: { maximum: 4, current: 2 }, live: null });
    await assert.rejects(engine.dispatch({ kind: 'setMemory', name: 'vm1', kib: 4096 }), code('INVALID_ARGUMENT'));
    await assert.rejects(engine.dispatch({ kind: 'setMemory', name: 'vm1', kib: 1024, live: true }), code('OPERATION_INVALID'));
    await engine.dispatch({ kind: 'start', name: 'vm1' });
    await assert.rejects(engine.dispatch({ kind: 'setMaxMemory', name: 'vm1', kib: 4096 }), code('OPERATION_INVALID'));
    await engine.dispatch({ kind: 'setMaxMemory', name: 'vm1', kib: 4096, config: true });
    await engine.dispatch({ kind: 'setMemory', name: 'vm1', kib: 1024 });
    assert.deepEqual(driver.running.get('vm1')?.calls, ['setMemory:1024']);
    const d = await engine.dispatch({ kind: 'dumpxml', name: 'vm1', inactive: true });
    assert.match(d, /<memory unit='KiB'>4096<\/memory>/);
    // Figures chosen here, not the fake's defaults: domstats must report these.
    const guest = driver.running.get('vm1');
    assert.ok(guest !== undefined);
    guest.detailedStats = () => Promise.resolve({
      cpuTimeNs: 7_000_000_123, cpuUserNs: 4_000_000_100, cpuSystemNs: 3_000_000_023, balloon: { currentKiB: 1024, maximumKiB: 4096 },
      vcpus: [{ vcpu: 0, threadId: 77, state: 'running', cpuTimeNs: 6_000_000_000, cpu: 1, affinity: [1] }], block: [], net: [],
    });
    const st = await engine.dispatch({ kind: 'domstats', name: 'vm1' });
    assert.deepEqual([st.stateCode, st.reasonCode, st.vcpuCurrent, st.vcpuMaximum], [1, 1, 2, 4]);
    assert.deepEqual([st.running?.cpuTimeNs, st.running?.cpuUserNs, st.running?.cpuSystemNs, st.running?.balloon.maximumKiB], [7_000_000_123, 4_000_000_100, 3_000_000_023, 4096]);
    assert.deepEqual(st.running?.vcpus, [{ vcpu: 0, state: 'running', cpuTimeNs: 6_000_000_000 }]);
  });

  it('suspends and resumes once, ignoring the duplicate event from the driver', async () => {
    const { engine, seen } = setup();
    await engine.dispatch({ kind: 'define', xml: xml('vm1') });
    await engine.dispatch({ kind: 'start', name: 'vm1', paused: true });
    assert.equal((await engine.dispatch({ kind: 'get', name: 'vm1' })).state, 'paused');
    await engine.dispatch({ kind: 'resume', name: 'vm1' });
    await engine.dispatch({ kind: 'suspend', name: 'vm1' });
    await engine.dispatch({ kind: 'suspend', name: 'vm1' });
    assert.deepEqual(seen().slice(1), ['started/booted', 'suspended/paused', 'resumed/unpaused', 'suspended/paused']);
  });

  it('forgets a transient domain when it stops', async () => {
    const { engine } = setup();
    await engine.dispatch({ kind: 'create', xml: xml('t1') });
    assert.equal((await engine.dispatch({ kind: 'get', name: 't1' })).persistent, false);
    await assert.rejects(engine.dispatch({ kind: 'undefine', name: 't1' }), code('OPERATION_INVALID'));
    await engine.dispatch({ kind: 'destroy', name: 't1' });
    await assert.rejects(engine.dispatch({ kind: 'get', name: 't1' }), code('DOMAIN_NOT_FOUND'));
  });

  it('keeps a running domain that is undefined until it stops', async () => {
    const { engine, config } = setup();
    await engine.dispatch({ kind: 'define', xml: xml('vm1') });
    await engine.dispatch({ kind: 'start', name: 'vm1' });
    const d = await engine.dispatch({ kind: 'undefine', name: 'vm1' });
    assert.deepEqual([d.persistent, d.state], [false, 'running']);
    assert.equal(await config.load('vm1'), undefined);
    await engine.dispatch({ kind: 'destroy', name: 'vm1' });
    assert.deepEqual(await engine.dispatch({ kind: 'list', filter: {} }), []);
  });

  it('marks a failed start shut off (failed) and forgets a failed create', async () => {
    const { engine, driver } = setup();
    driver.failStart = new Error('qemu said no');
    await engine.dispatch({ kind: 'define', xml: xml('vm1') });
    await assert.rejects(engine.dispatch({ kind: 'start', name: 'vm1' }), /qemu said no/);
    assert.equal((await engine.dispatch({ kind: 'get', name: 'vm1' })).reason, 'failed');
    await assert.rejects(engine.dispatch({ kind: 'create', xml: xml('t1') }), /qemu said no/);
    await assert.rejects(engine.dispatch({ kind: 'get', name: 't1' }), code('DOMAIN_NOT_FOUND'));
  });

  it('reattaches after a restart, and marks guests that died meanwhile shut off', async () => {
    const first = setup();
    await first.engine.dispatch({ kind: 'define', xml: xml('alive') });
    await first.engine.dispatch({ kind: 'define', xml: xml('dead') });
    await first.engine.dispatch({ kind: 'start', name: 'alive' });
    await first.engine.dispatch({ kind: 'start', name: 'dead' });
    await first.engine.dispatch({ kind: 'create', xml: xml('transient') });
    await first.engine.close();
    const driver = new FakeHypervisor();
    driver.alive.add(first.driver.running.get('alive')?.pid ?? -1);
    driver.alive.add(first.driver.running.get('transient')?.pid ?? -1);
    const { engine, status } = setup({ config: first.config, status: first.status }, driver);
    assert.deepEqual(await engine.load(), { domains: 3, running: 2, skipped: [], parsed: 2 });
    const list = await engine.dispatch({ kind: 'list', filter: {} });
    assert.deepEqual(list.map((d) => `${d.name}:${d.state}:${d.id}`), ['alive:running:1', 'dead:shutoff:null', 'transient:running:3']);
    assert.deepEqual((await status.loadAll()).map((s) => s.name).sort(), ['alive', 'transient']);
    await engine.dispatch({ kind: 'define', xml: xml('new') });
    assert.equal((await engine.dispatch({ kind: 'start', name: 'new' })).id, 4);
  });

  it('gives the console to one session; force takes it over', async () => {
    const { engine } = setup();
    await engine.dispatch({ kind: 'define', xml: xml('vm1') });
    await engine.dispatch({ kind: 'start', name: 'vm1' });
    const first = await engine.dispatch({ kind: 'console', name: 'vm1' });
    const why: string[] = [];
    first.onTakenOver((r) => why.push(r));
    await assert.rejects(engine.dispatch({ kind: 'console', name: 'vm1' }), code('OPERATION_IN_PROGRESS'));
    const second = await engine.dispatch({ kind: 'console', name: 'vm1', force: true });
    assert.deepEqual(why, ['another session took the console over']);
    assert.ok(first.stream.destroyed);
    second.close();
    (await engine.dispatch({ kind: 'console', name: 'vm1' })).close();
  });
});
