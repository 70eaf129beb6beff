#!/usr/bin/env node
// Regenerates a committed QEMU capabilities fixture by probing a real binary.
// Run on purpose only, then review the diff:
//   npm run build && node scripts/capture-qemu-caps.mjs [BINARY] [OUT]
// defaults: qemu-system-x86_64 -> tests/fixtures/qemu-caps/qemu-MAJOR.MINOR.json
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { probeQemuCaps } = await import(join(root, 'dist/src/host/qemu/probe-caps.js'));

const binary = process.argv[2] ?? '/usr/bin/qemu-system-x86_64';
const { caps, probeMs } = await probeQemuCaps(binary);
const out = process.argv[3] ?? join(root, 'tests/fixtures/qemu-caps', `qemu-${caps.version.major}.${caps.version.minor}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(caps, null, 2)}\n`);
const v = caps.version;
console.log(`${out}: QEMU ${v.major}.${v.minor}.${v.micro} (${caps.package}), ${caps.machines.length} machines, ` +
  `${caps.devices.length} devices, ${Object.keys(caps.deviceProps).length} with properties; probe took ${probeMs} ms`);
