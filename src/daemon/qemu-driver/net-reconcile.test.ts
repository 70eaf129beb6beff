// A re-attached domain's recorded NICs against its QEMU's devices: one QEMU lacks (a hot-plug the
// killed daemon recorded ahead and never saw end) is dropped with its netdev and tap.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseDomainXml } from '../../core/xml/domain/index.js';
import { Links } from '../../host/net/links.js';
import type { Monitor } from './monitor.js';
import { dropMissingNics, missingNics } from './net-reconcile.js';
import { DomainTaps, TapNamer } from './net-taps.js';

const nic = (alias: string, type = 'user') => `<interface type='${type}'><mac address='52:54:00:00:00:0${alias.at(-1) ?? '0'}'/>${type === 'hostdev' ? "<source><address type='pci' domain='0' bus='1' slot='0' function='0'/></source>" : ''}<alias name='${alias}'/></interface>`;
const def = (...nics: string[]) => parseDomainXml(`<domain type='qemu'><name>t</name><memory>65536</memory><devices>${nics.join('')}</devices></domain>`);

let runDir = '';
before(async () => { runDir = await mkdtemp(join(tmpdir(), 'vk-netreconcile-')); });
after(() => rm(runDir, { recursive: true, force: true }));

function monitor(devices: string[] | Error) {
  const calls: string[] = [];
  const m: Monitor = {
    execute: (command, args) => {
      calls.push(`${command} ${JSON.stringify(args ?? {})}`);
      if (command !== 'qom-list') return Promise.resolve({});
      return devices instanceof Error ? Promise.reject(devices) : Promise.resolve(devices.map((name) => ({ name, type: 'child<virtio-net-pci>' })));
    },
    onEvent: () => undefined,
    closed: new Promise(() => undefined),
    close: () => undefined,
  };
  return { m, calls };
}

const taps = () => DomainTaps.empty(runDir, { links: new Links(), namer: new TapNamer(), resolveNetwork: undefined });

describe('re-attach: recorded NICs QEMU lacks', () => {
  it('missingNics: the aliases without a device of that id; hostdev interfaces are not QEMU NICs', () => {
    assert.deepEqual(missingNics(def(nic('net0'), nic('net1'), nic('hostdev0', 'hostdev')), new Set(['net0', 'video0'])), ['net1']);
    assert.deepEqual(missingNics(def(nic('net0')), new Set(['net0'])), []);
  });

  it('a NIC QEMU lacks leaves the live definition; its netdev is deleted (if QEMU made it)', async () => {
    const t = monitor(['net0', 'video0']);
    const warnings: string[] = [];
    const d = def(nic('net0'), nic('net1'));
    const live = await dropMissingNics(t.m, d, taps(), (w) => warnings.push(w));
    assert.deepEqual(live.devices?.interface?.map((n) => n.alias?.name), ['net0']);
    assert.deepEqual(t.calls, ['qom-list {"path":"/machine/peripheral"}', 'netdev_del {"id":"hostnet1"}']);
    assert.match(warnings.join('\n'), /interface 'net1' is recorded but QEMU has no such device/);
    assert.equal(d.devices?.interface?.length, 2, 'the recorded definition itself is not changed');
  });

  it('all there, or QEMU cannot list them: the definition as recorded', async () => {
    const d = def(nic('net0'));
    assert.equal(await dropMissingNics(monitor(['net0']).m, d, taps(), () => undefined), d);
    const warnings: string[] = [];
    assert.equal(await dropMissingNics(monitor(new Error('no qom-list')).m, d, taps(), (w) => warnings.push(w)), d);
    assert.match(warnings.join(''), /cannot list its devices/);
  });
});
