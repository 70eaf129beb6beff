#!/usr/bin/env node
/**
 * Builds dist/cli-bundle/: the CLI's compiled modules (dist/src/cli/main.js and every module and
 * package it reaches, statically or through import()) as one script, bundled by esbuild, for
 * bin/virtkit's fast start (docs/bench.md, "CLI start-up"). Run after tsc (`npm run build` does
 * both):
 *
 *   node scripts/build-cli-bundle.mjs [--dist DIR]
 *
 * The bundle is one function expression, `(function (require, distUrl) { ... return exports })`:
 * bin/virtkit compiles it with a V8 code cache and calls it with node's require and the URL of
 * dist/. `import.meta.url` becomes the URL the entry module has under dist/ (every CLI module sits
 * at dist/src/<dir>/, so paths relative to it, such as ../../../bin/virtkitd, stay right); a module
 * that uses any other part of import.meta is refused here. `manifest.json` lists the size and
 * mtime of every file under dist/ the bundle was made from: bin/virtkit uses the bundle only while
 * they all still match, so a later `tsc` that changes any of them makes it fall back to the
 * modules themselves until this script runs again. Where dist/ has tsc's build info
 * (dist/.tsbuildinfo, written by every tsc run that emits), the manifest records its size and mtime
 * too, and bin/virtkit checks that one file instead of every module (one stat instead of ~170: a
 * few ms of each CLI start). Writing the bundle drops the old code cache.
 */
import { Buffer } from 'node:buffer';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const ENTRY = 'src/cli/main.js';
const { values } = parseArgs({ options: { dist: { type: 'string' } } });
const dist = resolve(values.dist ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist'));

const result = await build({
  entryPoints: [join(dist, ENTRY)],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  write: false,
  metafile: true,
  logLevel: 'silent',
  define: { 'import.meta.url': '__vk_entry_url' },
});
const text = result.outputFiles[0].text;
if (/\bimport\.meta\b/.test(text)) {
  throw new Error('build-cli-bundle: a CLI module uses import.meta beyond import.meta.url; the CLI bundle cannot hold it');
}
for (const w of result.warnings) process.stderr.write(`build-cli-bundle: warning: ${w.text}\n`);

const bundle = `(function (require, distUrl) {
'use strict';
const module = { exports: {} };
const exports = module.exports;
const __vk_entry_url = new URL(${JSON.stringify(ENTRY)}, distUrl).href;
${text}
return module.exports;
})`;

// The files under dist/ it was made from (packages under node_modules change only with npm ci,
// which a build follows).
const cwd = process.cwd();
const inputs = Object.keys(result.metafile.inputs)
  .map((p) => resolve(cwd, p))
  .filter((p) => p.startsWith(dist + sep))
  .map((p) => relative(dist, p).split(sep).join('/'))
  .sort();

const out = join(dist, 'cli-bundle');
mkdirSync(out, { recursive: true });
for (const f of readdirSync(out)) rmSync(join(out, f), { force: true }); // the old bundle's code cache with it
const files = inputs.map((id) => {
  const st = statSync(join(dist, id));
  return [id, st.size, st.mtimeMs];
});
writeFileSync(join(out, 'bundle.js.tmp'), bundle);
renameSync(join(out, 'bundle.js.tmp'), join(out, 'bundle.js'));
const st = statSync(join(out, 'bundle.js'));
let buildInfo;
try {
  const b = statSync(join(dist, '.tsbuildinfo'));
  buildInfo = [b.size, b.mtimeMs];
} catch {
  buildInfo = undefined; // no build info (a copied dist/): bin/virtkit checks every file
}
// esbuild escapes non-ASCII characters (its default charset): bin/virtkit then reads the bundle as
// latin1, which is cheaper than decoding UTF-8; `ascii` says it may (checked, not assumed).
const ascii = Buffer.byteLength(bundle, 'utf8') === bundle.length; // each non-ASCII character is 2-4 bytes
writeFileSync(join(out, 'manifest.json.tmp'), `${JSON.stringify({ entry: ENTRY, bundle: [st.size, st.mtimeMs], build: buildInfo, ascii, files })}\n`);
renameSync(join(out, 'manifest.json.tmp'), join(out, 'manifest.json'));
process.stdout.write(`cli bundle: ${files.length} modules of dist/, ${(bundle.length / 1024).toFixed(0)} KiB -> ${pathToFileURL(out).pathname}\n`);
