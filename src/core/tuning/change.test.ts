// One tuning change applied to a definition (vcpupin, emulatorpin, iothreadpin, schedinfo --set,
// numatune), its refusals, and what a definition reads back as.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isVirtkitError } from '../errors.js';
import { parseDomainXml } from '../xml/domain/index.js';
import { applyTuningChange, schedFromDef, tuningView } from './change.js';

const dom = (top = '', vcpu = "<vcpu current='2'>4</vcpu>") => parseDomainXml(`<domain type='qemu'><name>g</name>
  <memory unit='MiB'>256</memory>${vcpu}<iothreads>2</iothreads>${top}<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>`);
const live = { live: true, hostCpus: 4 };
const config = { live: false, hostCpus: 4 };
const refused = (f: () => unknown, code: string, re: RegExp) =>
  assert.throws(f, (e) => isVirtkitError(e) && e.code === code && re.test(e.message));

test('the view: vcpupin, else <vcpu cpuset>, else every host CPU; the live view has the current vCPUs', () => {
  assert.deepEqual(tuningView(dom(), 4), {
    vcpupin: [{ vcpu: 0, cpuset: '0-3' }, { vcpu: 1, cpuset: '0-3' }], emulatorpin: '0-3',
    iothreadpin: [{ iothread: 1, cpuset: '0-3' }, { iothread: 2, cpuset: '0-3' }], numatune: { mode: 'strict', nodeset: '' },
  });
  const v = tuningView(dom("<cputune><vcpupin vcpu='1' cpuset='3,2'/><iothreadpin iothread='2' cpuset='1'/></cputune><numatune><memory mode='interleave' nodeset='0,1'/></numatune>",
    "<vcpu cpuset='0-1'>2</vcpu>"), 4);
  assert.deepEqual(v.vcpupin, [{ vcpu: 0, cpuset: '0-1' }, { vcpu: 1, cpuset: '2-3' }]);
  assert.equal(v.emulatorpin, '0-1');
  assert.deepEqual(v.iothreadpin, [{ iothread: 1, cpuset: '0-1' }, { iothread: 2, cpuset: '1' }]);
  assert.deepEqual(v.numatune, { mode: 'interleave', nodeset: '0-1' });
});

test('vcpupin, emulatorpin and iothreadpin replace or add one entry, in order', () => {
  let d = applyTuningChange(dom("<cputune><vcpupin vcpu='1' cpuset='0'/></cputune>"), { what: 'vcpupin', vcpu: 0, cpuset: '3,1-2' }, live);
  d = applyTuningChange(d, { what: 'vcpupin', vcpu: 1, cpuset: '2' }, live);
  d = applyTuningChange(d, { what: 'emulatorpin', cpuset: '0' }, live);
  d = applyTuningChange(d, { what: 'iothreadpin', iothread: 2, cpuset: '1' }, live);
  assert.deepEqual(d.cputune, { vcpupin: [{ vcpu: 0, cpuset: '1-3' }, { vcpu: 1, cpuset: '2' }], emulatorpin: { cpuset: '0' }, iothreadpin: [{ iothread: 2, cpuset: '1' }] });
  // vCPU 3 exists in the definition (maximum 4) but not live (current 2).
  assert.deepEqual(applyTuningChange(dom(), { what: 'vcpupin', vcpu: 3, cpuset: '0' }, config).cputune?.vcpupin, [{ vcpu: 3, cpuset: '0' }]);
  refused(() => applyTuningChange(dom(), { what: 'vcpupin', vcpu: 3, cpuset: '0' }, live), 'INVALID_ARGUMENT', /vcpu 3 is out of range of live cpu count 2/);
  refused(() => applyTuningChange(dom(), { what: 'vcpupin', vcpu: 0, cpuset: '4-5' }, live), 'INVALID_ARGUMENT', /names CPU 4-5, but the host has CPUs 0-3/);
  refused(() => applyTuningChange(dom(), { what: 'emulatorpin', cpuset: 'x' }, live), 'INVALID_ARGUMENT', /Invalid cpulist 'x'/);
  refused(() => applyTuningChange(dom(), { what: 'iothreadpin', iothread: 3, cpuset: '0' }, live), 'INVALID_ARGUMENT', /cannot find IOThread 3/);
});

test('schedinfo --set: virsh names to <cputune> elements; --config reads 0 where unset', () => {
  const d = applyTuningChange(dom('<cputune><shares>100</shares></cputune>'), { what: 'sched', params: { cpu_shares: 512, vcpu_quota: 50000, global_period: 200000 } }, live);
  assert.deepEqual(d.cputune, { shares: 512, quota: 50000, global_period: 200000 });
  assert.deepEqual(schedFromDef(d), {
    cpu_shares: 512, vcpu_period: 0, vcpu_quota: 50000, emulator_period: 0, emulator_quota: 0, global_period: 200000, global_quota: 0, iothread_period: 0, iothread_quota: 0,
  });
});

test('numatune: config changes mode and nodeset; live changes only a nodeset that cpuset.mems carries', () => {
  const cells = "<cpu><numa><cell id='0' cpus='0-1' memory='262144'/></numa></cpu>";
  assert.deepEqual(applyTuningChange(dom(), { what: 'numatune', mode: 'interleave', nodeset: '1,0' }, config).numatune, { memory: { mode: 'interleave', nodeset: '0-1' } });
  assert.deepEqual(applyTuningChange(dom("<numatune><memory nodeset='0'/></numatune>"), { what: 'numatune', nodeset: '1' }, live).numatune, { memory: { mode: 'strict', nodeset: '1' } });
  refused(() => applyTuningChange(dom("<numatune><memory mode='strict' nodeset='0'/></numatune>"), { what: 'numatune', mode: 'interleave' }, live),
    'OPERATION_INVALID', /can't change numatune mode for running domain/);
  refused(() => applyTuningChange(dom(`<numatune><memory mode='strict' nodeset='0'/></numatune>${cells}`), { what: 'numatune', nodeset: '1' }, live),
    'OPERATION_INVALID', /bound on QEMU's command line; use --config/);
  refused(() => applyTuningChange(dom(), { what: 'numatune', nodeset: 'a-b' }, config), 'INVALID_ARGUMENT', /Invalid nodeset 'a-b'/);
});
