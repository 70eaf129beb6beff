// cpu-compare and cpu-baseline on the caps captured from QEMU 7.2: which <cpu>s an XML holds,
// how a CPU compares with an offer, and the baseline of several.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../../../tests/helpers/paths.js';
import { isVirtkitError } from '../../errors.js';
import { parseQemuCaps } from '../caps.js';
import { acceleratorOffer, baselineCpuXml, compareCpu, cpuModelInfo, extractCpus } from './index.js';
import type { CpuOffer } from './index.js';

const caps = parseQemuCaps(JSON.parse(readFileSync(join(repoRoot, 'tests', 'fixtures', 'qemu-caps', 'qemu-7.2.json'), 'utf8')));
const tcg = acceleratorOffer(caps, 'qemu') as CpuOffer;

test('extractCpus: a bare <cpu>, a domain, capabilities (not the cells\' <cpus><cpu id>), several concatenated', () => {
  assert.deepEqual(extractCpus("<?xml version='1.0'?>\n<cpu mode='custom'><model>Westmere</model><feature policy='disable' name='aes'/></cpu>"),
    [{ mode: 'custom', model: 'Westmere', features: [{ name: 'aes', policy: 'disable' }] }]);
  assert.deepEqual(extractCpus("<domain type='qemu'><name>d</name><cpu mode='host-model'/></domain>"), [{ mode: 'host-model', features: [] }]);
  const capsXml = `<capabilities><host><cpu><arch>x86_64</arch><model>Opteron_G1</model><vendor>AMD</vendor><feature name='sse4.1'/></cpu>
    <topology><cells num='1'><cell id='0'><cpus num='1'><cpu id='0' socket_id='0'/></cpus></cell></cells></topology></host></capabilities>`;
  assert.deepEqual(extractCpus(capsXml), [{ model: 'Opteron_G1', vendor: 'AMD', features: [{ name: 'sse4.1' }] }]);
  assert.equal(extractCpus(`${capsXml}\n${capsXml}`).length, 2);
  assert.throws(() => extractCpus('<domain/>'), (e: unknown) => isVirtkitError(e) && e.code === 'INVALID_ARGUMENT' && /no <cpu>/.test(e.message));
  assert.throws(() => extractCpus('<cpu>'), (e: unknown) => isVirtkitError(e) && e.code === 'INVALID_XML');
});

test("compare with TCG: a model within 'max' is a subset, one beyond it incompatible naming the features; max itself identical", () => {
  const cmp = (xml: string) => compareCpu(extractCpus(xml)[0] ?? { features: [] }, tcg, caps);
  assert.deepEqual(cmp("<cpu><model>Opteron_G2</model></cpu>"), { result: 'superset', missing: [] });
  const sky = cmp("<cpu><model>EPYC</model><feature policy='require' name='avx512f'/></cpu>");
  assert.equal(sky.result, 'incompatible');
  assert.ok(sky.missing.includes('avx512f') && sky.missing.includes('xsavec'), sky.missing.join(' '));
  assert.match(sky.reason ?? '', /^the CPU is incompatible with host CPU: Host CPU does not provide required features: 3dnowprefetch, avx512f, /);
  assert.match(cmp('<cpu><model>Westmere</model></cpu>').reason ?? '', /host CPU vendor does not match required CPU vendor Intel/);
  assert.match(cmp("<cpu><model>Opteron_G2</model><feature policy='forbid' name='sse2'/></cpu>").reason ?? '', /provides forbidden features: sse2$/);
  // every feature of max, as the host <cpu> of capabilities lists them: identical
  const all = [...tcg.features].map((f) => `<feature name='${f}'/>`).join('');
  assert.equal(cmp(`<cpu><vendor>AMD</vendor>${all}</cpu>`).result, 'identical');
  assert.equal(cmp("<cpu mode='host-model'/>").result, 'identical');
  assert.throws(() => cmp('<cpu><model>Nope</model></cpu>'), (e: unknown) => isVirtkitError(e) && e.code === 'INVALID_ARGUMENT' && /unknown CPU model 'Nope'/.test(e.message));
});

test('baseline: the closest model of what every CPU has, --features lists the model\'s too; vendors must agree', () => {
  const two = "<cpu><model>Skylake-Client</model></cpu><cpu><model>Haswell-noTSX</model><feature policy='require' name='aes'/></cpu>";
  const out = baselineCpuXml(extractCpus(two), caps);
  assert.match(out, /^<cpu mode='custom' match='exact'>\n {2}<model fallback='forbid'>Haswell-noTSX<\/model>\n {2}<vendor>Intel<\/vendor>\n<\/cpu>\n$/);
  const full = baselineCpuXml(extractCpus(two), caps, { expandFeatures: true });
  const listed = [...full.matchAll(/<feature policy='require' name='([^']+)'\/>/g)].map((m) => m[1]);
  assert.deepEqual(listed, [...(cpuModelInfo(caps, 'Haswell-noTSX')?.features ?? [])].sort());
  // against TCG: only what TCG offers too
  const hv = baselineCpuXml(extractCpus("<cpu><model>EPYC</model></cpu>"), caps, { offer: tcg });
  const model = /<model fallback='forbid'>([^<]+)</.exec(hv)?.[1] ?? '';
  assert.ok(model !== 'EPYC' && [...(cpuModelInfo(caps, model)?.features ?? [])].every((f) => tcg.features.has(f)), hv);
  assert.throws(() => baselineCpuXml(extractCpus('<cpu><model>Westmere</model></cpu><cpu><model>EPYC</model></cpu>'), caps),
    (e: unknown) => isVirtkitError(e) && e.code === 'INVALID_ARGUMENT' && /vendors do not match: Intel, AMD/.test(e.message));
});
