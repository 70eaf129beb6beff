/**
 * CPU models under KVM on this host, without booting a KVM guest (they hang here: kvm_pvm):
 * the real caps probe asks a second QEMU under KVM when /dev/kvm opens (its `kvm` part, and
 * what it cost), and leaves the part out when /dev/kvm is absent; through the CLI against a
 * real daemon, domcapabilities --virttype kvm lists host-model from it, domxml-to-native of a
 * type='kvm' host-model domain gives -cpu MODEL,..., and hypervisor-cpu-compare/-baseline
 * take --virttype kvm. Where this host cannot open /dev/kvm, the refusals are checked instead.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { probeQemuCaps } from '../../src/host/qemu/probe-caps.js';
import { expectedKvmCpuData } from '../helpers/kvm-expect.js';
import { QEMU_BINARY, processesMentioning } from '../helpers/qemu-spawn.js';
import { isVirtkitError } from '../../src/core/errors.js';
import { guestDomainXml } from '../helpers/guest.js';
import { cli, inProcessDaemon } from './daemon-harness.js';
import { assertNoLeftovers, createHarness } from './lifecycle-harness.js';

const cpuinfoVendor = /^vendor_id\s*: (.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1];

const domain = `<domain type='kvm'>
  <name>kvm-hm</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <cpu mode='host-model'/>
  <devices><serial type='pty'/></devices>
</domain>
`;

describe('CPU models under KVM (no KVM guest boots)', { timeout: 120_000 }, () => {
  it('the probe asks QEMU under KVM where /dev/kvm opens, alongside TCG; not where /dev/kvm is absent', async (t) => {
    const expected = await expectedKvmCpuData();
    const scratch = await mkdtemp(join(tmpdir(), 'virtkit-kvmcpu-test-'));
    t.after(() => rm(scratch, { recursive: true, force: true }));
    const probe = await probeQemuCaps(QEMU_BINARY, { tmpDir: scratch });
    t.diagnostic(`${expected.why}; probe ${probe.probeMs} ms in all, the KVM QEMU ${probe.kvmProbeMs} ms${probe.kvmReason === undefined ? '' : ` (${probe.kvmReason})`}`);
    assert.equal(probe.caps.kvm !== undefined, expected.present, `${expected.why}: ${probe.kvmReason ?? ''}`);
    if (probe.caps.kvm !== undefined) {
      assert.equal(probe.caps.kvm.host.vendor, cpuinfoVendor, "'host' under KVM has the host CPU's vendor");
      assert.ok(probe.caps.kvm.host.features.includes('fpu') && probe.caps.kvm.host.features.includes('kvmclock'), probe.caps.kvm.host.features.join(' '));
      assert.ok(probe.kvmProbeMs > 0);
    }
    // A root without /dev/kvm: no KVM QEMU, no kvm part, and the reason.
    const empty = await probeQemuCaps(QEMU_BINARY, { tmpDir: scratch, root: scratch });
    assert.equal(empty.caps.kvm, undefined);
    assert.equal(empty.kvmProbeMs, 0);
    assert.match(empty.kvmReason ?? '', /\/dev\/kvm does not exist/);
    assert.deepEqual(empty.caps.cpuModels, probe.caps.cpuModels, 'the TCG part does not depend on KVM');
    assert.deepEqual(await readdir(scratch), [], 'both probes removed their temp dirs');
    assert.deepEqual(processesMentioning(scratch), [], 'no probe QEMU left running');
  });

  it('domcapabilities --virttype kvm, domxml-to-native of a kvm host-model domain, hypervisor-cpu-* --virttype kvm', async () => {
    const expected = await expectedKvmCpuData();
    const d = await inProcessDaemon();
    try {
      await writeFile(join(d.root, 'hm.xml'), domain);
      await writeFile(join(d.root, 'westmere.xml'), "<cpu mode='custom' match='exact'><model>Westmere</model></cpu>");
      const dc = await cli(d.root, ['domcapabilities', '--virttype', 'kvm']);
      const native = await cli(d.root, ['domxml-to-native', 'qemu-argv', 'hm.xml', '--json']);
      const cmp = await cli(d.root, ['hypervisor-cpu-compare', '--virttype', 'kvm', 'westmere.xml']);
      if (!expected.present) {
        // The refusals of a host whose KVM could not be asked.
        assert.equal(dc.code, 1, dc.stdout);
        assert.equal(native.code, 1);
        assert.match(native.stderr, /host-model is not supported for <domain type='kvm'>: what KVM offers a guest CPU is unknown/);
        assert.match(cmp.stderr, /what KVM gives a guest CPU is not known here/);
        return;
      }
      assert.equal(dc.code, 0, dc.stderr);
      assert.match(dc.stdout, /<domain>kvm<\/domain>/);
      const hm = /<mode name='host-model' supported='yes'>\n {6}<model fallback='forbid'>([^<]+)<\/model>\n {6}<vendor>([^<]+)<\/vendor>\n/.exec(dc.stdout);
      assert.ok(hm !== null, dc.stdout);
      const [, model = '', vendor = ''] = hm;
      assert.equal({ AMD: 'AuthenticAMD', Intel: 'GenuineIntel', Hygon: 'HygonGenuine' }[vendor], cpuinfoVendor);
      assert.match(dc.stdout, /<model usable='(yes|no)'>qemu64<\/model>/);
      assert.doesNotMatch(dc.stdout, /usable='unknown'/);

      assert.equal(native.code, 0, native.stderr);
      const argv = (JSON.parse(native.stdout) as { args: string[] }).args;
      const cpu = argv[argv.indexOf('-cpu') + 1] ?? '';
      assert.ok(cpu.startsWith(`${model},`), cpu);
      // each feature domcapabilities lists is on -cpu, in QEMU's spelling
      const listed = [...dc.stdout.matchAll(/<feature policy='(require|disable)' name='([^']+)'\/>/g)];
      assert.ok(listed.length > 0);
      const qemuName = (f: string): string => ({ cmp_legacy: 'cmp-legacy', fxsr_opt: 'fxsr-opt', lahf_lm: 'lahf-lm', pclmuldq: 'pclmulqdq', tsc_adjust: 'tsc-adjust', perfctr_core: 'perfctr-core' })[f] ?? f;
      for (const [, policy, f = ''] of listed) assert.ok(cpu.split(',').includes(`${qemuName(f)}=${policy === 'require' ? 'on' : 'off'}`), `${f} in ${cpu}`);
      assert.match(argv.join(' '), /accel=kvm|-accel kvm/);

      // the host-model CPU compares identical to what KVM gives; Westmere (Intel) on an AMD host does not fit
      const hmCpu = `<cpu mode='custom' match='exact'><model>${model}</model><vendor>${vendor}</vendor>${listed.map(([, p, f]) => `<feature policy='${p ?? ''}' name='${f ?? ''}'/>`).join('')}</cpu>`;
      await writeFile(join(d.root, 'hmcpu.xml'), hmCpu);
      const same = await cli(d.root, ['hypervisor-cpu-compare', '--virttype', 'kvm', 'hmcpu.xml']);
      assert.equal(same.code, 0, same.stderr);
      assert.match(same.stdout, /^(CPU described in hmcpu\.xml is identical to the CPU provided by hypervisor on the host|The CPU provided by hypervisor on the host is a superset of CPU described in hmcpu\.xml)\n/);
      if (cpuinfoVendor === 'AuthenticAMD') {
        assert.deepEqual(cmp, { code: 1, stdout: 'CPU described in westmere.xml is incompatible with the CPU provided by hypervisor on the host\n\n', stderr: '' });
      }
      const base = await cli(d.root, ['hypervisor-cpu-baseline', '--virttype', 'kvm', 'hmcpu.xml']);
      assert.equal(base.code, 0, base.stderr);
      assert.match(base.stdout, new RegExp(`^<cpu mode='custom' match='exact'>\\n {2}<model fallback='forbid'>[^<]+</model>\\n {2}<vendor>${vendor}</vendor>\\n`));
    } finally {
      await d.close();
    }
  });

  it("start of a type='kvm' domain needing a feature KVM lacks: CPU_INCOMPATIBLE before any QEMU runs (KVM verdict pretended usable)", async (t) => {
    const expected = await expectedKvmCpuData();
    if (!expected.present) {
      t.skip(`no KVM CPU data here (${expected.why})`);
      return;
    }
    // KVM guests hang on this host: the driver is told KVM runs guests, and the domain must be refused before one starts.
    const h = await createHarness({ kvm: () => Promise.resolve({ usable: true }) });
    try {
      const caps = (await probeQemuCaps(QEMU_BINARY)).caps;
      const kvmHas = new Set(caps.kvm?.host.features ?? []);
      const lacking = ['avx512f', 'amx-tile', 'sgx', 'pni', 'svm'].find((f) => caps.cpuFeatures.includes(f) && !kvmHas.has(f));
      assert.ok(lacking !== undefined, `this host's KVM has every feature tried: ${[...kvmHas].join(' ')}`);
      const xml = await guestDomainXml('kvm-cpu1', { type: 'kvm', extra: `  <cpu mode='custom' match='exact'><model>pentium</model><feature policy='require' name='${lacking}'/></cpu>\n` });
      await h.engine.dispatch({ kind: 'define', xml });
      await assert.rejects(h.engine.dispatch({ kind: 'start', name: 'kvm-cpu1' }), (e: unknown) => {
        assert.ok(isVirtkitError(e) && e.code === 'CPU_INCOMPATIBLE', String(e));
        assert.ok((e.details?.['missing'] as string[]).includes(lacking), JSON.stringify(e.details));
        assert.match(e.message, /the host CPU here is KVM \(QEMU's 'host' CPU under KVM\)/);
        return true;
      });
      assert.equal((await h.engine.dispatch({ kind: 'get', name: 'kvm-cpu1' })).state, 'shutoff');
      await assertNoLeftovers(h);
    } finally {
      await h.close();
    }
  });
});
