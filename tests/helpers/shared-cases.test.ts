/** The shared-cases loader: VIRTKIT_SHARED, the skip reason, VIRTKIT_REQUIRE_SHARED. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { loadDomainCases, needsShared, requireSharedSet, sharedSetMissing } from './shared-cases.js';

let dir: string;
const saved = { shared: process.env['VIRTKIT_SHARED'], require: process.env['VIRTKIT_REQUIRE_SHARED'] };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'virtkit-shared-'));
  process.env['VIRTKIT_SHARED'] = dir;
  delete process.env['VIRTKIT_REQUIRE_SHARED'];
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  for (const [k, v] of [['VIRTKIT_SHARED', saved.shared], ['VIRTKIT_REQUIRE_SHARED', saved.require]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

test('an absent set is skipped with one line naming the file and how to get it', () => {
  const reason = sharedSetMissing('domain');
  assert.ok(reason !== undefined);
  assert.ok(!reason.includes('\n'), 'one line');
  assert.ok(reason.includes(join(dir, 'libvirt-cases', 'domain', 'INDEX.tsv')), reason);
  assert.match(reason, /VIRTKIT_SHARED/);
  assert.match(reason, /docs\/testing\.md/);
  assert.deepEqual(needsShared('domain'), { skip: reason });
  assert.throws(() => loadDomainCases(), { message: reason });
});

test('VIRTKIT_REQUIRE_SHARED=1: the suite runs and loading it fails with the reason', () => {
  process.env['VIRTKIT_REQUIRE_SHARED'] = '1';
  assert.deepEqual(needsShared('network-dnsmasq'), {});
  assert.throws(() => requireSharedSet('network-dnsmasq'), /not found: .*SOURCES\.tsv.*VIRTKIT_REQUIRE_SHARED=1 makes this a failure/);
});

test('VIRTKIT_SHARED names the folder the cases are read from', () => {
  const d = join(dir, 'libvirt-cases', 'domain');
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'INDEX.tsv'), 'case\tinput_xml\texpected_args\tfeatures\nc1\tc1.xml\tc1.args\ta tiny case\n');
  writeFileSync(join(d, 'c1.xml'), '<domain/>');
  writeFileSync(join(d, 'c1.args'), '/usr/bin/qemu-system-x86_64\n');
  assert.equal(sharedSetMissing('domain'), undefined);
  assert.deepEqual(needsShared('domain'), {});
  const cases = loadDomainCases();
  assert.deepEqual(cases.map((c) => [c.name, c.inputXml, c.expectedArgs, c.features, c.xmlFile]), [
    ['c1', '<domain/>', '/usr/bin/qemu-system-x86_64\n', 'a tiny case', join(d, 'c1.xml')],
  ]);
  assert.notEqual(sharedSetMissing('storagevol-qemuimg'), undefined, 'each set is checked on its own');
});
