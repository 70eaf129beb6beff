#!/usr/bin/env node
// Runs the compiled test files with node's test runner.
//   unit:        dist/src/**/*.test.js (pure and fast; no QEMU)
//   integration: dist/tests/**/*.test.js (real QEMU, real files)
//   all:         both
//   acceptance:  dist/tests/acceptance/**/*.test.js only: slow end-to-end checks with real
//                distributions (minutes under TCG), left out of the other modes; each has its
//                own script (scripts/cloud-init-acceptance.sh), see docs/testing.md
// At the end it lists the skipped suites with their reasons (e.g. the shared reference cases are
// absent: see docs/testing.md) and the files a VIRTKIT_REGENERATE_* run rewrote.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const which = process.argv[2] ?? 'all';
const ACCEPTANCE = join('dist', 'tests', 'acceptance');
const roots = { unit: ['dist/src'], integration: ['dist/tests'], all: ['dist/src', 'dist/tests'], acceptance: [ACCEPTANCE] }[which];
if (!roots) {
  console.error(`usage: run-tests.mjs unit|integration|all|acceptance [filter]`);
  process.exit(2);
}
const filter = process.argv[3];
const files = [];
const walk = (dir) => {
  let names;
  try { names = readdirSync(dir); } catch { return; }
  for (const n of names) {
    const p = join(dir, n);
    if (p === ACCEPTANCE && which !== 'acceptance') continue;
    if (statSync(p).isDirectory()) walk(p);
    else if (n.endsWith('.test.js') && (!filter || p.includes(filter))) files.push(p);
  }
};
roots.forEach(walk);
files.sort();
if (files.length === 0) {
  console.error('no test files found: run `npm run build` first');
  process.exit(1);
}
if (process.env.VIRTKIT_REGENERATE !== undefined) {
  console.error('run-tests: VIRTKIT_REGENERATE is not read any more: set VIRTKIT_REGENERATE_ARGV, _OPENAPI or _DOCS (docs/testing.md)');
}

const tmp = mkdtempSync(join(tmpdir(), 'virtkit-tests-'));
const summaryFile = join(tmp, 'summary.jsonl');
const reporters = [
  // node's own choice when no reporter is named: spec on a terminal, TAP otherwise
  '--test-reporter', process.stdout.isTTY ? 'spec' : 'tap', '--test-reporter-destination', 'stdout',
  '--test-reporter', join(dirname(fileURLToPath(import.meta.url)), 'test-summary-reporter.mjs'), '--test-reporter-destination', summaryFile,
];
// A watchdog for the whole run: a test that hangs in a child it cannot kill (node:test fails the
// test on its timeout but waits for the file's process) must not hold CI until its own limit.
const LIMIT_MS = Number(process.env.VIRTKIT_TEST_LIMIT_MS ?? 45 * 60_000);
// The network tests start virtual networks, which turn the host's IP forwarding on and (as in
// libvirt) never off: the run puts the host's settings back as it found them.
const FORWARDING = ['/proc/sys/net/ipv4/ip_forward', '/proc/sys/net/ipv6/conf/all/forwarding'];
const forwardingBefore = FORWARDING.map((f) => {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return undefined;
  }
});
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--enable-source-maps', ...reporters, ...files], {
  stdio: 'inherit', timeout: LIMIT_MS, killSignal: 'SIGKILL',
});
FORWARDING.forEach((f, i) => {
  const was = forwardingBefore[i];
  try {
    if (was !== undefined && readFileSync(f, 'utf8') !== was) writeFileSync(f, was);
  } catch {
    // not root, or no IPv6: nothing the tests could have changed
  }
});
if (r.error?.code === 'ETIMEDOUT') console.error(`run-tests: the run passed its ${LIMIT_MS / 60_000} minute limit and was killed (VIRTKIT_TEST_LIMIT_MS)`);
let events = [];
try {
  events = readFileSync(summaryFile, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
} catch {
  // no summary (the runner failed to start): its own output says why
}
rmSync(tmp, { recursive: true, force: true });
printSummary(events);
process.exit(r.status ?? 1);

/** One block: skipped suites grouped by reason, regenerated files, failures. */
function printSummary(evs) {
  const where = (f) => (f ? relative(process.cwd(), f) : '?');
  const skips = new Map();
  for (const e of evs.filter((x) => x.skip !== undefined)) {
    if (!skips.has(e.skip)) skips.set(e.skip, []);
    skips.get(e.skip).push(`${where(e.file)}: ${e.name}`);
  }
  const regen = evs.filter((x) => x.regenerated !== undefined);
  const fails = evs.filter((x) => x.fail !== undefined);
  const passed = evs.filter((x) => x.passed !== undefined).length;
  const skipped = [...skips.values()].flat().length;
  // The plain closing line CI reads, whatever the reporter above printed.
  const closing = `tests: ${passed} passed, ${fails.length} failed, ${skipped} skipped`;
  if (skips.size === 0 && regen.length === 0 && fails.length === 0) {
    console.log(`\n${closing}`);
    return;
  }
  const out = ['', '== test summary =='];
  if (skips.size > 0) {
    out.push(`Skipped (${[...skips.values()].flat().length}):`);
    for (const [reason, tests] of skips) {
      out.push(`  ${reason}`);
      for (const t of tests) out.push(`    - ${t}`);
    }
  }
  if (regen.length > 0) {
    out.push('Regenerated (review with git diff before committing):');
    for (const e of regen) out.push(`  ${e.regenerated}   [${where(e.file)}]`);
  }
  if (fails.length > 0) {
    out.push(`Failed (${fails.length}):`);
    for (const e of fails) out.push(`  - ${where(e.file)}: ${e.name}: ${e.fail}`);
  }
  out.push(closing);
  console.log(out.join('\n'));
}
