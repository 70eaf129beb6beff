// The --config side of the disk actions and the impact rules, with the fake driver (which has
// no live disks): a definition takes and gives back disks, change-media edits a drive's source,
// --live needs a running domain, and a driver without LiveDisks says so. The live side runs
// against real QEMU in tests/integration/disk-hotplug.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fakeEngine } from '../../../tests/helpers/fake-engine.js';
import { isVirtkitError } from '../../core/errors.js';
import { MemoryConfigStore } from '../store/memory-stores.js';

const code = (c: string, msg?: RegExp) => (e: unknown) => isVirtkitError(e) && e.code === c && (msg === undefined || msg.test(e.message));
const CDROM = "<disk type='file' device='cdrom'><source file='/a.iso'/><target dev='hdc' bus='ide'/><readonly/></disk>";
const domain = `<domain type='kvm'><name>vm1</name><memory>1024</memory><devices>${CDROM}</devices></domain>`;
const disk = (file: string, dev: string) => `<disk type='file' device='disk'><source file='${file}'/><target dev='${dev}' bus='virtio'/></disk>`;

function setup() {
  const config = new MemoryConfigStore();
  const engine = fakeEngine({ root: '/tmp/vk-disk-ops-test', config });
  return { engine, config };
}

describe('disk actions on the definition', () => {
  it('attach and detach --config (and --current on a shut-off domain) change the stored definition', async () => {
    const { engine, config } = setup();
    await engine.dispatch({ kind: 'define', xml: domain });
    await engine.dispatch({ kind: 'attachDevice', name: 'vm1', xml: disk('/b.img', 'vdb') });
    const stored = await config.load('vm1');
    assert.match(stored ?? '', /<source file='\/b\.img'\/>\s*<target dev='vdb' bus='virtio'\/>\s*<address type='pci'/);
    await assert.rejects(engine.dispatch({ kind: 'attachDevice', name: 'vm1', xml: disk('/c.img', 'vdb'), config: true }), code('XML_DUPLICATE', /already has a disk with target 'vdb'/));
    await assert.rejects(engine.dispatch({ kind: 'attachDevice', name: 'vm1', xml: disk('/c.img', 'vdc'), live: true }), code('OPERATION_INVALID', /is not running/));
    await assert.rejects(engine.dispatch({ kind: 'attachDevice', name: 'vm1', xml: '<sound model=\'ich9\'/>' }), code('XML_UNSUPPORTED', /only <disk> and <interface> devices/));
    await engine.dispatch({ kind: 'detachDisk', name: 'vm1', disk: '/b.img', config: true });
    assert.doesNotMatch(await engine.dispatch({ kind: 'dumpxml', name: 'vm1' }), /b\.img/);
    await assert.rejects(engine.dispatch({ kind: 'detachDisk', name: 'vm1', disk: 'vdb' }), code('NOT_FOUND', /no disk whose target or source is 'vdb' in its persistent definition/));
  });

  it('change-media --config ejects, inserts and updates the drive\'s source; insert into a full drive is refused', async () => {
    const { engine } = setup();
    await engine.dispatch({ kind: 'define', xml: domain });
    await assert.rejects(engine.dispatch({ kind: 'changeMedia', name: 'vm1', disk: 'hdc', mode: 'insert', source: '/b.iso' }), code('OPERATION_INVALID', /already has a medium/));
    await engine.dispatch({ kind: 'changeMedia', name: 'vm1', disk: 'hdc', mode: 'eject', config: true });
    assert.doesNotMatch(await engine.dispatch({ kind: 'dumpxml', name: 'vm1' }), /<source/);
    await engine.dispatch({ kind: 'changeMedia', name: 'vm1', disk: 'hdc', mode: 'insert', source: '/b.iso' });
    assert.match(await engine.dispatch({ kind: 'dumpxml', name: 'vm1' }), /<source file='\/b\.iso'\/>/);
    await engine.dispatch({ kind: 'changeMedia', name: 'vm1', disk: '/b.iso', mode: 'update', source: '/dev/sr0', block: true });
    assert.match(await engine.dispatch({ kind: 'dumpxml', name: 'vm1' }), /<disk type='block' device='cdrom'>[\s\S]*<source dev='\/dev\/sr0'\/>/);
  });

  it('a running domain whose driver has no live disks: live changes are UNSUPPORTED_OPERATION, --config still works', async () => {
    const { engine } = setup();
    await engine.dispatch({ kind: 'define', xml: domain });
    await engine.dispatch({ kind: 'start', name: 'vm1' });
    await assert.rejects(engine.dispatch({ kind: 'attachDevice', name: 'vm1', xml: disk('/b.img', 'vdb') }), code('UNSUPPORTED_OPERATION'));
    await assert.rejects(engine.dispatch({ kind: 'blockResize', name: 'vm1', disk: 'hdc', bytes: 1 << 20 }), code('UNSUPPORTED_OPERATION'));
    await assert.rejects(engine.dispatch({ kind: 'blockInfo', name: 'vm1', disk: 'hdc' }), code('UNSUPPORTED_OPERATION'));
    await engine.dispatch({ kind: 'attachDevice', name: 'vm1', xml: disk('/b.img', 'vdb'), config: true });
    assert.match(await engine.dispatch({ kind: 'dumpxml', name: 'vm1', inactive: true }), /b\.img/);
    assert.doesNotMatch(await engine.dispatch({ kind: 'dumpxml', name: 'vm1' }), /b\.img/);
    // --persistent on a running domain is live and config: the live part fails first, the definition stays.
    await assert.rejects(engine.dispatch({ kind: 'detachDisk', name: 'vm1', disk: 'vdb', persistent: true }), code('NOT_FOUND', /in its live definition/));
    assert.match(await engine.dispatch({ kind: 'dumpxml', name: 'vm1', inactive: true }), /b\.img/);
    await engine.dispatch({ kind: 'destroy', name: 'vm1' });
  });
});
