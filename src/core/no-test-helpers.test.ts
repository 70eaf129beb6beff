// Test-only code does not ship: every module under src/core that is not a test is imported
// by some other non-test module under src (else only tests use it, and it belongs in
// tests/helpers, which does not build into dist/src). The few exceptions say why.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/** The repository root, from dist/src/core/ (compiled) or src/core/. */
const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, here.includes(`${join('dist', 'src')}`) ? '../../..' : '../..');

const ALLOWED: Record<string, string> = {
  'src/core/qemu/qmp/index.ts': "the QMP protocol's public entry (a barrel of its modules, which production imports directly)",
  'src/core/storage/qemu-img-plan.ts': 'used by the storage daemon (issue 7, next increment)',
  'src/core/xml/storage/index.ts': 'used by the storage daemon (issue 7, next increment)',
  'src/core/xml/secret/index.ts': "used by the daemon's secrets/snapshots (issue 7, next increment)",
  'src/core/xml/snapshot/index.ts': "used by the daemon's secrets/snapshots (issue 7, next increment)",
  'src/core/xml/network/index.ts': "issue 8: used by the daemon's network objects (next step)",
  'src/core/network/dnsmasq.ts': "issue 8: used by the daemon's network objects (next step)",
  'src/core/network/dnsmasq-leases.ts': "issue 8: used by the daemon's network objects (next step)",
  'src/core/network/host-routes.ts': "issue 8: used by the daemon's network objects (next step)",
  'src/core/network/update.ts': "issue 8: used by the daemon's network objects (next step)",
  'src/core/install/cloud-init.ts': 'issue 9: --cloud-init, used by the install plan (src/core/install/build*.ts, next step)',
  'src/core/placement/index.ts': "issue 10: automatic placement, used by the daemon's <vcpu placement='auto'> (next step) and bench/placement",
  'src/core/options/install-argv.ts': 'issue 9: used by the `virtkit install` command (next step)',
  'src/core/install/build.ts': 'issue 9: buildInstallPlan, used by the daemon side of `virtkit install` (being written)',
  'src/core/install/osinfo-request.ts': 'issue 9: which OS to look up, used by the daemon side of `virtkit install` (being written)',
  'src/core/xml/describe.ts': "renders the reference part of docs/domain-xml.md from the XML spec; docs.test.ts checks the committed copy",
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/** Relative import specifiers of a module (static, re-exports and dynamic), resolved to repository paths of .ts files. */
function importsOf(file: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)'(\.{1,2}\/[^']+)'/gm)].map((m) => m[1] ?? '');
  return specs.map((s) => relative(repo, resolve(dirname(file), s.replace(/\.js$/, '.ts'))));
}

test('the import scan sees static, type, re-export, side-effect and dynamic imports', () => {
  const f = join(repo, 'src/core/a/m.ts');
  const text = "import { x } from './x.js';\nimport type { Y } from '../y.js';\nexport * from './z.js';\nimport './side.js';\nconst d = await import('./dyn.js');\nimport n from 'node:fs';\n";
  assert.deepEqual(importsOf(f, text), ['src/core/a/x.ts', 'src/core/y.ts', 'src/core/a/z.ts', 'src/core/a/side.ts', 'src/core/a/dyn.ts']);
});

test('no module under src/core is used by tests alone', () => {
  const sources = tsFiles(join(repo, 'src')).filter((f) => !f.endsWith('.test.ts'));
  const used = new Set(sources.flatMap((f) => importsOf(f, readFileSync(f, 'utf8'))));
  const core = sources.map((f) => relative(repo, f)).filter((f) => f.startsWith('src/core/'));
  assert.ok(core.length > 50, `found ${core.length} modules under src/core: the scan looks in the wrong place (${repo})`);
  const testOnly = core.filter((f) => !used.has(f) && ALLOWED[f] === undefined);
  assert.deepEqual(testOnly, [], 'modules only tests import: move them to tests/helpers');
  for (const f of Object.keys(ALLOWED)) assert.ok(core.includes(f), `${f} is allowed but no longer exists: drop it from the list`);
});
