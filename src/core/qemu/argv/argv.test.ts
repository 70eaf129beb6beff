import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isVirtkitError } from '../../errors.js';
import { checkDomainXml, parseDomainXml, prepareDomain } from '../../xml/domain/index.js';
import { testArgvCaps } from '../../../../tests/helpers/argv-caps.js';
import { buildQemuArgv } from './index.js';
import type { RuntimePaths } from './types.js';

const caps = testArgvCaps;

const paths: RuntimePaths = { libDir: '/run/vk/dom', monitor: { path: '/run/vk/dom/monitor.sock' } };

let seed = 1;
const random = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff);

function domain(devices: string, extra = ''): ReturnType<typeof prepareDomain> {
  const xml = `<domain type='qemu'><name>t</name><memory>65536</memory><os><type arch='x86_64' machine='pc'>hvm</type></os>${extra}<devices>${devices}</devices></domain>`;
  return prepareDomain(parseDomainXml(xml), { random });
}

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isVirtkitError(e) ? e.code : 'not a VirtkitError';
  }
  return undefined;
}

test('a minimal domain gives libvirt\'s preamble in order', () => {
  const a = buildQemuArgv(domain(''), caps(), paths);
  const opts = a.args.filter((x) => x.startsWith('-'));
  assert.deepEqual(opts.slice(0, 6), ['-name', '-S', '-machine', '-accel', '-cpu', '-m']);
  assert.equal(a.args.at(-1), 'timestamp=on');
  assert.ok(a.args.includes('socket,id=charmonitor,path=/run/vk/dom/monitor.sock,server=on,wait=off'));
  assert.equal(a.env.HOME, '/run/vk/dom');
  assert.equal(a.binary, '/usr/bin/qemu-system-x86_64');
});

test('an fd monitor is passed as fd=', () => {
  const a = buildQemuArgv(domain(''), caps(), { ...paths, monitor: { fd: 23 } });
  assert.ok(a.args.includes('socket,id=charmonitor,fd=23,server=on,wait=off'));
});

test('a machine type QEMU lacks is QEMU_UNSUPPORTED', () => {
  assert.equal(code(() => buildQemuArgv(domain(''), caps({ hasMachine: () => false }), paths)), 'QEMU_UNSUPPORTED');
});

test('a device type QEMU lacks is QEMU_UNSUPPORTED, naming the device', () => {
  const def = domain(`<rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>`);
  assert.throws(() => buildQemuArgv(def, caps({ hasDevice: (t) => t !== 'virtio-rng-pci' }), paths), /virtio-rng-pci/);
});

test('a Hyper-V enlightenment newer than QEMU is QEMU_UNSUPPORTED', () => {
  const def = domain('', `<features><hyperv><emsr_bitmap state='on'/></hyperv></features>`);
  assert.equal(code(() => buildQemuArgv(def, caps({ version: { major: 7, minor: 0, micro: 0 }, atLeast: (m, n) => 7 > m || (m === 7 && n === 0) }), paths)), 'QEMU_UNSUPPORTED');
});

test('an unprepared def (no aliases) is refused, not guessed', () => {
  const raw = parseDomainXml(`<domain type='qemu'><name>t</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid><memory>65536</memory><os><type arch='x86_64' machine='pc'>hvm</type></os><devices><memballoon model='virtio'/></devices></domain>`);
  assert.throws(() => buildQemuArgv(raw, caps(), paths), /prepareDomain/);
});

test('untranslated devices are refused with their path', () => {
  const def = domain(`<sound model='ich9'/>`);
  assert.throws(() => buildQemuArgv(def, caps(), paths), /\/domain\/devices\/sound/);
});

test('paths with commas, quotes, spaces or a leading dash stay one value', () => {
  const evil = "/tmp/x,server=off,path=/etc/passwd 'q\" -daemonize";
  const def = domain(`<serial type='file'><source path="${evil.replace(/"/g, '&quot;')}"/><target port='0'/></serial>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='-x,y'/><target dev='vda' bus='virtio'/></disk>`);
  const a = buildQemuArgv(def, caps(), paths);
  const chardev = a.args.find((x) => x.startsWith('file,id=charserial0'));
  assert.equal(chardev, `file,id=charserial0,path=${evil.replace(/,/g, ',,')}`);
  const blk = a.args.find((x) => x.includes('"filename":"-x,y"'));
  assert.ok(blk?.startsWith('{'), 'disk paths go in JSON');
  const name = buildQemuArgv(domain(''), caps(), paths).args[1];
  assert.equal(name, 'guest=t,debug-threads=on');
});

