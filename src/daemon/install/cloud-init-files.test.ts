import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { InstallPlan } from '../../core/install/types.js';
import { parseInstallArgv } from '../../core/options/install-argv.js';
import { fillCloudInit } from './cloud-init-files.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIvk test@host';
const plan = (withSeed: boolean): InstallPlan => ({
  name: 'vm', phases: ['<domain/>'], volumes: [], copies: [], autostart: false, transient: false, autoconsole: 'none',
  cloudInit: withSeed ? { path: '/b/virtinst-abcdefgh-cloudinit.iso', userData: '', metaData: '', networkConfig: null, generatedRootPassword: null } : null,
  waitMinutes: null, noreboot: false, start: true, warnings: ['earlier'],
});

describe('the cloud-init seed filled in by the daemon', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vk-ci-'));
    await writeFile(join(dir, 'key.pub'), `${KEY}\n`);
    await writeFile(join(dir, 'user-data'), '#cloud-config\nhostname: x\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads the key file the sub-options name into the user-data', async () => {
    const p = await fillCloudInit(plan(true), parseInstallArgv(['--cloud-init', `root-ssh-key=${join(dir, 'key.pub')},disable=on`]), undefined, () => 0);
    assert.ok(p.cloudInit?.userData.includes(KEY), p.cloudInit?.userData);
    assert.ok(p.cloudInit?.userData.includes('/etc/cloud/cloud-init.disabled'));
    assert.equal(p.cloudInit?.generatedRootPassword, null);
    assert.equal(p.cloudInit?.path, '/b/virtinst-abcdefgh-cloudinit.iso', 'the builder\'s path stays');
  });

  it('generates the root password of a bare --cloud-init from the random source, with virt-install\'s warning', async () => {
    const p = await fillCloudInit(plan(true), parseInstallArgv(['--cloud-init']), undefined, () => 0);
    assert.equal(p.cloudInit?.generatedRootPassword, 'a'.repeat(16));
    assert.deepEqual(p.warnings, ['earlier', 'Defaulting to --cloud-init root-password-generate=yes,disable=yes']);
  });

  it('reads a relative path from the client\'s cwd, and refuses one without a cwd or a file it cannot read', async () => {
    const p = await fillCloudInit(plan(true), parseInstallArgv(['--cloud-init', 'user-data=user-data']), dir, () => 0);
    assert.equal(p.cloudInit?.userData, '#cloud-config\nhostname: x\n');
    await assert.rejects(fillCloudInit(plan(true), parseInstallArgv(['--cloud-init', 'user-data=user-data']), undefined), { code: 'INVALID_ARGUMENT' });
    await assert.rejects(fillCloudInit(plan(true), parseInstallArgv(['--cloud-init', `user-data=${join(dir, 'absent')}`]), dir), /cannot read .*absent/);
  });

  it('leaves a plan without a seed, or a command line without --cloud-init, as it is', async () => {
    const none = plan(false);
    assert.equal(await fillCloudInit(none, parseInstallArgv(['--cloud-init']), undefined), none);
    const seedOnly = plan(true);
    assert.equal(await fillCloudInit(seedOnly, parseInstallArgv(['--name', 'vm']), undefined), seedOnly);
  });
});
