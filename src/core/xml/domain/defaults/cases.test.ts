import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DomainCase } from '../../../../../tests/helpers/shared-cases.js';
import { loadDomainCases, needsShared } from '../../../../../tests/helpers/shared-cases.js';
import { parseDomainXml } from '../parse.js';
import { argsDevices, defDevices } from '../../../../../tests/helpers/args-devices.js';
import { prepareDomain } from './index.js';
import { seeded } from '../../../../../tests/helpers/seeded-random.js';

/** Differences between the .args -device list and the prepared def, one line each. */
function mismatches(c: DomainCase): string[] {
  const def = prepareDomain(parseDomainXml(c.inputXml), { random: seeded(1) });
  const have = defDevices(def);
  const out: string[] = [];
  for (const a of argsDevices(c.expectedArgs)) {
    const d = have.get(a.id);
    if (!d) {
      out.push(`${a.id} (${a.driver}): no device with this alias`);
      continue;
    }
    if (a.addr !== undefined && (d.bus !== a.bus || d.addr !== a.addr)) out.push(`${a.id}: expected ${a.bus} ${a.addr}, got ${d.bus ?? '-'} ${d.addr ?? '-'}`);
    if (a.port !== undefined && d.port !== a.port) out.push(`${a.id}: expected usb port ${a.port}, got ${d.port ?? '-'}`);
    if (a.nr !== undefined && (d.nr !== a.nr || d.bus !== a.bus)) out.push(`${a.id}: expected ${a.bus} nr ${a.nr}, got ${d.bus ?? '-'} nr ${d.nr ?? '-'}`);
    // Drive and ISA placement: ide/sata/scsi bus, unit, scsi-id, lun; floppy unit; isa-serial index.
    if (/^(ide|scsi)-/.test(a.driver) && a.bus !== d.bus) out.push(`${a.id}: expected bus ${a.bus ?? '-'}, got ${d.bus ?? '-'}`);
    for (const k of ['unit', 'scsiId', 'lun', 'index'] as const) {
      if (a[k] !== undefined && a[k] !== d[k]) out.push(`${a.id}: expected ${k} ${a[k]}, got ${d[k] ?? '-'}`);
    }
  }
  return out;
}

/** The def without aliases and without USB addresses (libvirt writes USB ports only for running domains). */
function persistent(def: unknown): unknown {
  return JSON.parse(
    JSON.stringify(def, (k, v: unknown) => {
      if (k === 'alias') return undefined;
      if (k === 'address' && (v as { type?: string } | undefined)?.type === 'usb') return undefined;
      return v;
    }),
  ) as unknown;
}

describe('prepareDomain over the libvirt reference cases', needsShared('domain'), () => {
  const cases = loadDomainCases();
  const summary: string[] = [];
  for (const c of cases) {
    test(`addresses and ids match the expected argv: ${c.name}`, () => {
      const m = mismatches(c);
      if (m.length) summary.push(`${c.name}: ${m.join('; ')}`);
      assert.deepEqual(m, []);
    });
  }

  test('summary over the reference cases', () => {
    const ok = cases.length - summary.length;
    console.log(`# prepareDomain: ${ok}/${cases.length} cases match the expected ids and PCI/USB/virtio-serial/drive/ISA placement`);
    for (const s of summary) console.log(`#   ${s}`);
    assert.ok(cases.length === 36);
  });

  for (const c of cases) {
    test(`prepareDomain is idempotent${c.xmlFile.includes('-latest.') ? ' and a no-op on libvirt\'s normalized XML' : ''}: ${c.name}`, () => {
      const input = parseDomainXml(c.inputXml);
      const once = prepareDomain(input, { random: seeded(1) });
      assert.deepEqual(prepareDomain(once, { random: seeded(2) }), once);
      if (c.xmlFile.includes('-latest.')) assert.deepEqual(persistent(once), persistent(input));
    });
  }
});
