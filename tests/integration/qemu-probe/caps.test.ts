import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, realpath, rm, utimes, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtkitError } from '../../../src/core/errors.js';
import { parseQemuCaps, resolveMachine } from '../../../src/core/qemu/caps.js';
import { describeMissing, diffCapsByModules, parseQemuModuleMap } from '../../helpers/caps-modules.js';
import { resolveBinary } from '../../../src/host/qemu/binary.js';
import { defaultModuleDir, moduleFileNames } from '../../../src/host/qemu/modules.js';
import { clearQemuCapsMemo, lookupQemuCaps, probeQemuCaps } from '../../../src/host/qemu/probe-caps.js';
import { repoRoot } from '../../helpers/paths.js';
import { QEMU_BINARY, processesMentioning } from '../../helpers/qemu-spawn.js';

const readFixture = (name: string): unknown => JSON.parse(readFileSync(join(repoRoot, 'tests/fixtures/qemu-caps', name), 'utf8'));
const fixture = parseQemuCaps(readFixture('qemu-7.2.json'));
const moduleMap = parseQemuModuleMap(readFixture('qemu-7.2.modules.json'));

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'virtkit-caps-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('probing the installed QEMU matches the committed 7.2 fixture, module file by module file', { timeout: 60_000 }, async (t) => {
  const scratch = await tempDir(t);
  const { caps, probeMs } = await probeQemuCaps(QEMU_BINARY, { tmpDir: scratch });
  t.diagnostic(`probe took ${probeMs} ms`);
  assert.deepEqual(caps.version, fixture.version,
    'the installed QEMU is not the one the fixture was captured from: regenerate it on purpose (tests/fixtures/qemu-caps/README.md)');
  // Machine types are compiled in: no module package adds or removes one.
  assert.deepEqual(caps.machines, fixture.machines);
  assert.equal(resolveMachine(caps, 'pc'), 'pc-i440fx-7.2');
  assert.deepEqual(await readdir(scratch), [], 'the probe removed its temp dir');
  assert.deepEqual(processesMentioning(scratch), [], 'no probe QEMU left running');
  if (caps.package !== fixture.package) {
    t.diagnostic(`another build of ${caps.version.major}.${caps.version.minor} (${caps.package}): only the version and machines are compared`);
    return;
  }

  // The same build: what is compiled in is the same; devices and -object types may come from
  // module files, and each one the fixture has and this probe lacks must be in a module file
  // that is absent here (tests/fixtures/qemu-caps/README.md).
  // kvm: this host's KVM offer, not in the fixture (tests/integration/cpu-kvm.test.ts checks it).
  const { devices: _d, objects: _o, deviceProps: _p, binary: _b, kvm: _k, ...compiledIn } = caps;
  const { devices: _fd, objects: _fo, deviceProps: _fp, binary: _fb, ...fixtureCompiledIn } = fixture;
  assert.deepEqual(compiledIn, fixtureCompiledIn);
  const moduleDir = defaultModuleDir(await realpath(await resolveBinary(QEMU_BINARY)));
  const present = await moduleFileNames(moduleDir);
  const diff = diffCapsByModules(fixture, caps, moduleMap, present);
  for (const m of diff.explained) t.diagnostic(describeMissing(m));
  assert.deepEqual(diff.unexplained.map(describeMissing), [],
    `listed in the fixture, not probed, yet every module file that provides them is present in ${moduleDir}`);
  assert.deepEqual(diff.extra, [], 'probed here, not in the fixture: capture it again with every module package installed');
  const missing = new Set(diff.explained.map((m) => m.type));
  for (const [type, props] of Object.entries(fixture.deviceProps)) {
    if (missing.has(type)) continue;
    assert.deepEqual(caps.deviceProps[type], props, `the properties of ${type}`);
  }
  const unmapped = [...present].filter((f) => !Object.hasOwn(moduleMap.modules, f));
  if (unmapped.length > 0) t.diagnostic(`module files here that the capture did not have: ${unmapped.join(', ')}`);
  t.diagnostic(`${caps.devices.length} devices probed, ${fixture.devices.length} in the fixture; ` +
    `${diff.explained.length} explained by absent module files`);
});

test('getQemuCaps: probe once, then memory, then the cache file; corrupt or new binary re-probes', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t);
  const cacheDir = join(dir, 'cache');
  clearQemuCapsMemo();
  const first = await lookupQemuCaps(QEMU_BINARY, { cacheDir, tmpDir: dir });
  assert.equal(first.source, 'probe');
  t.diagnostic(`first lookup probed in ${first.probeMs} ms`);
  const second = await lookupQemuCaps(QEMU_BINARY, { cacheDir });
  assert.equal(second.source, 'memory');
  assert.equal(second.caps, first.caps);
  clearQemuCapsMemo();
  const t0 = performance.now();
  const third = await lookupQemuCaps(QEMU_BINARY, { cacheDir });
  assert.equal(third.source, 'cache');
  t.diagnostic(`cached lookup took ${Math.round(performance.now() - t0)} ms`);
  assert.deepEqual(third.caps, first.caps);
  assert.equal(third.probeMs, first.probeMs);

  clearQemuCapsMemo();
  await writeFile(first.file, '{"identity": {"path": "/usr/bin/qemu-system-x86_64"}, "caps": {"format": 1, "bina');
  const afterCorrupt = await lookupQemuCaps(QEMU_BINARY, { cacheDir, tmpDir: dir });
  assert.equal(afterCorrupt.source, 'probe');
  assert.deepEqual(afterCorrupt.caps, first.caps);

  // Another binary file (a wrapper, then the wrapper touched): new keys, new probes. A copy of
  // the real binary would not do: Debian's QEMU then fails to load its TCG module.
  const copy = join(dir, 'qemu-wrapper');
  await writeFile(copy, `#!/bin/sh\nexec ${await resolveBinary(QEMU_BINARY)} "$@"\n`, { mode: 0o755 });
  const ofCopy = await lookupQemuCaps(copy, { cacheDir, tmpDir: dir });
  assert.equal(ofCopy.source, 'probe');
  assert.notEqual(ofCopy.file, first.file);
  assert.equal(ofCopy.caps.binary, copy);
  await utimes(copy, new Date(), new Date(Date.now() + 60_000));
  const touched = await lookupQemuCaps(copy, { cacheDir, tmpDir: dir });
  assert.equal(touched.source, 'probe');
  assert.notEqual(touched.file, ofCopy.file);
  assert.equal((await readdir(cacheDir)).filter((n) => n.endsWith('.json')).length, 3);
  assert.deepEqual(processesMentioning(dir), []);
});

test('a missing binary is QEMU_NOT_FOUND; one that dies is QEMU_FAILED with its words', { timeout: 30_000 }, async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(lookupQemuCaps('/nonexistent/qemu-system-x86_64', { cacheDir: dir }),
    (e: unknown) => e instanceof VirtkitError && e.code === 'QEMU_NOT_FOUND');
  const fake = join(dir, 'fake-qemu');
  await writeFile(fake, '#!/bin/sh\necho "fake-qemu: no such machine" >&2\nexit 1\n', { mode: 0o755 });
  await assert.rejects(probeQemuCaps(fake, { tmpDir: dir, timeoutMs: 10_000 }),
    (e: unknown) => e instanceof VirtkitError && e.code === 'QEMU_FAILED' && /exited with code 1.*no such machine/.test(e.message));
  assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('virtkit-qemu-')), []);
});
