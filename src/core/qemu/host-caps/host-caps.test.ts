import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fakeTopology } from '../../../../tests/helpers/fake-sysfs.js';
import { repoRoot } from '../../../../tests/helpers/paths.js';
import { isVirtkitError } from '../../errors.js';
import { parseQemuCaps } from '../caps.js';
import { parseDomainXml } from '../../xml/domain/index.js';
import { formatCapabilitiesXml, formatDomainCapabilitiesXml } from './index.js';

const caps = parseQemuCaps(JSON.parse(readFileSync(join(repoRoot, 'tests', 'fixtures', 'qemu-caps', 'qemu-7.2.json'), 'utf8')));
const host = { arch: 'x86_64', topology: fakeTopology({ nodes: 1, cores: 2, threads: 1 }), iommu: false, pageKiB: 4 };
const emulator = '/usr/bin/qemu-system-x86_64';

test('capabilities: host topology, machines with their aliases, kvm only when usable', () => {
  const tcg = formatCapabilitiesXml({ host, caps, kvmUsable: false, emulator });
  assert.match(tcg, /<arch>x86_64<\/arch>\n\s+<topology sockets='1' dies='1' cores='2' threads='1'\/>/);
  assert.match(tcg, /<cells num='1'>[\s\S]*<cpu id='1' socket_id='0' die_id='0' core_id='1' siblings='1'\/>/);
  assert.match(tcg, /<machine canonical='pc-i440fx-7\.2' maxCpus='255'>pc<\/machine>/);
  assert.match(tcg, /<domain type='qemu'\/>/);
  assert.doesNotMatch(tcg, /<domain type='kvm'\/>/);
  assert.match(formatCapabilitiesXml({ host, caps, kvmUsable: true, emulator }), /<domain type='kvm'\/>/);
});

test('domcapabilities: from the probed caps; TCG has no host-passthrough; kvm refused when unusable', () => {
  const x = formatDomainCapabilitiesXml({ caps, emulator, kvmUsable: false });
  assert.match(x, /<domain>qemu<\/domain>\n\s+<machine>pc-i440fx-7\.2<\/machine>/);
  assert.match(x, /<vcpu max='255'\/>/);
  assert.match(x, /<mode name='host-passthrough' supported='no'\/>/);
  assert.match(x, /<model usable='yes'>qemu64<\/model>/);
  assert.match(x, /<enum name='bus'>\s+<value>ide<\/value>\s+<value>fdc<\/value>\s+<value>scsi<\/value>\s+<value>virtio<\/value>\s+<value>usb<\/value>\s+<value>sata<\/value>/);
  // Only what the command-line builder translates (domcaps-vs-argv.test.ts builds each value).
  assert.match(x, /<enum name='type'>\s+<value>vnc<\/value>\s+<\/enum>/);
  assert.match(x, /<loader supported='yes'>\s+<enum name='type'>\s+<value>rom<\/value>\s+<\/enum>/);
  assert.match(x, /<enum name='backendModel'>\s+<value>random<\/value>\s+<value>builtin<\/value>\s+<\/enum>/);
  assert.match(x, /<tpm supported='no'\/>/);
  assert.match(formatDomainCapabilitiesXml({ caps, emulator, kvmUsable: false, machine: 'q35' }), /<machine>pc-q35-7\.2<\/machine>/);
  assert.match(formatDomainCapabilitiesXml({ caps, emulator, kvmUsable: true }), /<domain>kvm<\/domain>[\s\S]*host-passthrough' supported='yes'/);
  const refused = (q: object, code: string) => assert.throws(() => formatDomainCapabilitiesXml({ caps, emulator, kvmUsable: false, ...q }),
    (e: unknown) => isVirtkitError(e) && e.code === code);
  refused({ virttype: 'kvm' }, 'OPERATION_INVALID');
  refused({ machine: 'nope' }, 'INVALID_ARGUMENT');
  refused({ arch: 'aarch64' }, 'INVALID_ARGUMENT');
});

test('both documents are well-formed XML', () => {
  // The domain parser refuses any XML syntax error before it looks at the root element.
  for (const doc of [formatCapabilitiesXml({ host, caps, kvmUsable: false, emulator }), formatDomainCapabilitiesXml({ caps, emulator, kvmUsable: false })]) {
    assert.throws(() => parseDomainXml(doc), (e: unknown) => isVirtkitError(e) && e.code === 'INVALID_XML' && /root element/.test(e.message));
  }
});
