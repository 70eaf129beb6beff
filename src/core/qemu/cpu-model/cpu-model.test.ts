// Guest CPU models against what TCG offers, on the caps captured from Debian's QEMU 7.2
// (tests/fixtures/qemu-caps/qemu-7.2.json: each model's static expansion and 'max' under TCG).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../../../tests/helpers/paths.js';
import { isVirtkitError } from '../../errors.js';
import { parseDomainXml } from '../../xml/domain/index.js';
import { parseQemuCaps } from '../caps.js';
import {
  acceleratorOffer, checkGuestCpu, cpuModelInfo, decodeCpu, expandHostModel, featuresFromLinuxFlags, hostModelCpu, qemuFeatureName,
} from './index.js';
import type { CpuModelInfo } from './index.js';
import { knownCpuFeatures } from './models.js';
import { libvirtFeatureName } from './names.js';

const caps = parseQemuCaps(JSON.parse(readFileSync(join(repoRoot, 'tests', 'fixtures', 'qemu-caps', 'qemu-7.2.json'), 'utf8')));
const tcg = acceleratorOffer(caps, 'qemu');

const domain = (type: string, cpu: string) => parseDomainXml(`<domain type='${type}'><name>d</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>${cpu}</domain>`);

test("feature names: libvirt's spelling of QEMU's and Linux's names", () => {
  assert.equal(libvirtFeatureName('lahf-lm'), 'lahf_lm');
  assert.equal(libvirtFeatureName('pclmulqdq'), 'pclmuldq');
  assert.equal(libvirtFeatureName('sse4.1'), 'sse4.1');
  assert.equal(qemuFeatureName('tsc_adjust'), 'tsc-adjust');
  const known = knownCpuFeatures(caps);
  assert.ok(known.has('lahf_lm') && known.has('tsc-deadline') && !known.has('lahf-lm'));
  assert.deepEqual(
    featuresFromLinuxFlags(['fpu', 'pni', 'sse4_1', 'lahf_lm', 'tsc_deadline_timer', 'pclmulqdq', 'avx512_vnni', 'sha_ni', 'constant_tsc', 'osxsave'], known),
    ['avx512vnni', 'fpu', 'lahf_lm', 'pclmuldq', 'pni', 'sha-ni', 'sse4.1', 'tsc-deadline'],
  );
});

test("models: an alias takes its version's features; TCG offers 'max', KVM's offer is unknown", () => {
  const sky = cpuModelInfo(caps, 'Skylake-Client');
  assert.equal(sky?.vendor, 'Intel');
  assert.ok(sky?.features.has('avx2') && sky.features.has('tsc-deadline'));
  assert.deepEqual([...(cpuModelInfo(caps, 'Skylake-Client-v1')?.features ?? [])], [...(sky?.features ?? [])]);
  assert.equal(cpuModelInfo(caps, 'no-such-model'), undefined);
  assert.equal(tcg?.vendor, 'AMD');
  assert.ok(tcg?.features.has('avx2') && !tcg.features.has('tsc-deadline'));
  assert.equal(acceleratorOffer(caps, 'kvm'), undefined);
});

test('decode: the same vendor, the fewest listed features; disable only where allowed', () => {
  const m = (name: string, vendor: string, features: string[]): CpuModelInfo => ({ name, vendor, features: new Set(features), deprecated: false });
  const models = [m('Old', 'Intel', ['a']), m('New', 'Intel', ['a', 'b', 'c', 'x']), m('Mid', 'Intel', ['a', 'b']), m('Amd', 'AMD', ['a', 'b', 'c'])];
  const cpu = { vendor: 'Intel', features: new Set(['a', 'b', 'c']), source: 'test' };
  assert.deepEqual(decodeCpu(cpu, models, { allowDisable: false }), { model: 'Mid', vendor: 'Intel', require: ['c'], disable: [] });
  // New: +0 -1 is 1 listed feature, like Mid's +1; the tie goes to fewer disabled.
  assert.deepEqual(decodeCpu({ ...cpu, features: new Set(['a', 'b', 'c', 'y']) }, models, { allowDisable: true }),
    { model: 'Mid', vendor: 'Intel', require: ['c', 'y'], disable: [] });
  assert.deepEqual(decodeCpu({ ...cpu, features: new Set(['a', 'b', 'c']) }, [models[1] as CpuModelInfo], { allowDisable: true }),
    { model: 'New', vendor: 'Intel', require: [], disable: ['x'] });
  assert.equal(decodeCpu({ ...cpu, features: new Set(['z']) }, models.slice(0, 1), { allowDisable: false }), undefined);
});

