import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { instanceLayout } from './instance-layout.js';

describe('instance layout', () => {
  it('puts the system instance in the FHS places', () => {
    const l = instanceLayout({ kind: 'system' });
    assert.equal(l.uri, 'qemu:///system');
    assert.equal(l.domainsDir, '/etc/virtkit/domains');
    assert.equal(l.autostartDir, '/etc/virtkit/autostart');
    assert.equal(l.stateDir, '/var/lib/virtkit');
    assert.equal(l.socket, '/run/virtkit/virtkitd.sock');
    assert.equal(l.statusDir, '/run/virtkit/status');
    assert.equal(l.logDir, '/var/log/virtkit');
    assert.equal(l.poolsDir, '/etc/virtkit/storage');
    assert.equal(l.poolAutostartDir, '/etc/virtkit/storage/autostart');
    assert.equal(l.poolStatusDir, '/run/virtkit/storage');
    assert.equal(l.imagesDir, '/var/lib/virtkit/images');
  });

  it('follows the XDG variables for a session instance', () => {
    const l = instanceLayout({
      kind: 'session',
      home: '/home/u',
      env: { XDG_CONFIG_HOME: '/c', XDG_STATE_HOME: '/s', XDG_RUNTIME_DIR: '/run/user/1000' },
    });
    assert.equal(l.uri, 'qemu:///session');
    assert.equal(l.domainsDir, '/c/virtkit/domains');
    assert.equal(l.stateDir, '/s/virtkit');
    assert.equal(l.logDir, '/s/virtkit/log');
    assert.equal(l.socket, '/run/user/1000/virtkit/virtkitd.sock');
  });

  it('falls back to ~ paths when XDG variables are unset or relative', () => {
    const l = instanceLayout({ kind: 'session', home: '/home/u', env: { XDG_CONFIG_HOME: 'rel' } });
    assert.equal(l.domainsDir, '/home/u/.config/virtkit/domains');
    assert.equal(l.stateDir, '/home/u/.local/state/virtkit');
    assert.equal(l.socket, '/home/u/.cache/virtkit/run/virtkitd.sock');
  });

  it('keeps a rooted instance under its root, normalized', () => {
    const l = instanceLayout({ kind: 'root', root: '/tmp/x/../vk/' });
    assert.equal(l.uri, 'qemu:///embed?root=/tmp/vk');
    for (const p of [l.domainsDir, l.stateDir, l.runDir, l.logDir, l.socket, l.pidfile, l.poolsDir, l.imagesDir, l.poolStatusDir]) {
      assert.ok(p.startsWith('/tmp/vk/'), p);
    }
  });

  it('refuses a relative root: resolving it needs the working directory, which core does not read', () => {
    assert.throws(() => instanceLayout({ kind: 'root', root: 'vk' }), /not absolute/);
  });
});
