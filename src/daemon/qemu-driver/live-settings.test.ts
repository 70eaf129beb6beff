// Run-time settings: what a start refuses (accepted by define, not applied yet) and the QMP
// commands that apply the rest before `cont`.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadDomainCases, needsShared } from '../../../tests/helpers/shared-cases.js';
import { isVirtkitError } from '../../core/errors.js';
import { parseDomainXml, prepareDomain, validateDomain } from '../../core/xml/domain/index.js';
import { liveSettingSteps, refuseUnapplied, unappliedSettings } from './live-settings.js';

const dom = (top: string, devices = '') => parseDomainXml(`<domain type='qemu'><name>g</name><memory unit='MiB'>256</memory>
  <vcpu placement='static'>4</vcpu><iothreads>4</iothreads>${top}<os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>${devices}</devices></domain>`);

// The <cputune> of libvirt's reference case `cputune`.
const CPUTUNE = `<cputune><shares>2048</shares><period>1000000</period><quota>-1</quota>
  <global_period>1000000</global_period><global_quota>-1</global_quota>
  <iothread_period>1000000</iothread_period><iothread_quota>-1</iothread_quota>
  <vcpupin vcpu='0' cpuset='0'/><vcpupin vcpu='1' cpuset='1'/><emulatorpin cpuset='1'/>
  <vcpusched vcpus='2-3' scheduler='rr' priority='1'/><vcpusched vcpus='0' scheduler='batch'/>
  <vcpusched vcpus='1' scheduler='fifo' priority='0'/>
  <iothreadsched iothreads='1-3,^2' scheduler='batch'/><iothreadsched iothreads='2' scheduler='rr' priority='0'/></cputune>`;

let n = 0;
const prepared = (top: string, devices = '') => prepareDomain(dom(top, devices), { random: (k) => Buffer.alloc(k, ++n) });

test('the reference cputune validates, and a start no longer refuses any of it (tuning.ts applies it)', () => {
  const def = dom(CPUTUNE);
  validateDomain(def);
  assert.deepEqual(unappliedSettings(def), []);
  refuseUnapplied(def);
});

describe("libvirt's reference case cputune", needsShared('domain'), () => test('a start refuses none of it any more', () => {
  const c = loadDomainCases().find((x) => x.name === 'cputune');
  assert.ok(c, 'INDEX.tsv lists cputune');
  const def = parseDomainXml(c.inputXml);
  assert.equal(def.cputune?.vcpupin?.length, 2);
  assert.deepEqual(unappliedSettings(def), []);
}));

test('other settings nothing applies yet: numad placement, a process-wide NUMA policy, per-cell restrictive, VLAN (a VF\'s trunk)', () => {
  const paths = (top: string, devices = '') => unappliedSettings(dom(top, devices)).map((u) => u.path);
  assert.deepEqual(paths(''), []);
  assert.deepEqual(unappliedSettings(parseDomainXml(`<domain type='qemu'><name>g</name><memory>262144</memory>
    <vcpu placement='auto' cpuset='0-1'>2</vcpu><os><type>hvm</type></os></domain>`)).map((u) => u.path), ['/domain/vcpu/@placement']);
  // strict and restrictive without cells go through cpuset.mems; preferred and interleave would need the process's own policy.
  assert.deepEqual(paths("<numatune><memory mode='strict' nodeset='0'/></numatune>"), []);
  assert.deepEqual(paths("<numatune><memory mode='restrictive' nodeset='0'/></numatune>"), []);
  assert.deepEqual(paths("<numatune><memory mode='interleave' nodeset='0'/></numatune>"), ['/domain/numatune/memory']);
  assert.throws(() => refuseUnapplied(dom("<numatune><memory mode='preferred' nodeset='0'/></numatune>")),
    (e) => isVirtkitError(e) && e.code === 'XML_UNSUPPORTED' && /mode='preferred' without guest NUMA cells/.test(e.message));
  assert.deepEqual(paths(`<numatune><memory mode='interleave' nodeset='0'/></numatune>
    <cpu><numa><cell id='0' cpus='0-3' memory='262144'/></numa></cpu>`), []);
  assert.deepEqual(paths(`<numatune><memory mode='strict' nodeset='0'/><memnode cellid='0' mode='restrictive' nodeset='0'/></numatune>
    <cpu><numa><cell id='0' cpus='0-3' memory='262144'/></numa></cpu>`), ['/domain/numatune/memnode[1]']);
  assert.deepEqual(paths('', `<interface type='user'><model type='virtio'/><link state='down'/></interface>
    <interface type='bridge'><source bridge='br0'/><vlan><tag id='42'/></vlan></interface>
    <interface type='hostdev' managed='yes'><source><address type='pci' domain='0' bus='1' slot='0' function='1'/></source><vlan><tag id='7'/></vlan></interface>
    <interface type='hostdev' managed='yes'><source><address type='pci' domain='0' bus='1' slot='0' function='2'/></source><vlan trunk='yes'><tag id='7'/><tag id='8'/></vlan></interface>`),
  // a VF's MAC and single VLAN tag are set through its PF (docs/passthrough.md); a trunk is not
  ['/domain/devices/interface[2]/vlan', '/domain/devices/interface[4]/vlan']);
});

