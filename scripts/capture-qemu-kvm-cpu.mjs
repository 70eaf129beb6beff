#!/usr/bin/env node
// Captures what a QEMU under KVM says about CPUs on this host (the caps probe's KVM part:
// src/host/qemu/probe-kvm-cpu.ts), as the raw QMP replies plus where they came from, so that
// unit tests run the pure code (src/core/qemu/caps-kvm.ts, cpu-model/) on a real KVM answer.
// Needs a /dev/kvm this user can open. Run on purpose only, then review the diff:
//   npm run build && node scripts/capture-qemu-kvm-cpu.mjs [BINARY] [OUT]
// defaults: qemu-system-x86_64 -> tests/fixtures/qemu-caps/qemu-MAJOR.MINOR.kvm-cpu.json
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { probeKvmCpu } = await import(join(root, 'dist/src/host/qemu/probe-kvm-cpu.js'));
const { resolveBinary } = await import(join(root, 'dist/src/host/qemu/binary.js'));

const binary = await resolveBinary(process.argv[2] ?? 'qemu-system-x86_64');
const probe = await probeKvmCpu(binary);
if (probe.replies === undefined) throw new Error(`no KVM CPU data: ${probe.reason}`);
const version = (await import('node:child_process')).execFileSync(binary, ['--version'], { encoding: 'utf8' });
const [, major, minor] = /version (\d+)\.(\d+)/.exec(version) ?? [];
const out = process.argv[3] ?? join(root, 'tests/fixtures/qemu-caps', `qemu-${major}.${minor}.kvm-cpu.json`);
const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
const field = (name) => new RegExp(`^${name}\\s*: (.*)$`, 'm').exec(cpuinfo)?.[1] ?? '';
const record = {
  captured: {
    qemu: version.split('\n')[0],
    hostCpu: field('model name'),
    vendor: field('vendor_id'),
    kernelRelease: release(),
    kvmModules: readdirSync('/sys/module').filter((n) => n === 'kvm' || n.startsWith('kvm_')).sort(),
  },
  replies: probe.replies,
};
writeFileSync(out, `${JSON.stringify(record, null, 2)}\n`);
console.log(`${out}: ${record.captured.hostCpu} (${record.captured.kvmModules.join(', ')}), ` +
  `${probe.replies.cpuDefinitions.length} CPU definitions; the KVM QEMU took ${probe.ms} ms`);
