import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isVirtkitError } from '../../errors.js';
import { formatDomainXml, parseDomainXml, prepareDomain } from '../../xml/domain/index.js';
import { testArgvCaps } from '../../../../tests/helpers/argv-caps.js';
import { buildQemuArgv } from './index.js';

const caps = testArgvCaps({ hasBackend: () => true });
const random = (n: number): Uint8Array => new Uint8Array(n).fill(7);
const UUID = '0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f';
const ENC = `<encryption format='luks'><secret type='passphrase' uuid='${UUID}'/></encryption>`;

function domain(format: string, enc = ENC): string {
  return `<domain type='qemu'><name>t</name><memory>65536</memory><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
    <disk type='file' device='disk'><driver name='qemu' type='${format}'/><source file='/img/a,b.${format}'/><target dev='vda' bus='virtio'/>${enc}</disk>
    </devices></domain>`;
}

/** The -object and -blockdev options of the one disk, in order. */
function diskArgs(format: string, files: Record<string, string> = { vda: '/run/t/disk-vda.key' }, enc = ENC): string[] {
  const argv = buildQemuArgv(prepareDomain(parseDomainXml(domain(format, enc)), { random }), caps, {
    libDir: '/l', monitor: { path: '/l/m.sock' }, diskSecretFiles: files,
  });
  const out: string[] = [];
  argv.args.forEach((a, i) => {
    const next = argv.args[i + 1] ?? '';
    if ((a === '-object' && next.includes('encryption-secret')) || a === '-blockdev') out.push(`${a} ${next}`);
  });
  return out;
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isVirtkitError(e), String(e));
    return `${e.code}: ${e.message}`;
  }
  return 'built';
}

test("a LUKS qcow2 disk: a secret object reading the key file, then encrypt.format=luks on the format node (libvirt's argv)", () => {
  assert.deepEqual(diskArgs('qcow2'), [
    '-object {"qom-type":"secret","id":"libvirt-1-format-encryption-secret0","format":"raw","file":"/run/t/disk-vda.key"}',
    '-blockdev {"driver":"file","filename":"/img/a,b.qcow2","node-name":"libvirt-1-storage","auto-read-only":true,"discard":"unmap"}',
    '-blockdev {"node-name":"libvirt-1-format","read-only":false,"driver":"qcow2","encrypt":{"format":"luks","key-secret":"libvirt-1-format-encryption-secret0"},"file":"libvirt-1-storage"}',
  ]);
});

test('a raw LUKS disk opens with the luks driver and key-secret over its storage node', () => {
  assert.deepEqual(diskArgs('raw'), [
    '-object {"qom-type":"secret","id":"libvirt-1-format-encryption-secret0","format":"raw","file":"/run/t/disk-vda.key"}',
    '-blockdev {"driver":"file","filename":"/img/a,b.raw","node-name":"libvirt-1-storage","auto-read-only":true,"discard":"unmap"}',
    '-blockdev {"node-name":"libvirt-1-format","read-only":false,"driver":"luks","key-secret":"libvirt-1-format-encryption-secret0","file":"libvirt-1-storage"}',
  ]);
});

test('the key is never on the command line, only its file', () => {
  const all = diskArgs('qcow2').join(' ');
  assert.doesNotMatch(all, /"data"/);
  assert.match(all, /"file":"\/run\/t\/disk-vda\.key"/);
});

test('refusals: other encryption formats, other image formats, no key file, no secret', () => {
  assert.match(refusal(() => diskArgs('qcow2', {}, `<encryption format='qcow'><secret type='passphrase' uuid='${UUID}'/></encryption>`)),
    /^QEMU_UNSUPPORTED: \/domain\/devices\/disk\[target\/@dev='vda'\]\/encryption\/@format: encryption format 'qcow' is not supported: use 'luks'/);
  assert.match(refusal(() => diskArgs('vmdk')), /LUKS encryption is for raw and qcow2 images, not 'vmdk'/);
  assert.match(refusal(() => diskArgs('qcow2', {})), /no key file was given for disk 'vda'/);
  assert.match(refusal(() => diskArgs('qcow2', {}, "<encryption format='luks'/>")), /LUKS encryption needs <secret/);
});

test('<encryption> round-trips in the disk, after <target> as libvirt writes it', () => {
  const def = parseDomainXml(domain('qcow2'));
  const xml = formatDomainXml(def);
  assert.match(xml, /<target dev='vda' bus='virtio'\/>\n\s*<encryption format='luks'>\n\s*<secret type='passphrase' uuid='0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f'\/>\n\s*<\/encryption>/);
  assert.deepEqual(parseDomainXml(xml), def);
});

/** The -object and storage -blockdev of one rbd disk with `auth` inside its <source>. */
function rbdArgs(auth: string, files: Record<string, string> = { vda: '/run/t/disk-vda-auth.key' }, type = 'network', source = ''): string[] {
  const src = type === 'network'
    ? `<source protocol='rbd' name='vms/disk0'><host name='127.0.0.1' port='6789'/>${auth}</source>`
    : `<source file='/img/x.raw'>${auth}</source>`;
  const xml = `<domain type='qemu'><name>t</name><memory>65536</memory><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
    <disk type='${type}' device='disk'><driver name='qemu' type='raw'/>${source || src}<target dev='vda' bus='virtio'/></disk></devices></domain>`;
  const argv = buildQemuArgv(prepareDomain(parseDomainXml(xml), { random }), caps, { libDir: '/l', monitor: { path: '/l/m.sock' }, diskAuthFiles: files });
  const out: string[] = [];
  argv.args.forEach((a, i) => {
    const next = argv.args[i + 1] ?? '';
    if ((a === '-object' && next.includes('storage-secret')) || (a === '-blockdev' && next.includes('"rbd"'))) out.push(`${a} ${next}`);
  });
  return out;
}

test("an rbd disk's <auth>: a secret object reading the cephx key file, user and key-secret on the storage node (libvirt's argv)", () => {
  assert.deepEqual(rbdArgs(`<auth username='admin'><secret type='ceph' uuid='${UUID}'/></auth>`), [
    '-object {"qom-type":"secret","id":"libvirt-1-storage-secret0","format":"raw","file":"/run/t/disk-vda-auth.key"}',
    '-blockdev {"driver":"rbd","pool":"vms","image":"disk0","server":[{"host":"127.0.0.1","port":"6789"}],"user":"admin",' +
      '"auth-client-required":["cephx","none"],"key-secret":"libvirt-1-storage-secret0","node-name":"libvirt-1-storage","read-only":false}',
  ]);
  assert.match(refusal(() => rbdArgs(`<auth username='admin'><secret type='ceph' uuid='${UUID}'/></auth>`, {})), /no key file was given for disk 'vda' \(RuntimePaths\.diskAuthFiles\)/);
  assert.match(refusal(() => rbdArgs(`<auth username='admin'><secret type='iscsi' uuid='${UUID}'/></auth>`)), /secret is of type 'ceph', not 'iscsi'/);
  assert.match(refusal(() => rbdArgs(`<auth username='admin'/>`)), /needs <secret type='ceph'/);
  assert.match(refusal(() => rbdArgs(`<auth username='admin'><secret type='ceph' uuid='${UUID}'/></auth>`, undefined, 'file')),
    /source\/auth: authentication is supported for rbd disks only/);
});