test("host-model under TCG: the closest AMD model of 'max', every feature of max and no other", () => {
  const hm = hostModelCpu(caps, 'qemu');
  assert.ok(hm !== undefined && tcg !== undefined);
  assert.equal(hm.vendor, 'AMD');
  const model = cpuModelInfo(caps, hm.model);
  assert.equal(model?.vendor, 'AMD');
  const result = new Set([...(model?.features ?? [])].filter((f) => !hm.disable.includes(f)).concat(hm.require));
  assert.deepEqual([...result].sort(), [...tcg.features].sort());
  assert.equal(hostModelCpu(caps, 'kvm'), undefined);
});

test("start: host-model becomes mode='custom' with the model, vendor and features; the domain's own features win", () => {
  const def = domain('qemu', "<cpu mode='host-model'><topology sockets='1' cores='1' threads='1'/><feature policy='disable' name='avx2'/></cpu>");
  const out = expandHostModel(def, caps).cpu;
  const hm = hostModelCpu(caps, 'qemu');
  assert.equal(out?.mode, 'custom');
  assert.equal(out?.check, 'full');
  assert.deepEqual(out?.model, { value: hm?.model, fallback: 'forbid' });
  assert.equal(out?.vendor, 'AMD');
  assert.deepEqual(out?.topology, { sockets: 1, cores: 1, threads: 1 });
  const f = out?.feature ?? [];
  assert.deepEqual(f.filter((x) => x.name === 'avx2'), [{ policy: 'disable', name: 'avx2' }]);
  assert.ok(f.some((x) => x.policy === 'require' && x.name === 'vaes'));
  // the expansion passes its own check
  checkGuestCpu({ ...def, cpu: out }, caps);
  assert.throws(() => expandHostModel(domain('kvm', "<cpu mode='host-model'/>"), caps), (e: unknown) => isVirtkitError(e) && e.code === 'QEMU_UNSUPPORTED');
  const custom = domain('qemu', "<cpu mode='custom'><model>qemu64</model></cpu>");
  assert.equal(expandHostModel(custom, caps), custom);
});

test('start: a model or required feature TCG lacks is CPU_INCOMPATIBLE, naming the features', () => {
  const refused = (cpu: string, missing: string[]) => assert.throws(() => checkGuestCpu(domain('qemu', cpu), caps), (e: unknown) => {
    assert.ok(isVirtkitError(e) && e.code === 'CPU_INCOMPATIBLE', String(e));
    assert.match(e.message, new RegExp(`^the CPU is incompatible with host CPU: Host CPU does not provide required features: ${missing.join(', ')} `));
    assert.deepEqual(e.details?.['missing'], missing);
    return true;
  });
  refused("<cpu mode='custom'><model>Skylake-Client</model></cpu>", ['3dnowprefetch', 'hle', 'invpcid', 'pcid', 'rdseed', 'rtm', 'tsc-deadline', 'x2apic', 'xsavec']);
  refused("<cpu mode='custom'><model>Skylake-Client</model><feature policy='disable' name='hle'/><feature policy='disable' name='rtm'/></cpu>",
    ['3dnowprefetch', 'invpcid', 'pcid', 'rdseed', 'tsc-deadline', 'x2apic', 'xsavec']);
  refused("<cpu mode='custom'><model>Westmere</model><feature policy='require' name='avx512f'/></cpu>", ['avx512f']);
  checkGuestCpu(domain('qemu', "<cpu mode='custom'><model>Westmere</model><feature policy='require' name='avx2'/></cpu>"), caps);
  checkGuestCpu(domain('qemu', "<cpu mode='custom' check='none'><model>Skylake-Client</model></cpu>"), caps);
  checkGuestCpu(domain('qemu', "<cpu mode='maximum'/>"), caps);
  checkGuestCpu(domain('qemu', ''), caps);
  // KVM's offer is unknown here: not checked.
  checkGuestCpu(domain('kvm', "<cpu mode='custom'><model>Skylake-Client</model></cpu>"), caps);
});
