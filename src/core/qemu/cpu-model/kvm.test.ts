// CPU models under KVM from replies captured under KVM on a real host (an AMD EPYC under
// kvm_pvm, whose KVM lacks SSE3 and SVM): the caps' kvm part, host-model, named models'
// check, compare, domcapabilities and -cpu; without the kvm part, the refusals stay.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { qemu72Caps } from '../../../../tests/golden/caps.js';
import { kvmCaps, kvmCpuReplies } from '../../../../tests/helpers/kvm-cpu-fixture.js';
import { isVirtkitError } from '../../errors.js';
import { parseDomainXml, prepareDomain } from '../../xml/domain/index.js';
import { buildQemuArgv } from '../argv/index.js';
import { buildKvmCpu } from '../caps-kvm.js';
import { formatDomainCapabilitiesXml } from '../host-caps/index.js';
import { acceleratorOffer, baselineCpuXml, checkGuestCpu, compareCpu, cpuModelInfo, expandHostModel, extractCpus, hostModelCpu } from './index.js';

const caps = kvmCaps();
const tcgOnly = qemu72Caps();
const emulator = '/usr/bin/qemu-system-x86_64';
const domain = (type: string, cpu: string) => parseDomainXml(`<domain type='${type}'><name>d</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>${cpu}</domain>`);

test("the kvm part: 'host' under KVM (vendor, features set) and the models KVM lacks features of, sorted", () => {
  const kvm = buildKvmCpu(kvmCpuReplies());
  assert.equal(kvm.host.vendor, 'AuthenticAMD');
  assert.deepEqual(kvm.host.features, [...kvm.host.features].sort());
  assert.ok(kvm.host.features.includes('kvmclock') && kvm.host.features.includes('hypervisor') && !kvm.host.features.includes('pni'), kvm.host.features.join(' '));
  assert.deepEqual(kvm.unavailableFeatures['Westmere'], ['aes', 'pclmulqdq', 'pni', 'popcnt', 'sse4.1', 'sse4.2', 'ssse3']);
  assert.equal(Object.hasOwn(kvm.unavailableFeatures, 'pentium'), false, 'a model KVM runs has no entry');
  assert.equal(caps.kvm?.host.features.length, kvm.host.features.length, 'the stored schema keeps it');
  assert.equal(tcgOnly.kvm, undefined);
});

test("host-model under KVM: the closest model of 'host' under KVM, without KVM's paravirt features; the TCG one unchanged", () => {
  const offer = acceleratorOffer(caps, 'kvm');
  assert.ok(offer !== undefined);
  assert.match(offer.source, /^KVM /);
  const hm = hostModelCpu(caps, 'kvm');
  assert.ok(hm !== undefined);
  assert.equal(hm.vendor, 'AMD');
  const model = cpuModelInfo(caps, hm.model);
  assert.ok(model !== undefined && model.vendor === 'AMD', hm.model);
  assert.ok(hm.require.every((f) => offer.features.has(f) && !model.features.has(f)), hm.require.join(' '));
  assert.ok(hm.disable.every((f) => !offer.features.has(f) && model.features.has(f)), hm.disable.join(' '));
  assert.ok(hm.disable.includes('pni') && hm.require.includes('hypervisor'), JSON.stringify(hm));
  assert.deepEqual(hm.require.filter((f) => f.startsWith('kvm')), []);
  assert.deepEqual(hostModelCpu(caps, 'qemu'), hostModelCpu(tcgOnly, 'qemu'));
  assert.equal(hostModelCpu(tcgOnly, 'kvm'), undefined);
});

test("a type='kvm' host-model domain expands to it: -cpu MODEL,feature=on|off under -accel kvm", () => {
  const hm = hostModelCpu(caps, 'kvm');
  const expanded = expandHostModel(domain('kvm', "<cpu mode='host-model'/>"), caps);
  assert.equal(expanded.cpu?.mode, 'custom');
  const argv = buildQemuArgv(prepareDomain(expanded, { random: (k) => Buffer.alloc(k, 1) }), caps,
    { libDir: '/var/lib/d', monitor: { path: '/run/d/qmp.sock' }, channelDir: '/run/d' });
  const cpu = argv.args[argv.args.indexOf('-cpu') + 1] ?? '';
  assert.ok(cpu.startsWith(`${hm?.model ?? '?'},`), cpu);
  assert.match(cpu, /,pni=off(,|$)/);
  assert.match(cpu, /,hypervisor=on(,|$)/);
  assert.match(argv.args.join(' '), /accel=kvm|-accel kvm/);
  assert.throws(() => expandHostModel(domain('kvm', "<cpu mode='host-model'/>"), tcgOnly),
    (e: unknown) => isVirtkitError(e) && e.code === 'QEMU_UNSUPPORTED' && /what KVM offers a guest CPU is unknown/.test(e.message));
});

