/**
 * The clone job's domain side with the fake driver (no QEMU, no disks: the copies are the
 * integration test's, tests/integration/clone.test.ts): the original's state, names, the new
 * definition and its event, --print-xml and --replace.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fakeEngine } from '../../../tests/helpers/fake-engine.js';
import { isVirtkitError } from '../../core/errors.js';
import type { LifecycleEvent } from '../state.js';
import { MemoryConfigStore } from '../store/memory-stores.js';

const ROOT = mkdtempSync(join(tmpdir(), 'vk-engine-clone-'));
after(() => rmSync(ROOT, { recursive: true, force: true }));

const code = (c: string) => (e: unknown) => isVirtkitError(e) && e.code === c;
const MAC = '52:54:00:11:22:33';
const xml = (name: string) => `<domain type='kvm'><name>${name}</name><title>orig</title><memory>1024</memory>
  <devices><interface type='user'><mac address='${MAC}'/><model type='virtio'/></interface></devices></domain>`;

function setup() {
  const config = new MemoryConfigStore();
  const engine = fakeEngine({ root: ROOT, config });
  const events: LifecycleEvent[] = [];
  engine.subscribe((e) => events.push(e));
  return { engine, config, seen: () => events.map((e) => `${e.domain} ${e.event}/${e.detail}`) };
}

describe('clone (fake driver)', () => {
  it('refuses an original that is not shut off, paused too (virt-clone: "Domain to clone must be shutoff")', async () => {
    const { engine } = setup();
    await engine.dispatch({ kind: 'define', xml: xml('vm') });
    await engine.dispatch({ kind: 'start', name: 'vm' });
    await assert.rejects(engine.dispatch({ kind: 'clone', name: 'vm', autoClone: true }), code('OPERATION_INVALID'));
    await engine.dispatch({ kind: 'suspend', name: 'vm' });
    await assert.rejects(engine.dispatch({ kind: 'clone', name: 'vm', autoClone: true }), /must be shutoff: domain 'vm' is paused/);
    await engine.dispatch({ kind: 'destroy', name: 'vm' });
    assert.equal((await engine.dispatch({ kind: 'clone', name: 'vm', autoClone: true })).domain?.name, 'vm-clone');
  });

  it('defines the clone with a new UUID and MAC and no title, announces it; names follow virt-clone; print-xml makes nothing', async () => {
    const { engine, config, seen } = setup();
    await engine.dispatch({ kind: 'define', xml: xml('vm') });
    const orig = await engine.dispatch({ kind: 'get', name: 'vm' });
    const dry = await engine.dispatch({ kind: 'clone', name: 'vm', autoClone: true, printXml: true });
    assert.equal(dry.domain, null);
    assert.match(dry.xml, /<name>vm-clone<\/name>/);
    assert.deepEqual((await engine.dispatch({ kind: 'list', filter: {} })).map((d) => d.name), ['vm']);

    const r = await engine.dispatch({ kind: 'clone', name: 'vm', autoClone: true });
    assert.equal(r.domain?.name, 'vm-clone');
    assert.notEqual(r.domain.uuid, orig.uuid);
    assert.equal(r.domain.title, null);
    assert.equal(r.domain.persistent, true);
    const mac = /<mac address='([^']+)'/.exec(r.xml)?.[1];
    assert.ok(mac !== undefined && mac !== MAC, `a new MAC: ${mac ?? 'none'}`);
    assert.equal((await config.loadAll()).some((d) => d.name === 'vm-clone'), true, 'the definition is stored');
    assert.ok(seen().includes('vm-clone defined/added'), seen().join(', '));

    assert.equal((await engine.dispatch({ kind: 'clone', name: 'vm', autoClone: true })).domain?.name, 'vm-clone1');
    assert.equal((await engine.dispatch({ kind: 'clone', name: 'vm-clone', autoClone: true })).domain?.name, 'vm-clone2');
    const fixed = await engine.dispatch({ kind: 'clone', name: 'vm', newName: 'fixed', macs: ['52:54:00:aa:bb:cc'] });
    assert.match(fixed.xml, /<mac address='52:54:00:aa:bb:cc'\/>/);
    await assert.rejects(engine.dispatch({ kind: 'clone', name: 'vm', newName: 'fixed' }), code('DOMAIN_EXISTS'));
    await assert.rejects(engine.dispatch({ kind: 'clone', name: 'vm', newName: 'vm' }), code('DOMAIN_EXISTS'));
    await assert.rejects(engine.dispatch({ kind: 'clone', name: 'vm' }), code('INVALID_ARGUMENT'));
    await assert.rejects(engine.dispatch({ kind: 'clone', name: 'nope', autoClone: true }), code('DOMAIN_NOT_FOUND'));
  });

  it('--replace destroys and undefines the domain that has the new name; --original-xml needs no defined original', async () => {
    const { engine } = setup();
    await engine.dispatch({ kind: 'define', xml: xml('vm') });
    await engine.dispatch({ kind: 'define', xml: xml('other') });
    await engine.dispatch({ kind: 'start', name: 'other' });
    const before = await engine.dispatch({ kind: 'get', name: 'other' });
    const r = await engine.dispatch({ kind: 'clone', name: 'vm', newName: 'other', replace: true });
    assert.notEqual(r.domain?.uuid, before.uuid);
    assert.equal((await engine.dispatch({ kind: 'get', name: 'other' })).state, 'shutoff');
    const x = await engine.dispatch({ kind: 'clone', originalXml: xml('template'), newName: 'from-xml' });
    assert.equal(x.domain?.name, 'from-xml');
  });
});
