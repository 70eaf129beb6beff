/**
 * The CPU commands in-process against a real rooted daemon (this host's /proc/cpuinfo, the
 * probed QEMU): capabilities' host <cpu> compares identical to the host CPU; against TCG a
 * model within 'max' is a subset, one beyond it incompatible (exit 1, or with --error
 * CPU_INCOMPATIBLE naming the features); baselines print a <cpu> as virsh does (every
 * command's output ends with virsh's blank line: src/cli/run.ts).
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { expectedKvmCpuData } from '../helpers/kvm-expect.js';
import { cli, inProcessDaemon } from './daemon-harness.js';

describe('cpu-compare, hypervisor-cpu-compare, cpu-baseline, hypervisor-cpu-baseline (real daemon)', { timeout: 120_000 }, () => {
  it('compare: the host with its own capabilities, TCG with a model within and one beyond it', async () => {
    const d = await inProcessDaemon();
    try {
      const caps = await cli(d.root, ['capabilities']);
      assert.equal(caps.code, 0, caps.stderr);
      assert.match(caps.stdout, /<cpu>\n {6}<arch>x86_64<\/arch>\n {6}<model>[^<]+<\/model>\n {6}<vendor>/);
      const json = JSON.parse((await cli(d.root, ['--json', 'capabilities'])).stdout) as { cpu: { model: string; vendor: string; features: string[] } };
      assert.match(caps.stdout, new RegExp(`<model>${json.cpu.model}</model>\\n {6}<vendor>${json.cpu.vendor}</vendor>`));
      assert.deepEqual(json.cpu.features, [...caps.stdout.matchAll(/<feature name='([^']+)'\/>/g)].map((m) => m[1]));
      assert.ok(json.cpu.features.length > 0);
      await writeFile(join(d.root, 'caps.xml'), caps.stdout);
      assert.deepEqual(await cli(d.root, ['cpu-compare', 'caps.xml']), { code: 0, stdout: 'CPU described in caps.xml is identical to host CPU\n\n', stderr: '' });

      await writeFile(join(d.root, 'old.xml'), "<cpu mode='custom' match='exact'><model>qemu64</model><feature policy='disable' name='svm'/></cpu>");
      assert.deepEqual(await cli(d.root, ['hypervisor-cpu-compare', '--virttype', 'qemu', 'old.xml']),
        { code: 0, stdout: 'The CPU provided by hypervisor on the host is a superset of CPU described in old.xml\n\n', stderr: '' });

      await writeFile(join(d.root, 'sky.xml'), "<domain type='qemu'><name>x</name><cpu mode='custom'><model>EPYC-Rome</model></cpu></domain>");
      const r = await cli(d.root, ['hypervisor-cpu-compare', '--virttype', 'qemu', 'sky.xml']);
      assert.deepEqual(r, { code: 1, stdout: 'CPU described in sky.xml is incompatible with the CPU provided by hypervisor on the host\n\n', stderr: '' });
      const e = await cli(d.root, ['hypervisor-cpu-compare', '--virttype', 'qemu', '--error', 'sky.xml']);
      assert.equal(e.code, 1);
      assert.match(e.stderr, /^error: Failed to compare hypervisor CPU with sky\.xml\nerror: the CPU is incompatible with host CPU: Host CPU does not provide required features: [^\n]*\bxsavec\b/);
      const j = await cli(d.root, ['--json', 'hypervisor-cpu-compare', '--virttype', 'qemu', 'sky.xml']);
      assert.equal((JSON.parse(j.stdout) as { result: string }).result, 'incompatible');
    } finally {
      await d.close();
    }
  });

  it('baseline: of the host and of two models, within TCG; --features lists every feature', async () => {
    const d = await inProcessDaemon();
    try {
      await writeFile(join(d.root, 'two.xml'), '<cpu><model>Skylake-Client</model></cpu>\n<cpu><model>Haswell-noTSX</model></cpu>\n');
      const b = await cli(d.root, ['cpu-baseline', 'two.xml']);
      assert.deepEqual(b, { code: 0, stdout: "<cpu mode='custom' match='exact'>\n  <model fallback='forbid'>Haswell-noTSX</model>\n  <vendor>Intel</vendor>\n</cpu>\n\n", stderr: '' });
      const f = await cli(d.root, ['cpu-baseline', '--features', 'two.xml']);
      assert.ok((f.stdout.match(/<feature policy='require' name=/g) ?? []).length > 40, f.stdout);

      const caps = await cli(d.root, ['capabilities']);
      await writeFile(join(d.root, 'caps.xml'), caps.stdout);
      const hv = await cli(d.root, ['hypervisor-cpu-baseline', '--virttype', 'qemu', 'caps.xml']);
      assert.equal(hv.code, 0, hv.stderr);
      assert.match(hv.stdout, /^<cpu mode='custom' match='exact'>\n {2}<model fallback='forbid'>[^<]+<\/model>\n {2}<vendor>AMD<\/vendor>\n/);
      // what it prints TCG provides
      await writeFile(join(d.root, 'hv.xml'), hv.stdout);
      assert.doesNotMatch((await cli(d.root, ['hypervisor-cpu-compare', '--virttype', 'qemu', 'hv.xml'])).stdout, /incompatible/);
      // under KVM: a baseline where the probe could ask QEMU under KVM (cpu-kvm.test.ts), else refused
      const kvmData = await expectedKvmCpuData();
      const kvm = await cli(d.root, ['hypervisor-cpu-baseline', '--virttype', 'kvm', 'caps.xml']);
      assert.equal(kvm.code, kvmData.present ? 0 : 1, `${kvmData.why}: ${kvm.stderr}`);
      if (!kvmData.present) assert.match(kvm.stderr, /^error: Failed to compute baseline CPU\nerror: what KVM gives a guest CPU is not known here/);
    } finally {
      await d.close();
    }
  });
});
