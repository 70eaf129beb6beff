/**
 * The osinfo reader against the host's real database (Debian's osinfo-db, installed by scripts/setup.sh) and the
 * virt-install reference ISOs when ../shared is present.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { filesDir, needsVirtInstallCases } from '../../../tests/helpers/virt-install-cases.js';
import { hostOsDb, OsDb, readIsoIdentity } from './db.js';

const Q35 = 'http://qemu.org/chipset/x86/q35';
const XHCI = 'http://pcisig.com/pci/1b36/0004';
const VIRTIO1_NET = 'http://pcisig.com/pci/1af4/1041';

test('osinfo-db: debian11 by short-id and by id, with inherited devices', async () => {
  const db = await hostOsDb();
  assert.ok(db.size > 100, `the host database has ${db.size} OSes; is osinfo-db installed?`);
  const d = db.lookup('debian11');
  assert.ok(d);
  assert.equal(d.id, 'http://debian.org/debian/11');
  assert.equal(db.lookup('http://debian.org/debian/11')?.shortId, 'debian11');
  assert.equal(db.lookup('debianbullseye')?.id, d.id);
  assert.equal(d.family, 'linux');
  assert.equal(d.distro, 'debian');
  // debian-11.xml itself lists only two devices: the rest comes through derives-from
  for (const dev of [Q35, XHCI, VIRTIO1_NET]) assert.ok(d.devices.includes(dev), dev);
  const rec = d.recommendedResources.find((r) => r.arch === 'all');
  assert.equal(rec?.ram, 1073741824);
});

test('osinfo-db: windows 10 has no virtio NIC, generic has no devices, unknown names are null', async () => {
  const db = await hostOsDb();
  const w = db.lookup('win10');
  assert.equal(w?.family, 'winnt');
  assert.ok(!w.devices.includes(VIRTIO1_NET));
  const g = db.lookup('generic');
  assert.equal(g?.generic, true);
  assert.deepEqual(g.devices, []);
  assert.equal(db.lookup('no-such-os-42'), null);
  assert.ok(db.list().some((o) => o.shortIds[0] === 'fedora37'));
});

test('osinfo-db: a later directory overrides an OS of an earlier one (libosinfo local overrides)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vk-osinfo-'));
  try {
    const os = (name: string) => `<libosinfo version="0.0.1"><os id="http://example.org/x/1"><short-id>x1</short-id><name>${name}</name><family>linux</family></os></libosinfo>`;
    await mkdir(join(dir, 'sys/os/example.org'), { recursive: true });
    await mkdir(join(dir, 'etc/os/example.org'), { recursive: true });
    await writeFile(join(dir, 'sys/os/example.org/x-1.xml'), os('System'));
    await writeFile(join(dir, 'etc/os/example.org/x-1.xml'), os('Local'));
    const db = await OsDb.load([join(dir, 'sys'), join(dir, 'etc'), join(dir, 'absent')]);
    assert.equal(db.size, 1);
    assert.equal(db.lookup('x1')?.name, 'Local');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('osinfo-db: install ISOs are identified from their volume descriptor (virt-install detect=on)', needsVirtInstallCases(), async () => {
  const files = filesDir();
  const db = await hostOsDb();
  const deb = await readIsoIdentity(join(files, 'debian-11-netinst.iso'));
  assert.equal(deb?.volumeId, 'Debian 11.9.0 amd64 n');
  const hit = deb && db.identify(deb, 'x86_64');
  assert.equal(hit?.os.shortId, 'debian11');
  assert.equal(hit.kernel, 'install.amd/vmlinuz');
  assert.equal(hit.initrd, 'install.amd/initrd.gz');
  const custom = await readIsoIdentity(join(files, 'install.iso'));
  assert.equal(custom?.volumeId, 'CUSTOM_INSTALL');
  assert.equal(custom && db.identify(custom, 'x86_64'), null);
  assert.equal(await readIsoIdentity(join(files, 'vmlinuz')), null);
});
