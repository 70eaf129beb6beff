import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildQcow2 } from '../../../tests/helpers/qcow2-build.js';
import { seeded } from '../../../tests/helpers/seeded-random.js';
import { PROBE_HEAD_BYTES, probeImage, probeImageFormat } from './image-probe.js';

const head = (magic: string, at = 0, size = PROBE_HEAD_BYTES): Buffer => {
  const b = Buffer.alloc(size);
  b.write(magic, at, 'latin1');
  return b;
};

describe('image probe: the format by magic only', () => {
  test('each magic, and nothing from a name or from zeros', () => {
    assert.equal(probeImageFormat(buildQcow2()), 'qcow2');
    const qcow1 = head('QFI\xfb');
    qcow1.writeUInt32BE(1, 4);
    assert.equal(probeImageFormat(qcow1), 'qcow');
    const qcow9 = head('QFI\xfb');
    qcow9.writeUInt32BE(9, 4);
    assert.equal(probeImageFormat(qcow9), undefined, 'an unknown qcow version is no format');
    assert.equal(probeImageFormat(head('QED\0')), 'qed');
    assert.equal(probeImageFormat(head('KDMV')), 'vmdk');
    assert.equal(probeImageFormat(head('# Disk DescriptorFile\nversion=1\n')), 'vmdk');
    const vdi = head('<<< QEMU VM Virtual Disk Image >>>\n');
    vdi.writeUInt32LE(0xbeda107f, 64);
    assert.equal(probeImageFormat(vdi), 'vdi');
    assert.equal(probeImageFormat(head('vhdxfile')), 'vhdx');
    assert.equal(probeImageFormat(head('conectix')), 'vpc');
    assert.equal(probeImageFormat(head('LUKS\xba\xbe\0\x01')), 'luks');
    assert.equal(probeImageFormat(Buffer.alloc(512)), undefined);
    assert.equal(probeImageFormat(Buffer.from('disk.vmdk')), undefined);
    assert.equal(probeImageFormat(Buffer.from('KDM')), undefined, 'a magic cut short is no magic');
    assert.equal(probeImage(buildQcow2(), 1 << 20), undefined, 'qcow2 is read by the qcow2 reader');
  });

  test('capacity from the one header field each format has', () => {
    const vmdk = head('KDMV');
    vmdk.writeBigUInt64LE(10240n, 12);
    assert.deepEqual(probeImage(vmdk, 65536), { format: 'vmdk', capacity: 5 << 20, encryption: undefined });
    const desc = head('# Disk DescriptorFile\nversion=1\nRW 10240 FLAT "a-flat.vmdk" 0\nRDONLY 2048 SPARSE "b.vmdk"\n', 0, 200);
    assert.equal(probeImage(desc, 200)?.capacity, (10240 + 2048) * 512);
    assert.equal(probeImage(head('# Disk DescriptorFile\n'), 512)?.capacity, undefined, 'no extents: the file size stands in');
    const vdi = head('x');
    vdi.writeUInt32LE(0xbeda107f, 64);
    vdi.writeBigUInt64LE(7n << 20n, 368);
    assert.equal(probeImage(vdi, 4096)?.capacity, 7 << 20);
    const qed = head('QED\0');
    qed.writeBigUInt64LE(11n << 20n, 48);
    assert.equal(probeImage(qed, 4096)?.capacity, 11 << 20);
    const qcow = head('QFI\xfb');
    qcow.writeUInt32BE(1, 4);
    qcow.writeBigUInt64BE(12n << 20n, 24);
    qcow.writeUInt32BE(1, 36);
    assert.deepEqual(probeImage(qcow, 4096), { format: 'qcow', capacity: 12 << 20, encryption: 'qcow' });
    assert.deepEqual(probeImage(head('vhdxfile'), 999), { format: 'vhdx', capacity: undefined, encryption: undefined });
  });

  test('vpc: current_size, or CHS for the images Virtual PC and QEMU made', () => {
    const vpc = head('conectix');
    vpc.writeBigUInt64BE(10n << 20n, 48);
    vpc.writeUInt16BE(302, 56);
    vpc.writeUInt8(4, 58);
    vpc.writeUInt8(17, 59);
    assert.equal(probeImage(vpc, 4096)?.capacity, 10 << 20, 'a Hyper-V image: current_size');
    vpc.write('qemuxxxxWi2k', 28, 'latin1');
    assert.equal(probeImage(vpc, 4096)?.capacity, 302 * 4 * 17 * 512);
  });

  test('raw LUKS: format raw, LUKS encryption, the payload past the header', () => {
    const luks = head('LUKS\xba\xbe\0\x01');
    luks.writeUInt32BE(4096, 104);
    assert.deepEqual(probeImage(luks, (2 << 20) + 4096 * 512), { format: 'raw', capacity: 2 << 20, encryption: 'luks' });
    assert.equal(probeImage(luks, 4096 * 512)?.capacity, undefined, 'a payload offset at or past the end');
    const luks2 = head('LUKS\xba\xbe\0\x02');
    assert.deepEqual(probeImage(luks2, 1 << 24), { format: 'raw', capacity: undefined, encryption: 'luks' });
  });

  test('nonsense sizes are unknown, never thrown or trusted', () => {
    const vmdk = head('KDMV');
    vmdk.writeBigUInt64LE(0xffffffffffffffffn, 12);
    assert.equal(probeImage(vmdk, 4096)?.capacity, undefined);
    const desc = head(`# Disk DescriptorFile\nRW ${'9'.repeat(20)} FLAT "x" 0\n`);
    assert.equal(probeImage(desc, 512)?.capacity, undefined);
  });

  test('fuzz: random bytes after each magic, at every length, never throw', () => {
    const rnd = seeded(0x1d7e);
    const magics = ['QFI\xfb\0\0\0\x01', 'QED\0', 'KDMV', '# Disk DescriptorFile\n', 'vhdxfile', 'conectix', 'LUKS\xba\xbe\0\x01'];
    for (let i = 0; i < 3000; i++) {
      const magic = magics[i % magics.length] as string;
      const len = i % 600;
      const b = Buffer.from(rnd(len));
      b.write(magic.slice(0, len), 0, 'latin1');
      if (i % 7 === 0 && len >= 72) b.writeUInt32LE(0xbeda107f, 64);
      const r = probeImage(b, Number(rnd(1)[0]) * 65536);
      if (r?.capacity !== undefined) assert.ok(Number.isSafeInteger(r.capacity) && r.capacity > 0);
    }
  });
});
