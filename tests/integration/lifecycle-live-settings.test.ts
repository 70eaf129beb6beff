// Settings that do not go on QEMU's command line, on real TCG guests: a NIC's
// <link state='down'/> (read back from the virtio-net device's own status register)
// and the balloon's stats period are applied over QMP before the vCPUs run (and hold
// after a daemon restart); a NUMA policy nothing applies yet is accepted by define but
// refused by start, before any QEMU runs.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isVirtkitError } from '../../src/core/errors.js';
import type { Monitor } from '../../src/daemon/qemu-driver/monitor.js';
import { GUEST_READY_MARKER, guestDomainXml as guestXml } from '../helpers/guest.js';
import { monitorOf } from '../helpers/qemu-threads.js';
import { ConsoleReader, assertNoLeftovers, createHarness } from './lifecycle-harness.js';

const NICS = `<interface type='user'><mac address='52:54:00:00:00:01'/><model type='virtio'/><link state='down'/></interface>
    <interface type='user'><mac address='52:54:00:00:00:02'/><model type='virtio'/></interface>
    <memballoon model='virtio'><stats period='7'/></memballoon>`;

/**
 * Each virtio NIC's link as the guest would read it: the status field of the virtio-net config
 * (VIRTIO_NET_S_LINK_UP, bit 0), read through the legacy I/O BAR the firmware assigned, at
 * offset 20 (device config without MSI-X; the guest has no virtio-net driver to enable it) + 6
 * (after the MAC). QEMU's "info network" does not show the link state.
 */
async function guestSeenLinks(m: Monitor): Promise<Record<string, string>> {
  type Dev = { qdev_id: string; regions: { type: string; address: number }[] };
  const buses = (await m.execute('query-pci')) as { devices: Dev[] }[];
  const out: Record<string, string> = {};
  for (const d of buses.flatMap((b) => b.devices).filter((x) => x.qdev_id.startsWith('net'))) {
    const io = d.regions.find((r) => r.type === 'io');
    assert.ok(io !== undefined && io.address > 0, `${d.qdev_id} has no I/O BAR yet: ${JSON.stringify(d.regions)}`);
    const text = (await m.execute('human-monitor-command', { 'command-line': `i /b ${io.address + 26}` })) as string;
    const value = /=\s*(0x[0-9a-f]+)/i.exec(text)?.[1];
    assert.ok(value !== undefined, text);
    out[d.qdev_id] = (Number(value) & 1) === 1 ? 'up' : 'down';
  }
  return out;
}

const pollInterval = (m: Monitor): Promise<unknown> =>
  m.execute('qom-get', { path: '/machine/peripheral/balloon0', property: 'guest-stats-polling-interval' });

test('link down and the balloon stats period are applied before cont, and still hold after a daemon restart', { timeout: 120_000 }, async () => {
  const h = await createHarness();
  try {
    const xml = (await guestXml('ls1')).replace('<devices>', `<devices>\n    ${NICS}`);
    await h.engine.dispatch({ kind: 'define', xml });
    await h.engine.dispatch({ kind: 'start', name: 'ls1', paused: true });
    await h.remember('ls1');
    const m = monitorOf(h.engine, 'ls1');
    // Never continued (-S): the guest has not run one instruction, and the period is already set.
    assert.equal(((await m.execute('query-status')) as { status: string }).status, 'prelaunch');
    assert.equal(await pollInterval(m), 7);
    const reader = new ConsoleReader((await h.engine.dispatch({ kind: 'console', name: 'ls1' })).stream);
    await h.engine.dispatch({ kind: 'resume', name: 'ls1' });
    await reader.waitFor(GUEST_READY_MARKER); // the firmware has assigned the BARs
    assert.deepEqual(await guestSeenLinks(m), { net0: 'down', net1: 'up' });
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name: 'ls1' }), /<link state='down'\/>/);

    await h.restart();
    assert.equal((await h.engine.dispatch({ kind: 'get', name: 'ls1' })).state, 'running');
    const again = monitorOf(h.engine, 'ls1');
    assert.deepEqual(await guestSeenLinks(again), { net0: 'down', net1: 'up' });
    assert.equal(await pollInterval(again), 7);
    await h.engine.dispatch({ kind: 'destroy', name: 'ls1' });
    await assertNoLeftovers(h);
  } finally {
    await h.close();
  }
});

test('a domain with a NUMA policy virtkit cannot apply defines, but its start is refused with XML_UNSUPPORTED naming each element', { timeout: 60_000 }, async () => {
  const h = await createHarness();
  try {
    // interleave without guest NUMA cells is a policy of the whole process (tuning-guest.test.ts applies the rest of
    // numatune and cputune; placement-guest.test.ts places <vcpu placement='auto'>).
    const numatune = "<numatune><memory mode='interleave' nodeset='0'/></numatune>";
    await h.engine.dispatch({ kind: 'define', xml: await guestXml('pin1', { extra: numatune }) });
    await assert.rejects(h.engine.dispatch({ kind: 'start', name: 'pin1' }), (e) => {
      assert.ok(isVirtkitError(e), String(e));
      assert.equal(e.code, 'XML_UNSUPPORTED');
      assert.ok(e.message.includes('/domain/numatune/memory'), `/domain/numatune/memory not named in: ${e.message}`);
      assert.match(e.message, /mode='interleave' without guest NUMA cells/);
      return true;
    });
    const d = await h.engine.dispatch({ kind: 'get', name: 'pin1' });
    assert.equal(`${d.state}/${d.reason}`, 'shutoff/failed');
    // Nothing ran: no QEMU log, no runtime dir; the definition keeps its <numatune>.
    assert.equal(existsSync(join(h.layout.logDir, 'qemu', 'pin1.log')), false);
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name: 'pin1' }), /<memory mode='interleave' nodeset='0'\/>/);
    await assertNoLeftovers(h);
  } finally {
    await h.close();
  }
});
