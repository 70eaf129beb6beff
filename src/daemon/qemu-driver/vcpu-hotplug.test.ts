// QemuLiveVcpus against a scripted monitor: a grow device_adds and retunes, a shrink waits for the
// vCPU's DEVICE_DELETED (by its lapic child's path, as QEMU 7.2 sends it), a refusal in ACPI _OST
// fails at once, and a guest that ejects only after the timeout still leaves the live definition.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isVirtkitError } from '../../core/errors.js';
import { parseDomainXml } from '../../core/xml/domain/index.js';
import type { DomainDef } from '../domain-xml.js';
import type { Monitor, QmpEventListener } from './monitor.js';
import { QemuLiveVcpus, deletedVcpu, refusedVcpu } from './vcpu-hotplug.js';

const CPUS = [1, 0].map((s) => ({ type: 'qemu64-x86_64-cpu', 'vcpus-count': 1, props: { 'socket-id': s, 'core-id': 0, 'thread-id': 0 } }));

/** A monitor that answers query-hotpluggable-cpus and sends `onDel`'s events after each device_del. */
function setup(onDel: (emit: QmpEventListener) => void, unplugTimeoutMs = 60_000) {
  const listeners: QmpEventListener[] = [];
  const emit: QmpEventListener = (e, d) => { for (const l of listeners) l(e, d); };
  const calls: string[] = [];
  const monitor: Monitor = {
    execute: (command, args) => {
      calls.push(`${command} ${JSON.stringify(args ?? {})}`);
      if (command === 'device_del') setImmediate(() => onDel(emit));
      return Promise.resolve(command === 'query-hotpluggable-cpus' ? CPUS : {});
    },
    onEvent: (l) => { listeners.push(l); },
    closed: new Promise(() => undefined),
    close: () => undefined,
  };
  let live: DomainDef = parseDomainXml("<domain type='qemu'><name>t</name><memory>65536</memory><vcpu current='1'>2</vcpu></domain>");
  const retuned: (number | undefined)[] = [];
  const vcpus = new QemuLiveVcpus({
    monitor, unplugTimeoutMs, warn: () => undefined, live: () => live, setLive: (d) => { live = d; },
    retune: (d) => { retuned.push(d.vcpu?.current); return Promise.resolve(); },
  });
  return { vcpus, calls, emit, retuned, current: () => live.vcpu?.current ?? live.vcpu?.value };
}

describe('vCPU hotplug on a scripted monitor', () => {
  it('grows with device_add, shrinks once DEVICE_DELETED names the lapic child, retunes after each', async () => {
    const t = setup((emit) => emit('DEVICE_DELETED', { path: '/machine/peripheral/vcpu1/lapic' }));
    await t.vcpus.set(2);
    assert.equal(t.current(), 2);
    assert.match(t.calls[1] ?? '', /^device_add \{"driver":"qemu64-x86_64-cpu","id":"vcpu1","socket-id":1/);
    await t.vcpus.set(1);
    assert.equal(t.current(), 1);
    assert.equal(t.calls.at(-1), 'device_del {"id":"vcpu1"}');
    assert.deepEqual(t.retuned, [undefined, 1]);
  });

  it("a refused eject (ACPI _OST status 0x82) fails at once and the vCPU stays", async () => {
    const t = setup((emit) => emit('ACPI_DEVICE_OST', { info: { device: 'vcpu1', source: 3, status: 0x82, slot: '1', 'slot-type': 'CPU' } }));
    await t.vcpus.set(2);
    await assert.rejects(t.vcpus.set(1), (e: unknown) => isVirtkitError(e) && e.code === 'OPERATION_INVALID' && /refused to eject vCPU 1 \(ACPI _OST status 0x82\)/.test(e.message));
    assert.equal(t.current(), 2);
  });

  it('no eject in time: OPERATION_TIMEOUT, the vCPU stays enabled until the guest lets it go later', async () => {
    const t = setup(() => undefined, 1);
    await t.vcpus.set(2);
    let late = 0;
    await assert.rejects(t.vcpus.set(1, () => { late++; }), (e: unknown) => isVirtkitError(e) && e.code === 'OPERATION_TIMEOUT');
    assert.equal(t.current(), 2);
    t.emit('DEVICE_DELETED', { device: 'vcpu1', path: '/machine/peripheral/vcpu1' });
    assert.deepEqual([t.current(), late], [1, 1]);
  });
});

it('DEVICE_DELETED of a vCPU: by id, by its path or a child path (QEMU 7.2), nothing else', () => {
  assert.equal(deletedVcpu({ device: 'vcpu3', path: '/machine/peripheral/vcpu3' }), 3);
  assert.equal(deletedVcpu({ path: '/machine/peripheral/vcpu1/lapic' }), 1);
  assert.equal(deletedVcpu({ path: '/machine/peripheral/vcpu12' }), 12);
  assert.equal(deletedVcpu({ device: 'virtio-disk1', path: '/machine/peripheral/virtio-disk1/virtio-backend' }), undefined);
  assert.equal(deletedVcpu({ path: '/machine/peripheral/vcpu1x' }), undefined);
  assert.equal(deletedVcpu({ device: 'vcpu' }), undefined);
});

it('ACPI_DEVICE_OST: only an eject of a vCPU with a status other than done (0) or in progress (0x84) is a refusal', () => {
  const ost = (device: string, source: number, status: number) => ({ info: { device, source, status, slot: '1', 'slot-type': 'CPU' } });
  assert.deepEqual(refusedVcpu(ost('vcpu1', 3, 1)), { vcpu: 1, status: 1 });
  assert.equal(refusedVcpu(ost('vcpu1', 3, 0x84)), undefined);
  assert.equal(refusedVcpu(ost('vcpu1', 3, 0)), undefined);
  assert.equal(refusedVcpu(ost('vcpu1', 1, 1)), undefined);
  assert.equal(refusedVcpu(ost('virtio-disk1', 3, 1)), undefined);
});
