import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseInstallArgv } from '../../core/options/install-argv.js';
import { readCloudInitFiles } from './cloud-init-files.js';

describe('the files --cloud-init names, read by the daemon', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vk-ci-'));
    await writeFile(join(dir, 'key.pub'), 'ssh-ed25519 AAAA test@host\n');
    await writeFile(join(dir, 'user-data'), '#cloud-config\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads each file the last --cloud-init names, keyed by the path as given', async () => {
    const key = join(dir, 'key.pub');
    const files = await readCloudInitFiles(parseInstallArgv(['--cloud-init', 'user-data=/nope', '--cloud-init', `root-ssh-key=${key},disable=on`]), undefined);
    assert.deepEqual([...files.keys()], [key]);
    assert.equal(Buffer.from(files.get(key) ?? []).toString(), 'ssh-ed25519 AAAA test@host\n');
    assert.equal((await readCloudInitFiles(parseInstallArgv(['--name', 'vm']), undefined)).size, 0);
  });

  it('reads a relative path from the client\'s cwd, and refuses one without a cwd or a file it cannot read', async () => {
    const files = await readCloudInitFiles(parseInstallArgv(['--cloud-init', 'user-data=user-data']), dir);
    assert.equal(Buffer.from(files.get('user-data') ?? []).toString(), '#cloud-config\n');
    await assert.rejects(readCloudInitFiles(parseInstallArgv(['--cloud-init', 'user-data=user-data']), undefined), { code: 'INVALID_ARGUMENT' });
    await assert.rejects(readCloudInitFiles(parseInstallArgv(['--cloud-init', 'user-data=absent']), dir), /cannot read .*absent/);
  });
});
