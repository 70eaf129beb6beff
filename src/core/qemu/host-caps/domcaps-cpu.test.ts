// domcapabilities' <cpu>: host-model as libvirt lists it, for the accelerator the domain will use,
// and what it lists builds: the expanded domain's -cpu is the model with those features.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../../../tests/helpers/paths.js';
import { parseDomainXml, prepareDomain } from '../../xml/domain/index.js';
import { buildQemuArgv } from '../argv/index.js';
import { parseQemuCaps } from '../caps.js';
import { expandHostModel } from '../cpu-model/index.js';
import { formatDomainCapabilitiesXml } from './index.js';

const caps = parseQemuCaps(JSON.parse(readFileSync(join(repoRoot, 'tests', 'fixtures', 'qemu-caps', 'qemu-7.2.json'), 'utf8')));
const emulator = '/usr/bin/qemu-system-x86_64';

test("domcapabilities: host-model under TCG is a model, its vendor and require/disable features; under KVM not supported", () => {
  const xml = formatDomainCapabilitiesXml({ caps, emulator, kvmUsable: false });
  const mode = /<mode name='host-model' supported='yes'>\n([\s\S]*?)\n {4}<\/mode>/.exec(xml)?.[1];
  assert.ok(mode !== undefined, xml);
  const lines = mode.split('\n').map((l) => l.trim());
  assert.match(lines[0] ?? '', /^<model fallback='forbid'>[A-Za-z0-9_-]+<\/model>$/);
  assert.equal(lines[1], '<vendor>AMD</vendor>');
  const policies = lines.slice(2).map((l) => /^<feature policy='(require|disable)' name='([^']+)'\/>$/.exec(l)?.[1]);
  assert.ok(policies.length > 0 && policies.every((p) => p !== undefined), mode);
  assert.deepEqual(policies, [...policies].sort((a, b) => (a === b ? 0 : a === 'require' ? -1 : 1)), 'require first, then disable');
  assert.ok(lines.includes("<feature policy='require' name='hypervisor'/>"));
  // custom models: usable under TCG as query-cpu-definitions says
  assert.match(xml, /<model usable='no'>Skylake-Client<\/model>/);
  assert.match(xml, /<model usable='yes'>Westmere<\/model>/);
  assert.match(formatDomainCapabilitiesXml({ caps, emulator, kvmUsable: true, virttype: 'kvm' }), /<mode name='host-model' supported='no'\/>/);
});

test('the host-model domcapabilities lists builds: -cpu MODEL,feature=on|off in QEMU spelling', () => {
  const model = /<mode name='host-model' supported='yes'>\n\s*<model fallback='forbid'>([^<]+)</.exec(formatDomainCapabilitiesXml({ caps, emulator, kvmUsable: false }))?.[1];
  const def = parseDomainXml(`<domain type='qemu'><name>d</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
    <os><type arch='x86_64' machine='pc'>hvm</type></os><cpu mode='host-model'/></domain>`);
  const argv = buildQemuArgv(prepareDomain(expandHostModel(def, caps), { random: (k) => Buffer.alloc(k, 1) }), caps,
    { libDir: '/var/lib/d', monitor: { path: '/run/d/qmp.sock' }, channelDir: '/run/d' });
  const cpu = argv.args[argv.args.indexOf('-cpu') + 1] ?? '';
  assert.ok(cpu.startsWith(`${model ?? '?'},`), cpu);
  assert.match(cpu, /,hypervisor=on(,|$)/);
  assert.match(cpu, /,fxsr-opt=off(,|$)/, "libvirt's fxsr_opt is QEMU's fxsr-opt");
});
