import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCpuinfo } from './cpuinfo.js';

// captured on this machine (flags cut)
const AMD = 'processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\nmodel name\t: AMD EPYC\nstepping\t: 1\nmicrocode\t: 0x1000065\ncpu MHz\t\t: 2596.128\n\nprocessor\t: 1\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n';

test("cpuinfo: the first processor's vendor (libvirt's name), signature and microcode (hex to decimal)", () => {
  assert.deepEqual(parseCpuinfo(AMD), { vendor: 'AMD', signature: { family: 25, model: 17, stepping: 1 }, microcode: 0x1000065 });
  assert.deepEqual(parseCpuinfo('vendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\nstepping\t: 7\n'), { vendor: 'Intel', signature: { family: 6, model: 85, stepping: 7 } });
  // an unknown vendor is left out; no x86 fields at all: nothing
  assert.deepEqual(parseCpuinfo('vendor_id\t: VIA VIA VIA\ncpu family\t: 6\nmodel\t\t: 15\nstepping\t: 8\n'), { signature: { family: 6, model: 15, stepping: 8 } });
  assert.equal(parseCpuinfo('processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\n'), undefined);
});
