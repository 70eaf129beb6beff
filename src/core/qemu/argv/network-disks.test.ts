import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isVirtkitError } from '../../errors.js';
import { parseDomainXml, prepareDomain } from '../../xml/domain/index.js';
import { testArgvCaps } from '../../../../tests/helpers/argv-caps.js';
import { buildQemuArgv } from './index.js';

const caps = testArgvCaps({ hasBackend: (kind, name) => kind !== 'blockdev' || name !== 'vxhs' });

const random = (n: number): Uint8Array => new Uint8Array(n).fill(7);

/** The storage -blockdev of a domain with one network disk whose <source> is `source`. */
function storageNode(source: string, format = 'raw'): Record<string, unknown> {
  const xml = `<domain type='qemu'><name>t</name><memory>65536</memory><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>
    <disk type='network' device='disk'><driver name='qemu' type='${format}'/>${source}<target dev='vda' bus='virtio'/></disk></devices></domain>`;
  const argv = buildQemuArgv(prepareDomain(parseDomainXml(xml), { random }), caps, { libDir: '/l', monitor: { path: '/l/m.sock' } });
  const i = argv.args.indexOf('-blockdev');
  const node = JSON.parse(argv.args[i + 1] ?? '{}') as Record<string, unknown>;
  delete node['node-name'];
  delete node['read-only'];
  delete node['auto-read-only'];
  delete node.discard;
  return node;
}

function refusal(source: string): string {
  try {
    storageNode(source);
  } catch (e) {
    assert.ok(isVirtkitError(e), String(e));
    return `${e.code}: ${e.message}`;
  }
  return 'built';
}

test('network disks become the -blockdev storage nodes libvirt builds, per protocol', () => {
  assert.deepEqual(storageNode(`<source protocol='nbd' name='exp'><host name='127.0.0.1' port='10810'/></source>`),
    { driver: 'nbd', server: { type: 'inet', host: '127.0.0.1', port: '10810' }, export: 'exp' });
  assert.deepEqual(storageNode(`<source protocol='nbd'><host transport='unix' socket='/run/nbd.sock'/></source>`),
    { driver: 'nbd', server: { type: 'unix', path: '/run/nbd.sock' } });
  assert.deepEqual(storageNode(`<source protocol='nfs' name='export/disk.img'><host name='nfs.example'/></source>`),
    { driver: 'nfs', server: { type: 'inet', host: 'nfs.example' }, path: '/export/disk.img' });
  assert.deepEqual(storageNode(`<source protocol='iscsi' name='iqn.1992-01.com.example:storage/1'><host name='example.org' port='6000'/></source>`),
    { driver: 'iscsi', portal: 'example.org:6000', target: 'iqn.1992-01.com.example:storage', lun: 1, transport: 'tcp' });
  assert.deepEqual(storageNode(`<source protocol='iscsi' name='iqn.2001-04.com.example:t'><host name='::1'/></source>`),
    { driver: 'iscsi', portal: '[::1]:3260', target: 'iqn.2001-04.com.example:t', lun: 0, transport: 'tcp' });
  assert.deepEqual(storageNode(`<source protocol='rbd' name='vms/disk0'><host name='mon1' port='6789'/><host name='mon2'/></source>`, 'qcow2'),
    { driver: 'rbd', pool: 'vms', image: 'disk0', server: [{ host: 'mon1', port: '6789' }, { host: 'mon2', port: '6789' }] });
  assert.deepEqual(storageNode(`<source protocol='rbd' name='vms/ns1/disk0'/>`),
    { driver: 'rbd', pool: 'vms', namespace: 'ns1', image: 'disk0' });
  assert.deepEqual(storageNode(`<source protocol='gluster' name='vol/dir/a.img'><host name='g1'/></source>`),
    { driver: 'gluster', volume: 'vol', path: 'dir/a.img', server: [{ type: 'inet', host: 'g1', port: '24007' }] });
  assert.deepEqual(storageNode(`<source protocol='ssh' name='/srv/a.img'><host name='h' port='2222'/></source>`),
    { driver: 'ssh', path: '/srv/a.img', server: { host: 'h', port: '2222' } });
  assert.deepEqual(storageNode(`<source protocol='https' name='/images/a.iso'><host name='example.org'/></source>`),
    { driver: 'https', url: 'https://example.org/images/a.iso' });
  assert.deepEqual(storageNode(`<source protocol='http' name='a.img'><host name='example.org' port='8080'/></source>`),
    { driver: 'http', url: 'http://example.org:8080/a.img' });
});

test('network disks that cannot work are refused with the path and the reason', () => {
  assert.match(refusal(`<source protocol='nfs' name='/e/a.img'/>`), /^QEMU_UNSUPPORTED: .*source\/host: a nfs disk needs a <host>/);
  assert.match(refusal(`<source protocol='nfs'><host name='h'/></source>`), /source\/@name: a nfs disk needs name='EXPORT\/PATH'/);
  assert.match(refusal(`<source protocol='iscsi' name='iqn.x/lun1'><host name='h'/></source>`), /'lun1' is not a LUN number/);
  assert.match(refusal(`<source protocol='rbd' name='justimage'/>`), /'justimage' is not POOL\/IMAGE/);
  assert.match(refusal(`<source protocol='nfs' name='/a'><host name='a'/><host name='b'/></source>`), /source\/host\[2\]: a nfs disk takes exactly one <host>/);
  assert.match(refusal(`<source protocol='iscsi' name='iqn.x/1'><host transport='unix' socket='/s'/></source>`), /cannot use a unix socket/);
  assert.match(refusal(`<source protocol='nfs' name='/e/a.img'><host name='h' port='2049'/></source>`), /source\/host\/@port: an nfs host takes no port/);
  assert.match(refusal(`<source protocol='vxhs' name='x'><host name='h'/></source>`), /network protocol 'vxhs' is not supported/);
});
