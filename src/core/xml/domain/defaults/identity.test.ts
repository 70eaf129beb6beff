import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDomainXml } from '../parse.js';
import { generateMac, generateUuid } from './identity.js';
import { prepareDomain } from './index.js';
import { dom } from '../../../../../tests/helpers/domain-defaults.js';
import { seeded } from '../../../../../tests/helpers/seeded-random.js';

test('generated UUIDs are random version 4 and come from ctx.random', () => {
  const a = generateUuid({ random: seeded(1) });
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(generateUuid({ random: seeded(1) }), a);
  assert.notEqual(generateUuid({ random: seeded(2) }), a);
  assert.equal(generateUuid({ random: () => new Uint8Array(16).fill(0xff) }), 'ffffffff-ffff-4fff-bfff-ffffffffffff');
});

test('generated MACs use the QEMU prefix and avoid the ones in use', () => {
  const zeros = (): Uint8Array => new Uint8Array(3);
  let calls = 0;
  const random = (n: number): Uint8Array => (calls++ === 0 ? zeros() : new Uint8Array(n).fill(1));
  assert.equal(generateMac({ random }, new Set(['52:54:00:00:00:00'])), '52:54:00:01:01:01');
});

test('prepareDomain fills uuid, machine, arch and MACs, keeps what is written, and leaves its input alone', () => {
  const xml = dom(`<interface type='user'><mac address='52:54:00:AA:bb:cc'/></interface><interface type='user'/><interface type='user'/>`).replace(" machine='pc'", '');
  const input = parseDomainXml(xml);
  const before = structuredClone(input);
  const out = prepareDomain(input, { random: seeded(3) });
  assert.deepEqual(input, before);
  assert.match(out.uuid ?? '', /^[0-9a-f-]{36}$/);
  assert.equal(out.os?.type?.machine, 'pc');
  assert.equal(out.os?.type?.arch, 'x86_64');
  const macs = (out.devices?.interface ?? []).map((n) => n.mac?.address);
  assert.equal(macs[0], '52:54:00:aa:bb:cc');
  assert.match(macs[1] ?? '', /^52:54:00(:[0-9a-f]{2}){3}$/);
  assert.notEqual(macs[1], macs[2]);
  const kept = prepareDomain(parseDomainXml(dom('', 'q35').replace('<name>t</name>', '<name>t</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>')), {
    random: seeded(1),
    caps: { defaultMachine: 'pc-i440fx-7.2' },
  });
  assert.equal(kept.uuid, 'c7a5fdbd-edaf-9455-926a-d65c16db1809');
  assert.equal(kept.os?.type?.machine, 'q35');
});
