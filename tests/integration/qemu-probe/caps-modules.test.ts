// The QEMU capability cache and module files, with the installed QEMU relocated into a temp prefix
// whose module directory holds links to a chosen subset of the installed modules
// (src/host/qemu/qemu-prefix.ts): nothing is installed or removed on the machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, symlink, unlink } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasDevice, parseQemuCaps } from '../../../src/core/qemu/caps.js';
import { describeMissing, diffCapsByModules, parseQemuModuleMap } from '../../helpers/caps-modules.js';
import { defaultModuleDir, moduleFileNames } from '../../../src/host/qemu/modules.js';
import { makeQemuPrefix } from '../../../src/host/qemu/qemu-prefix.js';
import { clearQemuCapsMemo, lookupQemuCaps } from '../../../src/host/qemu/probe-caps.js';
import { repoRoot } from '../../helpers/paths.js';
import { QEMU_BINARY, processesMentioning } from '../../helpers/qemu-spawn.js';

const readFixture = (name: string): unknown => JSON.parse(readFileSync(join(repoRoot, 'tests/fixtures/qemu-caps', name), 'utf8'));

// Both in qemu-system-common, which qemu-system-x86 depends on: present wherever QEMU is.
const USB_HOST = 'hw-usb-host.so';
const USB_REDIR = 'hw-usb-redirect.so';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'virtkit-caps-modules-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('the caps cache re-probes when a module file is added to or removed from the module directory', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t);
  const cacheDir = join(dir, 'cache');
  const prefix = await makeQemuPrefix(QEMU_BINARY, { parent: dir, include: (f) => f !== USB_HOST });
  assert.equal(defaultModuleDir(prefix.binary), prefix.moduleDir, 'the cache watches the directory the relocated QEMU loads from');
  clearQemuCapsMemo();

  const without = await lookupQemuCaps(prefix.binary, { cacheDir, tmpDir: dir });
  assert.equal(without.source, 'probe');
  assert.equal(without.modules.dir, prefix.moduleDir);
  assert.equal(hasDevice(without.caps, 'usb-host'), false, `no ${USB_HOST}, no usb-host`);
  assert.equal((await lookupQemuCaps(prefix.binary, { cacheDir, tmpDir: dir })).source, 'memory');

  // Added: a new key, and the probe sees the new module's device.
  await symlink(join(prefix.sourceModuleDir, USB_HOST), join(prefix.moduleDir, USB_HOST));
  const added = await lookupQemuCaps(prefix.binary, { cacheDir, tmpDir: dir });
  assert.equal(added.source, 'probe');
  assert.notEqual(added.file, without.file);
  assert.equal(hasDevice(added.caps, 'usb-host'), true);

  // Removed (another one): a new key again, and its device is gone.
  await unlink(join(prefix.moduleDir, USB_REDIR));
  const removed = await lookupQemuCaps(prefix.binary, { cacheDir, tmpDir: dir });
  assert.equal(removed.source, 'probe');
  assert.equal(hasDevice(removed.caps, 'usb-redir'), false);
  assert.equal(hasDevice(added.caps, 'usb-redir'), true);

  // Back to the first set of files: the first cache file is valid again, from another process too.
  await unlink(join(prefix.moduleDir, USB_HOST));
  await symlink(join(prefix.sourceModuleDir, USB_REDIR), join(prefix.moduleDir, USB_REDIR));
  clearQemuCapsMemo();
  const again = await lookupQemuCaps(prefix.binary, { cacheDir, tmpDir: dir });
  assert.equal(again.source, 'cache');
  assert.equal(again.file, without.file);
  assert.deepEqual(again.caps, without.caps);

  // An explicit moduleDir is what the key watches: an empty directory is another key.
  const empty = join(dir, 'no-modules');
  await mkdir(empty);
  const explicit = await lookupQemuCaps(prefix.binary, { cacheDir, tmpDir: dir, moduleDir: empty });
  assert.equal(explicit.source, 'probe');
  assert.deepEqual(explicit.modules, { dir: empty, files: [] });
  assert.equal((await readdir(cacheDir)).filter((n) => n.endsWith('.json')).length, 4);
  assert.deepEqual(processesMentioning(dir), [], 'no probe QEMU left running');
});

test('a QEMU without a module file differs from the fixture by what the module map says that file provides', { timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t);
  const fixture = parseQemuCaps(readFixture('qemu-7.2.json'));
  const map = parseQemuModuleMap(readFixture('qemu-7.2.modules.json'));
  const prefix = await makeQemuPrefix(QEMU_BINARY, { parent: dir, include: (f) => f !== USB_HOST });
  const { caps } = await lookupQemuCaps(prefix.binary, { cacheDir: join(dir, 'cache'), tmpDir: dir });
  if (caps.package !== fixture.package) {
    t.skip(`the installed QEMU (${caps.package}) is not the fixture's build (${fixture.package})`);
    return;
  }
  const present = await moduleFileNames(prefix.moduleDir);
  const diff = diffCapsByModules(fixture, caps, map, present);
  const explained = new Map(diff.explained.map((m) => [m.type, describeMissing(m)]));
  assert.equal(explained.get('usb-host'), 'usb-host (device): provided by hw-usb-host.so (package qemu-system-common), absent here');
  assert.deepEqual(diff.unexplained, []);
  assert.deepEqual(diff.extra, []);
  // Were the module there after all, nothing would explain the missing device.
  const claimed = diffCapsByModules(fixture, caps, map, new Set([...present, USB_HOST]));
  assert.ok(claimed.unexplained.some((m) => m.type === 'usb-host'));
});
