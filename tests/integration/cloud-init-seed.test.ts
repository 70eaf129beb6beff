/**
 * `--cloud-init` seeds written with the real xorriso and read back with xorriso: every file byte for byte,
 * the primary volume id `cidata` (read from the image's own volume descriptor), Joliet and Rock Ridge,
 * the ISO's mode 0600 whatever the umask, an existing file replaced whole, and no temp file left,
 * also when xorrisofs fails or is missing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VirtkitError } from '../../src/core/errors.js';
import { cloudInitFilePaths } from '../../src/core/install/cloud-init-options.js';
import { cloudInitIsoName, cloudInitSeed } from '../../src/core/install/cloud-init.js';
import type { SubOption } from '../../src/core/install/types.js';
import { secureRandomInt, writeNoCloudIso } from '../../src/host/iso/nocloud.js';
import { isoDescriptors, listIsoFiles, readIsoFile } from '../helpers/iso-read.js';

const USER_DATA = '#cloud-config\nhostname: café-01\nusers:\n  - default\nwrite_files:\n  - path: /etc/motd\n    content: |\n      seeded by virtkit\n';
const META_DATA = 'instance-id: iid-ci-01\nlocal-hostname: ci-01\n';
const NETWORK = 'version: 2\nethernets:\n  all:\n    match: {name: "e*"}\n    dhcp4: true\n';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'virtkit-ci-seed-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The seed for `opts`, its files read from disk as the install command will read them. */
async function seedFor(opts: SubOption[]) {
  const files = new Map<string, Uint8Array>();
  for (const p of cloudInitFilePaths(opts)) files.set(p, await readFile(p));
  return cloudInitSeed(opts, files, secureRandomInt);
}
const mode = async (p: string) => (await stat(p)).mode & 0o777;

describe('NoCloud seed ISO (real xorriso)', { timeout: 60_000 }, () => {
  it('user-data=, meta-data=, network-config= files come back byte for byte; volume id cidata, Joliet, Rock Ridge; 0600; no temp files', async () => {
    const work = await mkdtemp(join(dir, 'files-'));
    const src = { 'user-data': join(work, 'ud.yaml'), 'meta-data': join(work, 'md.yaml'), 'network-config': join(work, 'nc.yaml') };
    await writeFile(src['user-data'], USER_DATA);
    await writeFile(src['meta-data'], META_DATA);
    await writeFile(src['network-config'], NETWORK);
    const seed = await seedFor(Object.entries(src).map(([key, value]) => ({ key, value })));
    const out = await mkdtemp(join(dir, 'boot-'));
    const name = cloudInitIsoName(secureRandomInt);
    const iso = join(out, name);
    await writeNoCloudIso(iso, seed);

    assert.deepEqual(await listIsoFiles(iso), ['/meta-data', '/network-config', '/user-data']);
    for (const [name, path] of Object.entries(src)) {
      assert.deepEqual(await readIsoFile(iso, `/${name}`), await readFile(path), `${name} differs from ${path}`);
    }
    assert.deepEqual(isoDescriptors(await readFile(iso)), { volumeId: 'cidata', joliet: true, rockRidge: true });
    assert.equal(await mode(iso), 0o600);
    assert.deepEqual(await readdir(out), [name]);
  });

  it('bare --cloud-init: the generated user-data and an empty meta-data, no network-config; 0600 even with umask 0', async () => {
    const seed = await seedFor([]);
    assert.match(seed.generatedRootPassword ?? '', /^[A-Za-z0-9]{16}$/);
    const out = await mkdtemp(join(dir, 'bare-'));
    const iso = join(out, 'seed.iso');
    const old = process.umask(0);
    try {
      await writeNoCloudIso(iso, seed);
    } finally {
      process.umask(old);
    }
    assert.deepEqual(await listIsoFiles(iso), ['/meta-data', '/user-data']);
    assert.equal((await readIsoFile(iso, '/user-data')).toString('utf8'), seed.userData);
    assert.ok(seed.userData.includes(`    root:${seed.generatedRootPassword ?? 'none'}\n`));
    assert.equal((await readIsoFile(iso, '/meta-data')).length, 0);
    assert.equal(await mode(iso), 0o600);
    assert.deepEqual(await readdir(out), ['seed.iso']);
  });

  it('a file already at the path is replaced whole, and gets mode 0600', async () => {
    const out = await mkdtemp(join(dir, 'replace-'));
    const iso = join(out, 'seed.iso');
    await writeFile(iso, Buffer.alloc(3 << 20, 0x55), { mode: 0o644 });
    await writeNoCloudIso(iso, { userData: '#cloud-config\n', metaData: '', networkConfig: null });
    assert.equal((await readIsoFile(iso, '/user-data')).toString(), '#cloud-config\n');
    assert.ok((await stat(iso)).size < 3 << 20, 'the old content is gone');
    assert.equal(await mode(iso), 0o600);
    assert.deepEqual(await readdir(out), ['seed.iso']);
  });

  it('xorrisofs failing or missing, or no such directory: a clear error, the old file untouched, nothing left behind', async () => {
    const out = await mkdtemp(join(dir, 'fail-'));
    const iso = join(out, 'seed.iso');
    await writeFile(iso, 'old');
    const seed = { userData: '#cloud-config\n', metaData: '', networkConfig: 'version: 2\n' };
    const is = (code: string, re: RegExp) => (e: unknown) => e instanceof VirtkitError && e.code === code && re.test(e.message);
    await assert.rejects(writeNoCloudIso(iso, seed, { xorrisofs: '/bin/false' }), is('STORAGE_FAILED', /^cannot make the cloud-init ISO: \/bin\/false -o .* -V cidata .* failed/));
    await assert.rejects(writeNoCloudIso(iso, seed, { xorrisofs: join(out, 'no-such-xorrisofs') }), is('HOST_UNSUPPORTED', /apt install xorriso/));
    assert.equal(await readFile(iso, 'utf8'), 'old');
    assert.deepEqual(await readdir(out), ['seed.iso']);
    await assert.rejects(writeNoCloudIso(join(out, 'no-such-dir', 'seed.iso'), seed), is('IO_ERROR', /no-such-dir/));
    assert.deepEqual(await readdir(out), ['seed.iso']);
  });
});
