import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../../tests/helpers/paths.js';

// bin/virtkit's fast start (dist/cli-bundle, scripts/build-cli-bundle.mjs): on a copy of bin/ and
// dist/src, so that the test can change, break and remove files without touching the build.
describe('CLI bundle and code cache (bin/virtkit)', () => {
  let tmp = '';
  const bundleDir = () => join(tmp, 'dist', 'cli-bundle');
  const virtkit = (env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [join(tmp, 'bin', 'virtkit'), 'help', 'vol-list'], {
      encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', VIRTKIT_CLI_TRACE: '1', ...env },
    });
    assert.equal(r.status, 0, r.stderr);
    return { out: r.stdout, trace: r.stderr };
  };

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'vk-cli-bundle-'));
    cpSync(join(repoRoot, 'bin'), join(tmp, 'bin'), { recursive: true });
    cpSync(join(repoRoot, 'dist', 'src'), join(tmp, 'dist', 'src'), { recursive: true, filter: (p) => !p.endsWith('.map') });
    symlinkSync(join(repoRoot, 'node_modules'), join(tmp, 'node_modules'));
    writeFileSync(join(tmp, 'package.json'), '{ "type": "module" }\n');
    const b = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-cli-bundle.mjs'), '--dist', join(tmp, 'dist')], { encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('runs the same command through the bundle, making then using its code cache, as through the modules', () => {
    const modules = virtkit({ VIRTKIT_CLI_BUNDLE: '0' });
    assert.match(modules.trace, /cli bundle: off/);
    assert.match(modules.out, /vol-list - list vols/);
    const first = virtkit();
    assert.match(first.trace, /cli bundle: used, code cache absent\n.*code cache written/);
    assert.equal(first.out, modules.out);
    const second = virtkit();
    assert.match(second.trace, /cli bundle: used, code cache used/);
    assert.equal(second.out, modules.out);
  });

  it('rejects a code cache that is not V8\'s and writes a good one', () => {
    virtkit();
    const cache = readdirSync(bundleDir()).filter((f) => f.endsWith('.cache'));
    assert.equal(cache.length, 1, `one code cache beside the bundle, found ${cache.join(', ')}`);
    writeFileSync(join(bundleDir(), cache[0] ?? ''), Buffer.alloc(4096, 7));
    assert.match(virtkit().trace, /code cache rejected\n.*code cache written/);
    assert.match(virtkit().trace, /code cache used/);
  });

  it('is not used once a module it was made from changes: the changed module runs', () => {
    const file = join(tmp, 'dist', 'src', 'cli', 'commands', 'vol-list.js');
    writeFileSync(file, readFileSync(file, 'utf8').replace("summary: 'list vols'", "summary: 'list vols (changed)'"));
    const r = virtkit();
    assert.match(r.trace, /cli bundle: stale \(src\/cli\/commands\/vol-list\.js changed\)/);
    assert.match(r.out, /vol-list - list vols \(changed\)/);
    rmSync(join(bundleDir(), 'manifest.json'));
    assert.match(virtkit().trace, /cli bundle: absent/);
  });

  it('checks only tsc\'s build info when dist/ has it: a new build makes it stale, the modules run', () => {
    const info = join(tmp, 'dist', '.tsbuildinfo');
    writeFileSync(info, '{"version":"build 1"}\n');
    const b = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-cli-bundle.mjs'), '--dist', join(tmp, 'dist')], { encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    assert.match(virtkit().trace, /cli bundle: used/);
    // tsc rewrote a module and its build info: the bundle is not used, the new module runs.
    const file = join(tmp, 'dist', 'src', 'cli', 'commands', 'vol-list.js');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/summary: 'list vols[^']*'/, "summary: 'list vols (rebuilt)'"));
    writeFileSync(info, '{"version":"build 2, longer"}\n');
    const r = virtkit();
    assert.match(r.trace, /cli bundle: stale \(\.tsbuildinfo changed\)/);
    assert.match(r.out, /vol-list - list vols \(rebuilt\)/);
  });

  it('reads an all-ASCII bundle as latin1 and still prints non-ASCII text as the modules do', () => {
    const file = join(tmp, 'dist', 'src', 'cli', 'commands', 'vol-list.js');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/summary: 'list vols[^']*'/, "summary: 'list vols (é, 日本, 𝒳)'"));
    const b = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-cli-bundle.mjs'), '--dist', join(tmp, 'dist')], { encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    // esbuild escapes non-ASCII characters, so the manifest may say `ascii`; bin/virtkit then skips UTF-8 decoding.
    assert.equal(JSON.parse(readFileSync(join(bundleDir(), 'manifest.json'), 'utf8')).ascii, true);
    assert.equal(Buffer.byteLength(readFileSync(join(bundleDir(), 'bundle.js'), 'latin1'), 'utf8'), statSync(join(bundleDir(), 'bundle.js')).size);
    const bundled = virtkit();
    assert.match(bundled.trace, /cli bundle: used/);
    assert.match(bundled.out, /vol-list - list vols \(é, 日本, 𝒳\)/);
    assert.equal(bundled.out, virtkit({ VIRTKIT_CLI_BUNDLE: '0' }).out);
  });
});
