import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import { isVirtkitError } from '../core/errors.js';
import { checkSocketPath, domainRuntimePaths, instanceLayout, makeInstanceDirs } from './paths.js';

describe('instance layout', () => {
  it('resolves a relative --root against the working directory', () => {
    const l = instanceLayout({ kind: 'root', root: 'vk' });
    assert.equal(l.uri, `qemu:///embed?root=${join(process.cwd(), 'vk')}`);
    assert.equal(l.socket, join(process.cwd(), 'vk', 'run', 'virtkitd.sock'));
  });

  it('names per-domain runtime paths by uuid and the log by name', () => {
    const l = instanceLayout({ kind: 'system' });
    const p = domainRuntimePaths(l, 'a very long domain name '.repeat(8), '6695eb01-f6a4-8304-79aa-97f2502e193f');
    assert.equal(p.qmpSocket, '/run/virtkit/d/6695eb01-f6a4-8304-79aa-97f2502e193f/qmp.sock');
    assert.ok(p.logFile.startsWith('/var/log/virtkit/qemu/a very long'));
    assert.equal(p.consoleSocket, '/run/virtkit/d/6695eb01-f6a4-8304-79aa-97f2502e193f/console.sock');
    checkSocketPath(p.qmpSocket);
    checkSocketPath(p.consoleSocket);
  });

  it('refuses a socket path longer than a UNIX socket allows', () => {
    checkSocketPath(`/${'x'.repeat(106)}`);
    assert.throws(() => checkSocketPath(`/${'x'.repeat(107)}`), (e) => isVirtkitError(e) && e.code === 'INVALID_ARGUMENT');
  });
});

test('makeInstanceDirs: a new rooted instance is 0711 at its root and run dir (dnsmasq gets through), 0700 elsewhere; an existing root keeps its mode', () => {
  const parent = mkdtempSync(join(tmpdir(), 'vk-dirs-'));
  try {
    const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);
    const fresh = instanceLayout({ kind: 'root', root: join(parent, 'new') });
    makeInstanceDirs(fresh);
    assert.deepEqual([mode(join(parent, 'new')), mode(fresh.runDir), mode(fresh.stateDir), mode(fresh.logDir)], ['711', '711', '700', '700']);
    mkdirSync(join(parent, 'mine'), { mode: 0o700 });
    const mine = instanceLayout({ kind: 'root', root: join(parent, 'mine') });
    makeInstanceDirs(mine);
    assert.equal(mode(join(parent, 'mine')), '700', "the user's own directory is left as it is");
    assert.equal(instanceLayout({ kind: 'system' }).runDirMode, 0o755);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});
