import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtkitError } from '../../errors.js';
import { checkDomainXml, parseDomainXml, validateDomain } from './index.js';

const wrap = (inner: string, head = "<domain type='qemu'>"): string =>
  `${head}<name>t</name><memory>1048576</memory><os><type arch='x86_64' machine='pc'>hvm</type></os>${inner}</domain>`;

function fails(xml: string, code: string, pathOrText: RegExp): VirtkitError {
  let err: unknown;
  try {
    validateDomain(parseDomainXml(xml));
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof VirtkitError, `expected a VirtkitError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  assert.match(err.message, pathOrText);
  return err;
}

test('malformed XML is INVALID_XML with a position', () => {
  const e = fails("<domain type='qemu'><name>x</nam></domain>", 'INVALID_XML', /not well-formed/);
  assert.equal(typeof e.details?.['line'], 'number');
});

test('DOCTYPE and entity declarations are refused, never expanded', () => {
  const bomb = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><domain type='qemu'><name>&b;</name></domain>`;
  fails(bomb, 'INVALID_XML', /DOCTYPE/);
  fails(`<domain type='qemu'><name>&xxe;</name></domain>`, 'INVALID_XML', /not well-formed/);
});

test('wrong root element', () => {
  fails('<network><name>n</name></network>', 'INVALID_XML', /root element is <network>/);
});

test('unknown element is refused with its path', () => {
  fails(wrap('<devices><disk type="file"><target dev="vda"/><frobnicate/></disk></devices>'), 'XML_UNSUPPORTED', /^\/domain\/devices\/disk\/frobnicate: /);
});

test('unknown attribute is refused with its path', () => {
  fails(wrap('<devices><interface type="user" colour="red"/></devices>'), 'XML_UNSUPPORTED', /\/domain\/devices\/interface\/@colour/);
});

test('stray text is refused', () => {
  fails(wrap('<features>acpi</features>'), 'XML_UNSUPPORTED', /unexpected text/);
});

test('bad values and bad units', () => {
  fails(wrap('', "<domain type='xen'>"), 'XML_INVALID_VALUE', /\/domain\/@type: 'xen' must be one of/);
  fails(wrap('<vcpu>two</vcpu>'), 'XML_INVALID_VALUE', /\/domain\/vcpu: 'two'/);
  fails("<domain type='qemu'><name>t</name><memory unit='GiBB'>1</memory><os><type>hvm</type></os></domain>", 'XML_INVALID_UNIT', /\/domain\/memory\/@unit: 'GiBB' unknown unit/);
  fails(wrap('<devices><interface type="user"><mac address="01:00:00:00:00:01"/></interface></devices>'), 'XML_INVALID_VALUE', /multicast/);
  fails(wrap('<uuid>not-a-uuid</uuid>'), 'XML_INVALID_VALUE', /\/domain\/uuid/);
  fails(wrap('<devices><disk type="file"><source file="/a"/><target dev="vda"/><address type="pci" slot="0x40"/></disk></devices>'), 'XML_INVALID_VALUE', /@slot: 0x40 is out of range/);
});

test('missing required pieces', () => {
  fails("<domain type='qemu'><memory>1</memory></domain>", 'XML_MISSING', /needs a <name>/);
  fails(wrap('<devices><disk type="file"><source file="/a"/></disk></devices>'), 'XML_MISSING', /target dev/);
  fails(wrap('<devices><interface type="bridge"/></devices>'), 'XML_MISSING', /\/domain\/devices\/interface\/source: .*bridge/);
  fails("<domain type='qemu'><name>t</name><os><type>hvm</type></os></domain>", 'XML_MISSING', /<memory>/);
});

test('duplicates', () => {
  fails(wrap('<name>u</name>'), 'XML_DUPLICATE', /<name> may appear only once/);
  fails(
    wrap('<devices><disk type="file"><source file="/a"/><target dev="vda"/></disk><disk type="file"><source file="/b"/><target dev="vda"/></disk></devices>'),
    'XML_DUPLICATE',
    /disk\[2\]\/target: target 'vda'/,
  );
  fails(
    wrap('<devices><interface type="user"><mac address="52:54:00:00:00:01"/></interface><interface type="user"><mac address="52:54:00:00:00:01"/></interface></devices>'),
    'XML_DUPLICATE',
    /MAC 52:54:00:00:00:01/,
  );
  fails(wrap('<devices><controller type="usb" index="0"/><controller type="usb" index="0"/></devices>'), 'XML_DUPLICATE', /usb controller with index 0/);
});

test('impossible combinations', () => {
  fails(wrap('<vcpu>4</vcpu><cpu><topology sockets="1" cores="2" threads="1"/></cpu>'), 'XML_CONFLICT', /\/domain\/cpu\/topology/);
  fails(wrap('<currentMemory>2097152</currentMemory>'), 'XML_CONFLICT', /currentMemory/);
  fails(wrap('<devices><disk type="file" device="cdrom"><target dev="vda" bus="virtio"/></disk></devices>'), 'XML_CONFLICT', /cdrom cannot be on bus 'virtio'/);
  fails(
    "<domain type='qemu'><name>t</name><memory>1048576</memory><os><type>hvm</type><boot dev='hd'/></os><devices><disk type='file'><source file='/a'/><target dev='vda'/><boot order='1'/></disk></devices></domain>",
    'XML_CONFLICT',
    /per-device/,
  );
});

test('checkDomainXml reports every problem, each with its path', () => {
  const problems = checkDomainXml(wrap('<devices><disk type="file" bogus="1"><target dev="vda"/><nope/></disk><interface type="user" x="y"/></devices>'));
  const paths = problems.map((p) => p.details?.['path']);
  assert.deepEqual(paths, ['/domain/devices/disk/@bogus', '/domain/devices/disk/nope', '/domain/devices/interface/@x']);
  assert.ok(problems.every((p) => p.code === 'XML_UNSUPPORTED'));
});
