import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseInstallArgv } from '../../core/options/install-argv.js';
import { parseFirmwareDescriptor, readFirmwareDescriptors } from './firmware.js';
import { capabilityFacts, namedStorage } from './host-facts.js';

const CAPS = `<capabilities>
  <host><cpu><arch>x86_64</arch></cpu></host>
  <guest>
    <os_type>hvm</os_type>
    <arch name='i686'><emulator>/usr/bin/qemu-system-i386</emulator><machine>pc-i440fx-7.2</machine><domain type='qemu'/></arch>
  </guest>
  <guest>
    <os_type>hvm</os_type>
    <arch name='x86_64'>
      <wordsize>64</wordsize>
      <emulator>/usr/bin/qemu-system-x86_64</emulator>
      <machine maxCpus='255'>pc-i440fx-7.2</machine>
      <machine canonical='pc-i440fx-7.2' maxCpus='255'>pc</machine>
      <machine maxCpus='288'>pc-q35-7.2</machine>
      <machine canonical='pc-q35-7.2' maxCpus='288'>q35</machine>
      <machine maxCpus='1'>isapc</machine>
      <domain type='qemu'/>
      <domain type='kvm'/>
    </arch>
  </guest>
</capabilities>`;

// Debian 12's ovmf: /usr/share/qemu/firmware/40-edk2-x86_64-secure-enrolled.json (abridged).
const OVMF_SECURE = JSON.stringify({
  description: 'UEFI firmware for x86_64, with Secure Boot and Microsoft keys enrolled',
  'interface-types': ['uefi'],
  mapping: {
    device: 'flash',
    executable: { filename: '/usr/share/OVMF/OVMF_CODE_4M.ms.fd', format: 'raw' },
    'nvram-template': { filename: '/usr/share/OVMF/OVMF_VARS_4M.ms.fd', format: 'raw' },
  },
  targets: [{ architecture: 'x86_64', machines: ['pc-q35-*'] }],
  features: ['acpi-s3', 'enrolled-keys', 'requires-smm', 'secure-boot', 'verbose-dynamic'],
  tags: [],
});

describe('install host facts', () => {
  it('takes the host arch guest of the capabilities XML: emulator, machines, aliases, domain types', () => {
    assert.deepEqual(capabilityFacts(CAPS), {
      emulator: '/usr/bin/qemu-system-x86_64', arch: 'x86_64',
      machines: ['pc-i440fx-7.2', 'pc-q35-7.2', 'isapc'],
      machineAliases: { pc: 'pc-i440fx-7.2', q35: 'pc-q35-7.2' },
      virtTypes: ['qemu', 'kvm'],
    });
  });

  it('finds the volumes and paths --disk and --cdrom name', () => {
    const args = parseInstallArgv(['--disk', 'vol=default/base.qcow2,bus=virtio', '--disk', '/srv/a.qcow2,size=2', '--disk', 'size=4,backing_store=/srv/b.qcow2', '--cdrom', '/srv/x.iso']);
    assert.deepEqual(namedStorage(args), { vols: ['default/base.qcow2'], paths: ['/srv/a.qcow2', '/srv/b.qcow2', '/srv/x.iso'] });
  });

  it('reads a firmware descriptor: code, vars template, interface types and targets with the features', () => {
    assert.deepEqual(parseFirmwareDescriptor(OVMF_SECURE), {
      code: '/usr/share/OVMF/OVMF_CODE_4M.ms.fd', varsTemplate: '/usr/share/OVMF/OVMF_VARS_4M.ms.fd',
      features: ['interface:uefi', 'target:x86_64:pc-q35-*', 'acpi-s3', 'enrolled-keys', 'requires-smm', 'secure-boot', 'verbose-dynamic'],
    });
    assert.equal(parseFirmwareDescriptor('{ not json'), undefined);
    assert.equal(parseFirmwareDescriptor('{"mapping":{"device":"flash"}}'), undefined, 'no executable: skipped');
  });

  it('reads the descriptor directories in name order, an earlier directory hiding a file of the same name', async () => {
    const root = await mkdtemp(join(tmpdir(), 'vk-fw-'));
    try {
      const [etc, share] = [join(root, 'etc'), join(root, 'share')];
      await mkdir(etc);
      await mkdir(share);
      const desc = (code: string) => JSON.stringify({ mapping: { device: 'flash', executable: { filename: code } } });
      await writeFile(join(share, '50-b.json'), desc('/share/b'));
      await writeFile(join(share, '60-c.json'), desc('/share/c'));
      await writeFile(join(share, 'README'), 'not a descriptor');
      await writeFile(join(etc, '60-c.json'), desc('/etc/c'));
      await writeFile(join(etc, '10-a.json'), desc('/etc/a'));
      const fw = await readFirmwareDescriptors([etc, share, join(root, 'absent')]);
      assert.deepEqual(fw.map((f) => f.code), ['/etc/a', '/share/b', '/etc/c']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