test('a name with a comma cannot add -name options', () => {
  const xml = `<domain type='qemu'><name>a,debug-threads=off</name><memory>65536</memory><os><type machine='pc'>hvm</type></os></domain>`;
  const a = buildQemuArgv(prepareDomain(parseDomainXml(xml), { random }), caps(), paths);
  assert.equal(a.args[1], 'guest=a,,debug-threads=off,debug-threads=on');
});

test('the same input gives the same argv (deterministic)', () => {
  const def = domain(`<interface type='user'><model type='virtio'/></interface>`);
  assert.deepEqual(buildQemuArgv(def, caps(), paths), buildQemuArgv(def, caps(), paths));
});

test('an ISA panic device becomes pvpanic (with its I/O port when given); other models are refused', () => {
  const plain = buildQemuArgv(domain(`<panic model='isa'/>`), caps(), paths).args;
  assert.ok(plain.includes('{"driver":"pvpanic"}'), plain.join(' '));
  const port = buildQemuArgv(domain(`<panic><address type='isa' iobase='0x506'/></panic>`), caps(), paths).args;
  assert.ok(port.includes('{"driver":"pvpanic","ioport":1286}'), port.join(' '));
  assert.equal(code(() => buildQemuArgv(domain(`<panic model='hyperv'/>`), caps(), paths)), 'QEMU_UNSUPPORTED');
  assert.equal(code(() => buildQemuArgv(domain(`<panic/>`), caps({ hasDevice: (d) => d !== 'pvpanic' }), paths)), 'QEMU_UNSUPPORTED');
});

test('two SATA disks on q35 sit on two ports of the AHCI controller (ide.0, ide.1), as libvirt assigns sdX', () => {
  const xml = `<domain type='qemu'><name>t</name><memory>65536</memory><os><type arch='x86_64' machine='q35'>hvm</type></os><devices>` +
    `<disk type='file' device='cdrom'><source file='/a.iso'/><target dev='sda' bus='sata'/></disk>` +
    `<disk type='file' device='cdrom'><source file='/b.iso'/><target dev='sdb' bus='sata'/></disk></devices></domain>`;
  const argv = buildQemuArgv(prepareDomain(parseDomainXml(xml), { random }), caps(), paths);
  const ide = argv.args.filter((a) => a.includes('"driver":"ide-cd"')).map((a) => JSON.parse(a) as { bus: string; id: string });
  assert.deepEqual(ide.map((d) => [d.id, d.bus]), [['sata0-0-0', 'ide.0'], ['sata0-0-1', 'ide.1']]);
});

test("<model vendor_id> becomes vendor= after the model, in any mode (as libvirt); not 12 characters long is XML_INVALID_VALUE", () => {
  const cpu = (id: string): string => `<vcpu>4</vcpu><cpu><model fallback='allow' vendor_id='${id}'>qemu64</model><topology sockets='2' dies='1' cores='1' threads='2'/><feature policy='disable' name='svm'/></cpu>`;
  const args = buildQemuArgv(domain('', cpu('GenuineIntel')), caps(), paths).args;
  assert.equal(args[args.indexOf('-cpu') + 1], 'qemu64,vendor=GenuineIntel,svm=off');
  assert.equal(args[args.indexOf('-smp') + 1], '4,sockets=2,dies=1,clusters=1,cores=1,threads=2');
  const max = buildQemuArgv(domain('', "<cpu mode='maximum'><model vendor_id='GenuineIntel'/></cpu>"), caps(), paths).args;
  assert.equal(max[max.indexOf('-cpu') + 1], 'max,vendor=GenuineIntel');
  assert.equal(code(() => buildQemuArgv(domain('', cpu('Intel')), caps(), paths)), 'XML_INVALID_VALUE');
  const xml = `<domain type='qemu'><name>t</name><memory>65536</memory><os><type arch='x86_64' machine='pc'>hvm</type></os>${cpu('Intel')}</domain>`;
  assert.deepEqual(checkDomainXml(xml).map((e) => e.message), ["/domain/cpu/model/@vendor_id: 'Intel' must be exactly 12 characters long"]);
});
