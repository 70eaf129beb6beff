import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { AMD_CPUINFO, INTEL_CPUINFO, INTEL_KABYLAKE_FLAGS } from '../../tests/helpers/fake-cpuinfo.js';
import { fakeTopology, writeTree } from '../../tests/helpers/fake-sysfs.js';
import { repoRoot } from '../../tests/helpers/paths.js';
import { parseQemuCaps } from '../core/qemu/caps.js';
import { formatCapabilitiesXml } from '../core/qemu/host-caps/index.js';
import { parseCpuinfo, readCpuId } from './cpuinfo.js';

// captured on this machine (flags cut)
const AMD = 'processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\nmodel name\t: AMD EPYC\nstepping\t: 1\nmicrocode\t: 0x1000065\ncpu MHz\t\t: 2596.128\n\nprocessor\t: 1\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n';

test("cpuinfo: the first processor's vendor (libvirt's name), signature and microcode (hex to decimal)", () => {
  assert.deepEqual(parseCpuinfo(AMD), { vendor: 'AMD', signature: { family: 25, model: 17, stepping: 1 }, microcode: 0x1000065 });
  assert.deepEqual(parseCpuinfo('vendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\nstepping\t: 7\n'), { vendor: 'Intel', signature: { family: 6, model: 85, stepping: 7 } });
  // an unknown vendor is left out; no x86 fields at all: nothing
  assert.deepEqual(parseCpuinfo('vendor_id\t: VIA VIA VIA\ncpu family\t: 6\nmodel\t\t: 15\nstepping\t: 8\n'), { signature: { family: 6, model: 15, stepping: 8 } });
  assert.equal(parseCpuinfo('processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\n'), undefined);
});

test('cpuinfo: the flags of the first processor, as Linux names them', () => {
  assert.deepEqual(parseCpuinfo(INTEL_CPUINFO)?.flags?.slice(0, 3), ['fpu', 'vme', 'de']);
  assert.equal(parseCpuinfo(INTEL_CPUINFO)?.flags?.length, INTEL_KABYLAKE_FLAGS.split(' ').length);
  assert.equal(parseCpuinfo(AMD)?.flags, undefined);
});

const caps = parseQemuCaps(JSON.parse(readFileSync(join(repoRoot, 'tests', 'fixtures', 'qemu-caps', 'qemu-7.2.json'), 'utf8')));
const topology = fakeTopology({ nodes: 1, cores: 2, threads: 1 });

/** The host <cpu> of capabilities for the /proc/cpuinfo under `root` (the reader of the daemon). */
async function hostCpuXml(cpuinfo: string): Promise<string> {
  const root = await writeTree({ 'proc/cpuinfo': cpuinfo });
  try {
    const cpuid = await readCpuId(root);
    const xml = formatCapabilitiesXml({ host: { arch: 'x86_64', topology, iommu: false, pageKiB: 4, ...(cpuid === undefined ? {} : { cpuid }) }, caps, kvmUsable: false, emulator: '/usr/bin/qemu-system-x86_64' });
    return /<host>\n {4}(<cpu>[\s\S]*?<\/cpu>)/.exec(xml)?.[1] ?? '';
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

test('capabilities <cpu>: an Intel host is its closest Intel model, then vendor, signature, topology, the extra features, pages', async () => {
  const xml = await hostCpuXml(INTEL_CPUINFO);
  assert.match(xml, /^<cpu>\n {6}<arch>x86_64<\/arch>\n {6}<model>Skylake-Client<\/model>\n {6}<vendor>Intel<\/vendor>\n {6}<microcode version='240'\/>\n {6}<signature family='6' model='142' stepping='10'\/>\n {6}<topology [^\n]*\/>\n {6}<feature name='/);
  const features = [...xml.matchAll(/<feature name='([^']+)'\/>/g)].map((m) => m[1]);
  // Linux's names in libvirt's spelling; flags that are no CPUID bit (constant_tsc, pti) are not features
  for (const f of ['ds_cpl', 'vmx', 'ss', 'acpi', 'mpx', 'pdcm']) assert.ok(features.includes(f), f);
  for (const f of ['avx2', 'sse4.1', 'constant_tsc', 'pti', 'hypervisor', 'tsc_deadline_timer']) assert.ok(!features.includes(f), f);
  assert.match(xml, /<feature name='[^']+'\/>\n {6}<pages unit='KiB' size='4'\/>/);
});

test("capabilities <cpu>: an AMD host lacking svm gets the newest AMD model it fully has; a host without flags gets no model", async () => {
  const xml = await hostCpuXml(AMD_CPUINFO);
  assert.match(xml, /<model>Opteron_G1<\/model>\n {6}<vendor>AMD<\/vendor>/);
  const features = [...xml.matchAll(/<feature name='([^']+)'\/>/g)].map((m) => m[1]);
  for (const f of ['avx512f', 'avx512-vpopcntdq', 'avx512vbmi2', 'sha-ni', 'tsc-deadline', 'lahf_lm', 'cr8legacy', 'hypervisor']) assert.ok(features.includes(f), f);
  assert.ok(!features.includes('svm') && !features.includes('fpu'), 'svm is not there; fpu is in the model');
  assert.doesNotMatch(await hostCpuXml(AMD), /<model>|<feature/);
});
