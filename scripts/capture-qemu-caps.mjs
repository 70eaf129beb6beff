#!/usr/bin/env node
// Regenerates a committed QEMU capabilities fixture by probing a real binary, and its module map:
// which module file provides which device and -object types. Run on purpose only, with every
// module package of that QEMU installed (Debian: qemu-system-gui, qemu-block-extra), then review
// the diff:
//   npm run build && node scripts/capture-qemu-caps.mjs [BINARY] [OUT]
// defaults: qemu-system-x86_64 -> tests/fixtures/qemu-caps/qemu-MAJOR.MINOR.json (+ .modules.json)
//
// The map is captured, not written: for each module file, QEMU is relocated into a temp prefix
// holding every module but that one (src/host/qemu/qemu-prefix.ts) and probed; the types that
// vanish are that file's. A type that needs two files (a module and the one it depends on) is
// listed under both.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { probeQemuCaps } = await import(join(root, 'dist/src/host/qemu/probe-caps.js'));
const { makeQemuPrefix } = await import(join(root, 'dist/src/host/qemu/qemu-prefix.js'));
const { moduleFileNames } = await import(join(root, 'dist/src/host/qemu/modules.js'));

const binary = process.argv[2] ?? '/usr/bin/qemu-system-x86_64';
// The KVM part depends on this host's CPU and kernel, not on the binary: it has its own
// fixture (scripts/capture-qemu-kvm-cpu.mjs), so the caps fixture is the same on any host.
const { caps: { kvm: _kvm, ...caps }, probeMs } = await probeQemuCaps(binary);
const out = process.argv[3] ?? join(root, 'tests/fixtures/qemu-caps', `qemu-${caps.version.major}.${caps.version.minor}.json`);
const mapOut = out.replace(/\.json$/, '.modules.json');
mkdirSync(dirname(out), { recursive: true });
const json = (value) => `${JSON.stringify(value, null, 2)}\n`;
writeFileSync(out, json(caps));
const v = caps.version;
console.log(`${out}: QEMU ${v.major}.${v.minor}.${v.micro} (${caps.package}), ${caps.machines.length} machines, ` +
  `${caps.devices.length} devices, ${Object.keys(caps.deviceProps).length} with properties; probe took ${probeMs} ms`);

/** The Debian package that owns `path`, or '' (not a dpkg system, or a file no package owns). */
function owner(path) {
  try {
    return execFileSync('dpkg-query', ['-S', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(':')[0].trim();
  } catch {
    return '';
  }
}

async function probeWith(include) {
  const prefix = await makeQemuPrefix(binary, { include });
  try {
    return { prefix, caps: (await probeQemuCaps(prefix.binary)).caps };
  } catch (err) {
    return { prefix, error: err };
  } finally {
    await prefix.remove();
  }
}

const all = await probeWith(() => true);
if (all.caps === undefined) throw all.error;
const missing = (from, list) => list.filter((t) => !from.includes(t));
// The relocated copy must see what the installed binary sees, or the attribution means nothing.
if (missing(all.caps.devices, caps.devices).length + missing(caps.devices, all.caps.devices).length > 0) {
  throw new Error(`${all.prefix.binary} with every module does not list the devices ${binary} lists`);
}
const modules = {};
for (const file of [...await moduleFileNames(all.prefix.sourceModuleDir)].sort()) {
  const without = await probeWith((name) => name !== file);
  const entry = { package: owner(join(all.prefix.sourceModuleDir, file)) };
  if (without.caps === undefined) {
    // accel-tcg-x86_64.so (-accel tcg), or one that other present modules depend on.
    const why = String(without.error.message).replace(/^.*while probing: /s, '').split('\n')[0];
    modules[file] = { ...entry, devices: [], objects: [], probeFailsWithout: why };
    console.log(`  ${file} (${entry.package}): the probe fails without it: ${why}`);
    continue;
  }
  modules[file] = { ...entry, devices: missing(without.caps.devices, caps.devices), objects: missing(without.caps.objects, caps.objects) };
  console.log(`  ${file} (${entry.package}): ${modules[file].devices.length} devices, ${modules[file].objects.length} objects`);
}
writeFileSync(mapOut, json({ binary: caps.binary, package: caps.package, moduleDir: all.prefix.sourceModuleDir, modules }));
console.log(`${mapOut}: ${Object.keys(modules).length} module files`);