test('a named model KVM lacks features of is refused, naming them; one it has passes; unchecked without the kvm part', () => {
  assert.throws(() => checkGuestCpu(domain('kvm', "<cpu mode='custom'><model>Westmere</model></cpu>"), caps), (e: unknown) => {
    assert.ok(isVirtkitError(e) && e.code === 'CPU_INCOMPATIBLE', String(e));
    assert.deepEqual(e.details?.['missing'], ['aes', 'pclmuldq', 'pni', 'popcnt', 'sse4.1', 'sse4.2', 'ssse3']);
    assert.match(e.message, /^the CPU is incompatible with host CPU: Host CPU does not provide required features: aes, pclmuldq, pni, .*\(the host CPU here is KVM /);
    return true;
  });
  checkGuestCpu(domain('kvm', "<cpu mode='custom'><model>pentium</model></cpu>"), caps);
  checkGuestCpu(domain('kvm', "<cpu mode='custom'><model>Opteron_G1</model><feature policy='disable' name='pni'/></cpu>"), caps);
  assert.throws(() => checkGuestCpu(domain('kvm', "<cpu mode='custom'><model>pentium</model><feature policy='require' name='pni'/></cpu>"), caps),
    (e: unknown) => isVirtkitError(e) && e.code === 'CPU_INCOMPATIBLE' && JSON.stringify(e.details?.['missing']) === '["pni"]');
  // Westmere is fine for TCG, so the kvm part is what refuses it.
  checkGuestCpu(domain('qemu', "<cpu mode='custom'><model>Westmere</model></cpu>"), caps);
  checkGuestCpu(domain('kvm', "<cpu mode='custom'><model>Westmere</model></cpu>"), tcgOnly);
});

test('hypervisor compare against KVM: within it a superset, beyond it (or another vendor) incompatible', () => {
  const offer = acceleratorOffer(caps, 'kvm');
  assert.ok(offer !== undefined);
  const cmp = (xml: string) => compareCpu(extractCpus(xml)[0] ?? { features: [] }, offer, caps);
  assert.equal(cmp("<cpu><feature policy='require' name='sse2'/><feature policy='require' name='x2apic'/></cpu>").result, 'superset');
  assert.equal(cmp("<cpu><model>Opteron_G1</model><feature policy='disable' name='pni'/></cpu>").result, 'superset');
  const w = cmp('<cpu><model>Westmere</model></cpu>');
  assert.equal(w.result, 'incompatible');
  assert.match(w.reason ?? '', /vendor does not match required CPU vendor Intel/);
  assert.deepEqual(cmp('<cpu><model>Opteron_G1</model></cpu>').missing, ['pni']);
});

test("domcapabilities for kvm with the kvm part: host-model supported, models usable as KVM says, even where KVM guests do not run", () => {
  const hm = hostModelCpu(caps, 'kvm');
  for (const kvmUsable of [true, false]) {
    const xml = formatDomainCapabilitiesXml({ caps, emulator, kvmUsable, virttype: 'kvm' });
    assert.match(xml, /<domain>kvm<\/domain>/);
    assert.match(xml, new RegExp(`<mode name='host-model' supported='yes'>\\n {6}<model fallback='forbid'>${hm?.model ?? '?'}</model>\\n {6}<vendor>AMD</vendor>\\n`));
    assert.match(xml, /<feature policy='disable' name='pni'\/>/);
    assert.match(xml, /<model usable='no'>Westmere<\/model>/);
    assert.match(xml, /<model usable='yes'>pentium<\/model>/);
  }
  // the TCG view is unchanged by the kvm part
  assert.equal(formatDomainCapabilitiesXml({ caps, emulator, kvmUsable: false, virttype: 'qemu' }),
    formatDomainCapabilitiesXml({ caps: tcgOnly, emulator, kvmUsable: false, virttype: 'qemu' }));
  // without it: refused where KVM does not run, unknown where it does
  assert.throws(() => formatDomainCapabilitiesXml({ caps: tcgOnly, emulator, kvmUsable: false, kvmReason: '/dev/kvm does not exist', virttype: 'kvm' }),
    (e: unknown) => isVirtkitError(e) && e.code === 'OPERATION_INVALID' && /KVM is not usable .*\/dev\/kvm does not exist/.test(e.message));
  const unknown = formatDomainCapabilitiesXml({ caps: tcgOnly, emulator, kvmUsable: true, virttype: 'kvm' });
  assert.match(unknown, /<mode name='host-model' supported='no'\/>/);
  assert.match(unknown, /<model usable='unknown'>Westmere<\/model>/);
});

test("hypervisor baseline against this KVM: no AMD model fits without SSE3, so the closest one with 'pni' disabled", () => {
  const offer = acceleratorOffer(caps, 'kvm');
  assert.ok(offer !== undefined);
  const out = baselineCpuXml(extractCpus('<cpu><model>EPYC</model></cpu>'), caps, { offer });
  assert.match(out, /^<cpu mode='custom' match='exact'>\n {2}<model fallback='forbid'>[^<]+<\/model>\n {2}<vendor>AMD<\/vendor>\n/);
  assert.match(out, /\n {2}<feature policy='disable' name='pni'\/>\n(.*\n)*<\/cpu>\n$/);
  // what it prints, KVM provides
  assert.notEqual(compareCpu(extractCpus(out)[0] ?? { features: [] }, offer, caps).result, 'incompatible', out);
});
