#!/usr/bin/env node
// Runs the compiled test files with node's test runner.
//   unit:        dist/src/**/*.test.js (pure and fast; no QEMU)
//   integration: dist/tests/**/*.test.js (real QEMU, real files)
//   all:         both
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const which = process.argv[2] ?? 'all';
const roots = { unit: ['dist/src'], integration: ['dist/tests'], all: ['dist/src', 'dist/tests'] }[which];
if (!roots) {
  console.error(`usage: run-tests.mjs unit|integration|all [filter]`);
  process.exit(2);
}
const filter = process.argv[3];
const files = [];
const walk = (dir) => {
  let names;
  try { names = readdirSync(dir); } catch { return; }
  for (const n of names) {
    const p = join(dir, n);
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
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--enable-source-maps', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