test('host-side interface settings and a secure loader are refused until virtkit applies them; a tap (made by the user or by virtkit) and user addresses are not', () => {
  const paths = (top: string, devices = '') => unappliedSettings(dom(top, devices)).map((u) => u.path);
  assert.deepEqual(paths('', `<interface type='ethernet'><target dev='vk0' managed='no'/><model type='virtio'/></interface>
    <interface type='bridge'><source bridge='br0'/></interface><interface type='ethernet'/>
    <interface type='user'><ip address='172.17.2.0' family='ipv4' prefix='24'/></interface>`), []);
  assert.deepEqual(paths('', `<interface type='network'><source network='default'/><virtualport type='openvswitch'/></interface>
    <interface type='ethernet'><target dev='vk1'/><ip address='192.0.2.1' prefix='24'/><script path='/etc/qemu-ifup'/>
    <downscript path='/etc/qemu-ifdown'/><coalesce><rx><frames max='7'/></rx></coalesce></interface>`), [
    '/domain/devices/interface[1]/virtualport', '/domain/devices/interface[2]/ip[1]',
    '/domain/devices/interface[2]/script', '/domain/devices/interface[2]/downscript', '/domain/devices/interface[2]/coalesce',
  ]);
  // Open vSwitch: an OVS port (type bridge) takes its virtualport and VLAN; other virtualports and a VLAN on a Linux bridge are still refused.
  assert.deepEqual(paths('', `<interface type='bridge'><source bridge='ovs0'/><virtualport type='openvswitch'><parameters interfaceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f'/></virtualport>
    <vlan trunk='yes'><tag id='42' nativeMode='untagged'/><tag id='47'/></vlan></interface>
    <interface type='bridge'><source bridge='br0'/><vlan><tag id='10'/></vlan></interface>
    <interface type='bridge'><source bridge='br0'/><virtualport type='802.1Qbh'><parameters profileid='p'/></virtualport></interface>`), [
    '/domain/devices/interface[2]/vlan', '/domain/devices/interface[3]/virtualport',
  ]);
  const loader = unappliedSettings(parseDomainXml(`<domain type='qemu'><name>g</name><memory>262144</memory>
    <os><type>hvm</type><loader readonly='yes' secure='yes' type='rom'>/usr/share/seabios/bios.bin</loader></os></domain>`));
  assert.deepEqual(loader.map((u) => u.path), ['/domain/os/loader/@secure']);
});

test('link state, the balloon stats period and the VNC password become QMP commands', () => {
  const def = prepared('', `<interface type='user'><model type='virtio'/></interface>
    <interface type='user'><model type='e1000'/><link state='down'/></interface>
    <interface type='user'><model type='virtio'/><link state='up'/></interface>
    <memballoon model='virtio'><stats period='10'/></memballoon>`);
  assert.deepEqual(liveSettingSteps(def), [
    { command: 'set_link', args: { name: 'net1', up: false }, path: '/domain/devices/interface[2]/link' },
    { command: 'qom-set', args: { path: '/machine/peripheral/balloon0', property: 'guest-stats-polling-interval', value: 10 }, path: '/domain/devices/memballoon/stats' },
  ]);
  assert.deepEqual(liveSettingSteps(prepared('', "<graphics type='vnc' port='5901' passwd='s3cret'/>")), [
    { command: 'set_password', args: { protocol: 'vnc', password: 's3cret' }, path: '/domain/devices/graphics[1]/@passwd' },
  ]);
  assert.deepEqual(unappliedSettings(dom('', "<graphics type='vnc' port='5901' passwd='x' passwdValidTo='2030-01-01T00:00:00'/>")).map((u) => u.path),
    ['/domain/devices/graphics[1]/@passwdValidTo']);
  assert.deepEqual(liveSettingSteps(prepared('', "<memballoon model='virtio'/>")), []);
  assert.deepEqual(liveSettingSteps(prepared('', "<memballoon model='none'/>")), []);
});
