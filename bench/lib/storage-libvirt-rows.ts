/**
 * The libvirt column's rows, the same operations as storage-virtkit.ts:
 * vol-list --details as whole virsh processes; the linked clone,
 * vol-upload / vol-download and the 20 linked disks as commands of one
 * virsh shell (libvirt's API plus virsh's own work, without its start).
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runQemuImgRetrying } from '../../src/host/storage/qemu-img.js';
import { repeat, type Samples } from './stats.js';
import type { LibvirtInstance } from './libvirt-instance.js';
import { storagePoolDir } from './storage-libvirt.js';
import { allocated, makeVolumes, MiB, randomFile, type StoragePlan } from './storage-virtkit.js';

export async function benchLibvirtStorage(lv: LibvirtInstance, p: StoragePlan, out: Samples, log: (m: string) => void): Promise<void> {
  const dir = storagePoolDir(lv);
  await lv.virsh(['pool-create-as', 'p', 'dir', '--target', dir]);
  await makeVolumes(dir, p.volumes);
  await lv.virsh(['pool-refresh', 'p']);
  const listed = (await lv.virsh(['vol-list', 'p', '--details'])).stdout.split('\n').filter((l) => /\.(raw|qcow2) /.test(l)).length;
  if (listed !== p.volumes) throw new Error(`virsh vol-list --details listed ${listed} volumes, not ${p.volumes}`);
  await repeat(out, 'volList', p.listReps, async () => (await lv.virsh(['vol-list', 'p', '--details'])).ms);
  log(`libvirt: vol-list --details of ${p.volumes}: ${out.get('volList')?.median.toFixed(1)} ms`);
  for (const f of await readdir(dir)) await rm(join(dir, f));
  const sh = await lv.shell();

  await runQemuImgRetrying(['create', '-q', '-f', 'qcow2', join(dir, 'base.qcow2'), '1G']);
  await sh.run('pool-refresh p');
  const clone = (name: string) => `vol-create-as p ${name} 1G --format qcow2 --backing-vol base.qcow2 --backing-vol-format qcow2`;
  for (let i = 0; i < p.cloneReps; i++) {
    out.add('clone', (await sh.run(clone(`c${i}.qcow2`))).ms);
    await sh.run(`vol-delete c${i}.qcow2 --pool p`);
  }
  log(`libvirt: linked clone ${out.get('clone')?.median.toFixed(1)} ms`);

  const src = join(lv.dir, 'src.bin');
  const dst = join(lv.dir, 'out.bin');
  await randomFile(src, p.transferMiB);
  await sh.run(`vol-create-as p t.raw ${p.transferMiB}M`);
  const rate = (ms: number) => p.transferMiB / (ms / 1000);
  for (let i = 0; i < p.transferReps; i++) {
    out.add('upload', rate((await sh.run(`vol-upload t.raw ${src} --pool p`)).ms));
    out.add('download', rate((await sh.run(`vol-download t.raw ${dst} --pool p`)).ms));
    await rm(dst);
  }
  await rm(src);
  await sh.run('vol-delete t.raw --pool p');
  log(`libvirt: upload ${out.get('upload')?.median.toFixed(0)} MiB/s, download ${out.get('download')?.median.toFixed(0)} MiB/s`);

  let total = 0;
  const disks: string[] = [];
  for (let i = 0; i < p.vms; i++) {
    total += (await sh.run(clone(`vm${i}.qcow2`))).ms;
    disks.push(join(dir, `vm${i}.qcow2`));
  }
  out.add('provisionLinked', total);
  out.add('provisionLinkedMiB', (await allocated(disks)) / MiB);
}
