/**
 * Throughput of the domain pipeline: parse + prepareDomain + buildQemuArgv
 * over the 36 libvirt reference cases, in a loop for a few seconds.
 *   node dist/bench/xml-argv.js [--seconds N] [--with-libvirt]
 * --with-libvirt [--libvirt-cases a,b] also times Debian's libvirt on one or two cases
 * (`virsh -c 'qemu:///embed?root=DIR' domxml-to-native qemu-argv FILE`,
 * seconds to a minute per call) and prints a ratio table. Numbers only: no
 * thresholds anywhere.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildQemuArgv } from '../src/core/qemu/argv/index.js';
import { qemu72Caps } from '../tests/golden/caps.js';
import { parseDomainXml, prepareDomain } from '../src/core/xml/domain/index.js';
import { deterministicRandom, libvirtTestPaths, loadCases, preparedDef } from '../tests/golden/cases.js';
import type { Case } from '../tests/golden/cases.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

function runOne(c: Case): number {
  const def = preparedDef(c.inputXml);
  return buildQemuArgv(def, qemu72Caps(), libvirtTestPaths(def)).args.length;
}

function timeVirtkit(cases: Case[], seconds: number): { perSec: number; n: number; ms: number } {
  for (const c of cases) runOne(c); // warm up (JIT)
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let n = 0;
  let now = start;
  while (now < end) {
    for (const c of cases) runOne(c);
    n += cases.length;
    now = process.hrtime.bigint();
  }
  const ms = Number(now - start) / 1e6;
  return { perSec: (n * 1000) / ms, n, ms };
}

/**
 * As root, libvirt's embedded QEMU driver wants the 'libvirt-qemu' user,
 * which exists only with libvirt-daemon-system; unprivileged it needs none,
 * so root runs virsh as nobody (setpriv) in a world-writable scratch dir.
 */
function timeLibvirt(c: Case): number | string {
  const dir = mkdtempSync(join(tmpdir(), 'virtkit-bench-'));
  try {
    chmodSync(dir, 0o777);
    const file = join(dir, `${c.name}.xml`);
    writeFileSync(file, c.inputXml, { mode: 0o644 });
    const virsh = ['virsh', '-c', `qemu:///embed?root=${join(dir, 'root')}`, 'domxml-to-native', 'qemu-argv', file];
    const cmd = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'env', `HOME=${dir}`, ...virsh] : virsh;
    const t0 = process.hrtime.bigint();
    execFileSync(cmd[0] as string, cmd.slice(1), { stdio: 'pipe', timeout: 300_000 });
    return Number(process.hrtime.bigint() - t0) / 1e6;
  } catch (e) {
    const err = ((e as { stderr?: Buffer }).stderr?.toString() ?? String(e)).split('\n').find((l) => /error/.test(l)) ?? String(e);
    return `failed: ${err.trim()}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function hasVirsh(): boolean {
  try {
    execFileSync('virsh', ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** Time per stage over all cases (us per domain), so a regression can be placed. */
function stages(cases: Case[], rounds: number): Record<string, number> {
  const t = { parse: 0n, prepare: 0n, argv: 0n };
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      const t0 = process.hrtime.bigint();
      const def = parseDomainXml(c.inputXml);
      const t1 = process.hrtime.bigint();
      const prepared = prepareDomain(def, { random: deterministicRandom() });
      const t2 = process.hrtime.bigint();
      buildQemuArgv(prepared, qemu72Caps(), libvirtTestPaths(prepared));
      const t3 = process.hrtime.bigint();
      t.parse += t1 - t0;
      t.prepare += t2 - t1;
      t.argv += t3 - t2;
    }
  }
  const n = rounds * cases.length;
  return { parse: Number(t.parse) / 1e3 / n, prepare: Number(t.prepare) / 1e3 / n, argv: Number(t.argv) / 1e3 / n };
}

const seconds = Number(arg('--seconds') ?? '3');
const cases = loadCases();
const r = timeVirtkit(cases, seconds);
console.log(`virtkit parse+prepare+argv: ${r.n} domains in ${(r.ms / 1000).toFixed(2)} s = ${Math.round(r.perSec)} domains/s (${((1000 * r.ms) / r.n).toFixed(1)} us/domain), ${cases.length} cases`);
const st = stages(cases, 20);
console.log(`  per stage (us/domain): parse ${st.parse?.toFixed(1)}, prepareDomain ${st.prepare?.toFixed(1)}, buildQemuArgv ${st.argv?.toFixed(1)}`);

if (process.argv.includes('--with-libvirt')) {
  if (!hasVirsh()) {
    console.log('--with-libvirt: virsh is not installed; skipped');
  } else {
    // cases libvirt 9.0 takes: no user networking (it opens /dev/net/tun), no iTCO watchdog (newer than 9.0)
    const picks = (arg('--libvirt-cases') ?? 'x86_64-pc-minimal,disk-cache').split(',').map((n) => cases.find((c) => c.name === n)).filter((c): c is Case => c !== undefined);
    console.log('\ncase                     libvirt (virsh embed)   virtkit      ratio');
    for (const c of picks) {
      const lv = timeLibvirt(c);
      const one = timeVirtkit([c], 0.5);
      const vk = 1000 / one.perSec;
      const lvText = typeof lv === 'number' ? `${lv.toFixed(0)} ms` : lv;
      const ratio = typeof lv === 'number' ? `${Math.round(lv / vk)}x` : '-';
      console.log(`${c.name.padEnd(24)} ${lvText.padEnd(23)} ${(vk * 1000).toFixed(1).padStart(7)} us   ${ratio}`);
    }
    console.log('(libvirt time includes virsh start-up and its embedded driver initialisation, which is most of it)');
  }
}
