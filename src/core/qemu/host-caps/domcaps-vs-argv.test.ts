// What domcapabilities lists, the command-line builder must accept: each listed value is
// written into a small domain and built for the captured QEMU 7.2. The oracle is the
// builder, not the domcaps code; a value the builder refuses must not be listed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../../../tests/helpers/paths.js';
import { isVirtkitError } from '../../errors.js';
import { parseDomainXml, prepareDomain } from '../../xml/domain/index.js';
import { buildQemuArgv } from '../argv/index.js';
import { parseQemuCaps } from '../caps.js';
import { formatDomainCapabilitiesXml } from './index.js';

const caps = parseQemuCaps(JSON.parse(readFileSync(join(repoRoot, 'tests', 'fixtures', 'qemu-caps', 'qemu-7.2.json'), 'utf8')));
const emulator = '/usr/bin/qemu-system-x86_64';

function listed(xml: string, element: string, name: string): string[] {
  const section = new RegExp(`<${element} supported='yes'>([\\s\\S]*?)</${element}>`).exec(xml)?.[1] ?? '';
  const values = new RegExp(`<enum name='${name}'>([\\s\\S]*?)</enum>`).exec(section)?.[1] ?? '';
  return [...values.matchAll(/<value>([^<]*)<\/value>/g)].map((m) => m[1] ?? '');
}

function builds(what: string, machine: string, os: string, top: string, devices: string): void {
  const def = parseDomainXml(`<domain type='qemu'><name>d</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>
    <os><type arch='x86_64' machine='${machine}'>hvm</type>${os}</os>${top}<devices>${devices}</devices></domain>`);
  let n = 0;
  const prepared = prepareDomain(def, { random: (k) => Buffer.alloc(k, ++n) });
  try {
    buildQemuArgv(prepared, caps, { libDir: '/var/lib/d', monitor: { path: '/run/d/qmp.sock' }, channelDir: '/run/d', graphicsPorts: [5900] });
  } catch (e) {
    assert.fail(`domcapabilities lists ${what}, but the builder refuses it: ${isVirtkitError(e) ? `${e.code}: ${e.message}` : String(e)}`);
  }
}

for (const machine of ['pc', 'q35']) {
  test(`every value domcapabilities lists for ${machine} builds`, () => {
    const x = formatDomainCapabilitiesXml({ caps, emulator, kvmUsable: false, machine });
    const counted: string[] = [];
    const each = (element: string, name: string, f: (v: string) => [string, string, string]): void => {
      const values = listed(x, element, name);
      assert.ok(values.length > 0, `<${element}> lists no ${name}`);
      for (const v of values) {
        const [os, top, devices] = f(v);
        builds(`<${element}> ${name}='${v}'`, machine, os, top, devices);
        counted.push(`${element}.${name}=${v}`);
      }
    };
    each('loader', 'type', (t) => [`<loader type='${t}' readonly='yes' secure='no'>/usr/share/seabios/bios.bin</loader>`, '', '']);
    each('memoryBacking', 'sourceType', (t) => ['', `<memoryBacking><source type='${t}'/></memoryBacking>`, '']);
    each('graphics', 'type', (t) => ['', '', `<graphics type='${t}' autoport='yes'/>`]);
    each('video', 'modelType', (t) => ['', '', `<video><model type='${t}'/></video>`]);
    each('rng', 'model', (m) => ['', '', `<rng model='${m}'><backend model='random'>/dev/urandom</backend></rng>`]);
    each('rng', 'backendModel', (b) => ['', '', `<rng model='virtio'><backend model='${b}'${b === 'random' ? '>/dev/urandom</backend>' : '/>'}</rng>`]);
    each('hostdev', 'subsysType', (t) => ['', '', t === 'usb'
      ? "<hostdev mode='subsystem' type='usb'><source><vendor id='0x1234'/><product id='0x5678'/></source></hostdev>"
      : `<hostdev mode='subsystem' type='${t}' managed='yes'><source><address domain='0' bus='1' slot='0' function='0'/></source></hostdev>`]);
    const target: Record<string, string> = { ide: 'hda', fdc: 'fda', scsi: 'sda', virtio: 'vda', usb: 'sdb', sata: 'sdc' };
    for (const bus of listed(x, 'disk', 'bus')) {
      const device = bus === 'fdc' ? 'floppy' : 'disk';
      builds(`disk bus='${bus}'`, machine, '', '', `<disk type='file' device='${device}'><source file='/x.img'/><target dev='${target[bus] ?? 'sdz'}' bus='${bus}'/></disk>`);
    }
    assert.match(x, /<tpm supported='no'\/>/);
    assert.match(x, /<enum name='firmware'\/>/);
    assert.ok(counted.length >= 15, counted.join(' '));
  });
}
