import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isVirtkitError } from '../core/errors.js';
import { checkSocketPath, domainRuntimePaths, instanceLayout } from './paths.js';

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
