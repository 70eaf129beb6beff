#!/usr/bin/env node
/**
 * Builds dist/cli-bundle/: the CLI's compiled modules (dist/src/cli/main.js and every module it
 * reaches, statically or through import()) as one CommonJS script, for bin/virtkit's fast start
 * (docs/bench.md, "CLI start-up"). Run after tsc (`npm run build` does both):
 *
 *   node scripts/build-cli-bundle.mjs [--dist DIR]
 *
 * Each module is tsc's ES module output turned into CommonJS by TypeScript's own transpiler
 * (ts.transpileModule: syntax only, no type check) and wrapped in a function; a small require in
 * the bundle resolves relative specifiers between them, and anything else (node:*, packages) goes
 * to node's require. `manifest.json` lists every module's size and mtime: bin/virtkit uses the
 * bundle only while they all still match, so a later `tsc` that changes any of them makes it fall
 * back to the modules themselves until this script runs again. Writing the bundle drops the V8
 * code cache that bin/virtkit keeps beside it.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ENTRY = 'src/cli/main.js';
const { values } = parseArgs({ options: { dist: { type: 'string' } } });
const dist = resolve(values.dist ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist'));
const ts = createRequire(import.meta.url)('typescript');

/** Relative specifiers of a module's static imports, re-exports and string-literal import() calls. */
function relativeImports(code) {
  const out = new Set();
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm;
  for (const m of code.matchAll(re)) out.add(m[2]);
  return [...out];
}

/** Package specifiers (not node:*) a module imports: the bundle require()s them, so they must be CommonJS. */
function packageImports(code) {
  // Import and export statements (one line each in tsc's output) and import() calls only: not a
  // message that happens to say "from 'x'".
  const re = /(?:^(?:import|export)\b[^;\n]*?\bfrom\s*|^import\s*|\bimport\(\s*)(['"])((?:@[\w.-]+\/)?[a-z][\w.:/-]*)\1/gm;
  return [...code.matchAll(re)].map((m) => m[2]).filter((p) => !p.startsWith('node:'));
}

const modules = new Map(); // id (path under dist, posix) -> CommonJS source
const packages = new Set();
const queue = [ENTRY];
while (queue.length > 0) {
  const id = queue.shift();
  if (modules.has(id)) continue;
  const esm = readFileSync(join(dist, id), 'utf8');
  for (const spec of relativeImports(esm)) queue.push(posix.normalize(posix.join(posix.dirname(id), spec)));
  for (const p of packageImports(esm)) packages.add(p);
  const body = esm.replaceAll('import.meta.url', '__vk_url');
  // Anything else of import.meta has no CommonJS form: refuse here rather than fail at run time.
  if (/\bimport\.meta\b/.test(body)) throw new Error(`build-cli-bundle: ${id} uses import.meta beyond import.meta.url; the CLI bundle cannot hold it`);
  const cjs = ts.transpileModule(body, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: false, sourceMap: false },
  }).outputText.replace(/\n\/\/# sourceMappingURL=.*$/m, '');
  modules.set(id, cjs);
}

// A package that only has an ES module entry cannot be require()d from the bundle: refuse now.
const requireFromDist = createRequire(join(dist, 'cli-bundle', 'bundle.js'));
for (const p of packages) {
  try {
    requireFromDist(p);
  } catch (e) {
    throw new Error(`build-cli-bundle: the CLI imports '${p}', which require() cannot load from ${dist} (${e.code ?? e.message}); the CLI bundle needs CommonJS packages`);
  }
}

const ids = [...modules.keys()].sort();
const defs = ids.map((id) => `${JSON.stringify(id)}: function (exports, require, module, __vk_url) {\n${modules.get(id)}\n}`);
// The bundle is one function expression: bin/virtkit calls it with node's require (for node:* and
// packages) and the URL of dist/, and gets the entry module's exports.
const bundle = `(function (nodeRequire, distUrl) {
'use strict';
const defs = {\n${defs.join(',\n')}\n};
const cache = Object.create(null);
function load(id) {
  const hit = cache[id];
  if (hit !== undefined) return hit.exports;
  const def = defs[id];
  if (def === undefined) throw new Error('virtkit: the CLI bundle has no module ' + id + ': run npm run build');
  const module = { exports: {} };
  cache[id] = module;
  const dir = id.slice(0, id.lastIndexOf('/'));
  def.call(module.exports, module.exports, (spec) => spec.startsWith('.') ? load(norm(dir, spec)) : nodeRequire(spec), module, new URL(id, distUrl).href);
  return module.exports;
}
function norm(dir, spec) {
  const parts = dir.split('/');
  for (const p of spec.split('/')) {
    if (p === '..') parts.pop();
    else if (p !== '.') parts.push(p);
  }
  return parts.join('/');
}
return load(${JSON.stringify(ENTRY)});
})`;

const out = join(dist, 'cli-bundle');
mkdirSync(out, { recursive: true });
for (const f of readdirSync(out)) rmSync(join(out, f), { force: true }); // the old bundle's code cache with it
const files = ids.map((id) => {
  const st = statSync(join(dist, id));
  return [id, st.size, st.mtimeMs];
});
writeFileSync(join(out, 'bundle.js.tmp'), bundle);
renameSync(join(out, 'bundle.js.tmp'), join(out, 'bundle.js'));
const st = statSync(join(out, 'bundle.js'));
writeFileSync(join(out, 'manifest.json.tmp'), `${JSON.stringify({ entry: ENTRY, bundle: [st.size, st.mtimeMs], files })}\n`);
renameSync(join(out, 'manifest.json.tmp'), join(out, 'manifest.json'));
process.stdout.write(`cli bundle: ${ids.length} modules, ${(bundle.length / 1024).toFixed(0)} KiB, packages ${[...packages].sort().join(", ") || "none"} -> ${pathToFileURL(out).pathname}\n`);
