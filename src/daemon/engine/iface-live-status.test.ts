// attach-interface --live and the status file: it is written while the driver's hot-plug is in
// flight, with the new NIC (ahead of the record, which changes only once the driver succeeded);
// a failed hot-plug has it written again without the NIC before the error answers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeEngine } from '../../../tests/helpers/fake-engine.js';
import { isVirtkitError, VirtkitError } from '../../core/errors.js';
import type { InterfaceDef } from '../../core/xml/domain/schema/interface.js';
import type { DomainDef } from '../domain-xml.js';
import type { LiveNics, RunningDomain, StartOptions } from '../driver.js';
import type { DomainRuntimePaths } from '../paths.js';
import { MemoryStatusStore } from '../store/memory-stores.js';
import { FakeHypervisor, type FakeRunning } from './fake-driver.js';

const MAC = '52:54:00:00:00:c1';
const DOMAIN = "<domain type='kvm'><name>vm1</name><memory>1024</memory><devices/></domain>";
const IFACE = `<interface type='user'><mac address='${MAC}'/><model type='virtio'/></interface>`;

/** What the scripted hot-plug saw while it was in flight. */
interface Seen { statusHadNic?: boolean; viewHadNic?: boolean }

/** A fake driver whose running domains hot-plug NICs: `sent` called, then success or `fail`. */
class NicHypervisor extends FakeHypervisor {
  fail: Error | undefined;
  constructor(private readonly inFlight: (seen: Seen) => Promise<void>, readonly seen: Seen = {}) {
    super();
  }

  override async start(def: DomainDef, paths: DomainRuntimePaths, opts: StartOptions): Promise<RunningDomain> {
    const r = (await super.start(def, paths, opts)) as FakeRunning & { nics?: LiveNics; liveDef: DomainDef };
    const nics: LiveNics = {
      attach: async (iface: InterfaceDef, sent?: (next: DomainDef) => Promise<void>) => {
        const next = structuredClone(r.liveDef);
        (next.devices ??= {}).interface = [...(next.devices.interface ?? []), structuredClone(iface)];
        await sent?.(next);
        await this.inFlight(this.seen);
        if (this.fail) throw this.fail;
        r.liveDef = next;
        return next;
      },
      detach: () => Promise.reject(new Error('unused')),
      setLink: () => Promise.reject(new Error('unused')),
    };
    r.nics = nics;
    return r;
  }
}

function setup() {
  const status = new MemoryStatusStore();
  const statusHasNic = async (): Promise<boolean> => (await status.loadAll()).some((s) => s.xml.includes(MAC));
  const driver = new NicHypervisor(async (seen) => {
    seen.statusHadNic = await statusHasNic();
    seen.viewHadNic = (await engine.dispatch({ kind: 'dumpxml', name: 'vm1' })).includes(MAC);
  });
  const engine = fakeEngine({ root: '/tmp/vk-iface-live-status-test', driver, status });
  return { engine, driver, statusHasNic };
}

describe('attach-interface --live and the status file', () => {
  it('the status records the NIC while the hot-plug is in flight; the domain shows it once it succeeded', async () => {
    const t = setup();
    await t.engine.dispatch({ kind: 'define', xml: DOMAIN });
    await t.engine.dispatch({ kind: 'start', name: 'vm1' });
    assert.equal(await t.statusHasNic(), false);
    await t.engine.dispatch({ kind: 'attachDevice', name: 'vm1', xml: IFACE, live: true });
    assert.deepEqual(t.driver.seen, { statusHadNic: true, viewHadNic: false });
    assert.equal(await t.statusHasNic(), true);
    assert.match(await t.engine.dispatch({ kind: 'dumpxml', name: 'vm1' }), new RegExp(MAC));
    await t.engine.dispatch({ kind: 'destroy', name: 'vm1' });
  });

  it('a failed hot-plug: the status is written again without the NIC before the error answers', async () => {
    const t = setup();
    await t.engine.dispatch({ kind: 'define', xml: DOMAIN });
    await t.engine.dispatch({ kind: 'start', name: 'vm1' });
    t.driver.fail = new VirtkitError('QEMU_FAILED', 'device_add failed: scripted');
    await assert.rejects(t.engine.dispatch({ kind: 'attachDevice', name: 'vm1', xml: IFACE, live: true }), (e: unknown) => isVirtkitError(e) && e.code === 'QEMU_FAILED');
    assert.equal(t.driver.seen.statusHadNic, true);
    assert.equal(await t.statusHasNic(), false);
    assert.doesNotMatch(await t.engine.dispatch({ kind: 'dumpxml', name: 'vm1' }), new RegExp(MAC));
    // A later status write (here: the next successful attach) records the NIC again only through its own change.
    t.driver.fail = undefined;
    await t.engine.dispatch({ kind: 'attachDevice', name: 'vm1', xml: IFACE, live: true });
    assert.equal(await t.statusHasNic(), true);
    await t.engine.dispatch({ kind: 'destroy', name: 'vm1' });
  });
});
