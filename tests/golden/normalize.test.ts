/**
 * The golden oracle must be able to fail: normalize.ts removes what legitimately
 * differs between two correct command lines and nothing else. Device ids are
 * libvirt's aliases (QMP paths, hot-unplug and stats matching use them), so a
 * changed id is a difference; block node-names are internal and are renamed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadCases, needsShared, testLibDir } from './cases.js';
import { diffNormalized, normalizeArgs, parseArgsText } from './normalize.js';

const libDir = '/var/lib/libvirt/qemu/domain--1-g';

function diff(actual: string[], expected: string[]): string[] {
  return diffNormalized(normalizeArgs(actual, { libDir }), normalizeArgs(expected, { libDir }));
}

const disk = (node: string, id: string, bus = 'pci.0'): string[] => [
  '-blockdev', `{"driver":"file","filename":"/d.img","node-name":"${node}-storage"}`,
  '-blockdev', `{"driver":"raw","node-name":"${node}-format","file":"${node}-storage"}`,
  '-device', `{"driver":"virtio-blk-pci","bus":"${bus}","addr":"0x3","drive":"${node}-format","id":"${id}"}`,
];

test('a renamed device id is a difference', () => {
  const d = diff(disk('libvirt-1', 'renamed-virtio-disk0'), disk('libvirt-1', 'virtio-disk0'));
  assert.equal(d.length, 2, d.join('\n'));
  assert.match(d.join('\n'), /missing .*"id":"virtio-disk0"/);
  assert.match(d.join('\n'), /unexpected .*"id":"renamed-virtio-disk0"/);
});

test('a renamed id in key=value syntax (-chardev, -mon) is a difference', () => {
  const exp = ['-chardev', 'socket,id=charmonitor,fd=3,server=on,wait=off', '-mon', 'chardev=charmonitor,id=monitor,mode=control'];
  const act = ['-chardev', 'socket,id=charmon,fd=3,server=on,wait=off', '-mon', 'chardev=charmon,id=monitor,mode=control'];
  assert.notDeepEqual(diff(act, exp), []);
});

test('a device on another bus (by id) is a difference', () => {
  assert.notDeepEqual(diff(disk('libvirt-1', 'virtio-disk0', 'pci.1'), disk('libvirt-1', 'virtio-disk0')), []);
});

test('node-names are renamed consistently, so another naming scheme is equal', () => {
  assert.deepEqual(diff(disk('vk-disk0', 'virtio-disk0'), disk('libvirt-1', 'virtio-disk0')), []);
});

test('a device pointing at the wrong node is a difference', () => {
  const two = (first: string, second: string): string[] => [
    ...disk('libvirt-2', 'virtio-disk0').slice(0, 4),
    ...disk('libvirt-1', 'virtio-disk1').slice(0, 4),
    '-device', `{"driver":"virtio-blk-pci","bus":"pci.0","addr":"0x3","drive":"${first}","id":"virtio-disk0"}`,
    '-device', `{"driver":"virtio-blk-pci","bus":"pci.0","addr":"0x4","drive":"${second}","id":"virtio-disk1"}`,
  ];
  assert.deepEqual(diff(two('libvirt-2-format', 'libvirt-1-format'), two('libvirt-2-format', 'libvirt-1-format')), []);
  assert.notDeepEqual(diff(two('libvirt-1-format', 'libvirt-2-format'), two('libvirt-2-format', 'libvirt-1-format')), []);
});

/** The expected args with every -device id prefixed, as a builder with wrong aliases would write them. */
function renameDeviceIds(args: readonly string[]): { args: string[]; renamed: number } {
  let renamed = 0;
  const out = args.map((a, i) => {
    if (args[i - 1] !== '-device') return a;
    if (a.startsWith('{')) {
      const v = JSON.parse(a) as Record<string, unknown>;
      if (typeof v['id'] !== 'string') return a;
      renamed++;
      return JSON.stringify({ ...v, id: `renamed-${v['id']}` });
    }
    return a.replace(/(^|,)id=/, (m) => (renamed++, `${m}renamed-`));
  });
  return { args: out, renamed };
}

describe('the normalizer on the libvirt cases', needsShared('domain'), () => {
  test('renaming the -device ids of any case is caught', () => {
    const cases = loadCases();
    const missed: string[] = [];
    let checked = 0;
    for (const c of cases) {
      const exp = parseArgsText(c.expectedArgs);
      const dir = testLibDir(exp.args[1]?.replace(/^guest=/, '').split(',')[0] ?? '');
      const { args, renamed } = renameDeviceIds(exp.args);
      if (renamed === 0) continue;
      checked++;
      const d = diffNormalized(normalizeArgs(args, { libDir: dir }), normalizeArgs(exp.args, { libDir: dir }));
      // each renamed device shows up as one missing and one unexpected line
      if (d.length < 2 * renamed) missed.push(`${c.name}: ${renamed} ids renamed, ${d.length} differences`);
    }
    console.log(`normalizer: renamed -device ids caught in ${checked - missed.length}/${checked} cases that have -device ids`);
    assert.ok(checked > 0, 'no case has a -device with an id');
    assert.deepEqual(missed, []);
  });
});
