/**
 * The storage bench's virtkit, qemu-img and cp columns (bench/storage.ts):
 * each function fills named samples; the table (storage-report.ts) turns
 * them into rows. virtkit runs as its own daemon (VirtkitInstance), its CLI as
 * child processes (env: PATH only, so NODE_EXTRA_CA_CERTS is unset as in a
 * user's shell); qemu-img and cp are the same operations without virtkit.
 */
import { randomBytes } from 'node:crypto';
import { open, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { planLinkedClone } from '../../src/core/storage/qemu-img-plan.js';
import { readQcow2File } from '../../src/host/storage/image-files.js';
import { ExecSpare } from '../../src/host/storage/qemu-img-spare.js';
import { onPath } from '../../src/host/storage/qemu-img-spawn.js';
import { runQemuImgRetrying } from '../../src/host/storage/qemu-img.js';
import { bareSocketRate } from './bare-socket.js';
import { now, runTimed, sleep } from './proc.js';
import { repeat, type Samples } from './stats.js';
import type { VirtkitInstance } from './virtkit-instance.js';

export const MiB = 1 << 20;

export interface StoragePlan {
  volumes: number;
  listReps: number;
  cloneReps: number;
  transferMiB: number;
  transferReps: number;
  vms: number;
  headerImages: number;
}

const vol = (name: string, capacity: number, backing?: string) =>
  `<volume><name>${name}</name><capacity>${capacity}</capacity><target><format type='qcow2'/></target>` +
  (backing === undefined ? '' : `<backingStore><path>${backing}</path><format type='qcow2'/></backingStore>`) + '</volume>';

/** Bytes the files really occupy (st_blocks). */
export async function allocated(paths: readonly string[]): Promise<number> {
  let sum = 0;
  for (const p of paths) sum += (await stat(p)).blocks * 512;
  return sum;
}

/** `n` small volume files in `dir`: every other one a 64 MiB qcow2 (qemu-img), the rest 64 MiB sparse raw files. */
export async function makeVolumes(dir: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const f = join(dir, `v${String(i).padStart(4, '0')}.${i % 2 === 0 ? 'qcow2' : 'raw'}`);
    if (i % 2 === 0) await runQemuImgRetrying(['create', '-q', '-f', 'qcow2', f, '64M']);
    else {
      await writeFile(f, '');
      await truncate(f, 64 * MiB);
    }
  }
}

/** vol-list --details of p.volumes volumes: whole CLI processes, and the API call alone. */
export async function benchVolList(vk: VirtkitInstance, dir: string, p: StoragePlan, cli: Samples, api: Samples): Promise<void> {
  await makeVolumes(dir, p.volumes);
  await vk.client.poolAction('default', 'refresh');
  const out = await vk.cli(['vol-list', 'default', '--details']);
  const lines = out.stdout.split('\n').filter((l) => /\.(raw|qcow2) /.test(l)).length;
  if (lines !== p.volumes) throw new Error(`vol-list --details listed ${lines} volumes, not ${p.volumes}`);
  // Through dist/cli-bundle (bin/virtkit's fast start) and through the modules themselves
  // (VIRTKIT_CLI_BUNDLE=0), interleaved so that load hits both alike.
  const bundle = await vk.cli(['version'], { VIRTKIT_CLI_TRACE: '1' });
  if (!/cli bundle: used/.test(bundle.stderr)) throw new Error(`the CLI does not start from its bundle (run npm run build): ${bundle.stderr.trim()}`);
  await repeat(cli, 'volList', p.listReps, async () => {
    cli.add('volListModules', (await vk.cli(['vol-list', 'default', '--details'], { VIRTKIT_CLI_BUNDLE: '0' })).ms);
    return (await vk.cli(['vol-list', 'default', '--details'])).ms;
  });
  await repeat(cli, 'nodeStart', p.listReps, async () => (await runTimed(process.execPath, ['-e', ''], { env: { PATH: process.env['PATH'] ?? '' } })).ms);
  await repeat(cli, 'version', p.listReps, async () => (await vk.cli(['version'])).ms);
  await repeat(api, 'volList', p.listReps * 3, async () => {
    await vk.client.listVolumes('default');
  });
}

/** Clean up what benchVolList made, so that later rows run in a small pool. */
export async function removeVolumes(vk: VirtkitInstance, dir: string): Promise<void> {
  for (const f of await readdir(dir)) await rm(join(dir, f), { force: true });
  await vk.client.poolAction('default', 'refresh');
}

/**
 * A linked clone of a qcow2 base: qemu-img alone (its own process), virtkit's qemu-img plan run in
 * process (planLinkedClone + runQemuImgRetrying: the path vol-clone takes, without the daemon), and
 * through the API: `cloneVolume --linked` (vol-clone) and a volume with a <backingStore>
 * (vol-create-as --backing-vol); `alt` is a second daemon (V8's default flags) for the same
 * vol-clone, interleaved so that load hits both alike (right after this build's, first and second in
 * turn), its samples under `alt.key` (default cloneV8Defaults). Each clone is deleted after.
 */
export async function benchLinkedClone(vk: VirtkitInstance, dir: string, p: StoragePlan, img: Samples, api: Samples,
  alt?: { vk: VirtkitInstance; dir: string; key?: string }): Promise<void> {
  const base = join(dir, 'base.qcow2');
  for (const d of alt ? [dir, alt.dir] : [dir]) await runQemuImgRetrying(['create', '-q', '-f', 'qcow2', join(d, 'base.qcow2'), '1G']);
  await vk.client.poolAction('default', 'refresh');
  if (alt) await alt.vk.client.poolAction('default', 'refresh');
  const pool = { name: 'default', type: 'dir', target: { path: dir } };
  const timed = async (key: string, fn: () => Promise<unknown>): Promise<void> => {
    const t0 = now();
    await fn();
    api.add(key, now() - t0);
  };
  // qemu-img alone once more, exec'd by a process that waited for it (as the daemon's spare runs it):
  // qemu-img's own time without the fork of this node process that the row above includes.
  const qemuImg = onPath('qemu-img') ?? 'qemu-img';
  const spare = new ExecSpare({ ...process.env, LC_ALL: 'C' }, () => onPath('perl'));
  const prestarted = async (out: string): Promise<number | undefined> => {
    const argv = ['create', '-q', '-f', 'qcow2', '-b', base, '-F', 'qcow2', out];
    for (let tries = 0; tries < 200; tries++) {
      const t0 = now();
      const child = spare.take(qemuImg, argv);
      if (child === undefined) {
        await sleep(5);
        continue;
      }
      child.stderr?.resume();
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      if (code !== 0) throw new Error(`qemu-img ${argv.join(' ')} exited with ${code}`);
      return now() - t0;
    }
    return undefined; // no perl here: the row stays empty
  };
  // One uncounted round first: the daemons load their XML and storage code on the first clone.
  for (let i = -1; i < p.cloneReps; i++) {
    const a = join(dir, `img-${i}.qcow2`);
    const r = await runTimed('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', base, '-F', 'qcow2', a]);
    if (i >= 0) img.add('clone', r.ms);
    const pre = await prestarted(join(dir, `pre-${i}.qcow2`));
    if (i >= 0 && pre !== undefined) img.add('clonePrestarted', pre);
    const t0 = now();
    const plan = planLinkedClone({ pool: pool as never, vol: { name: `plan-${i}.qcow2`, target: { path: join(dir, `plan-${i}.qcow2`), format: { type: 'qcow2' } } } as never, source: { path: base, format: 'qcow2' } });
    for (const s of plan.steps) await runQemuImgRetrying(s.argv.slice(1));
    if (i >= 0) api.add('clonePlan', now() - t0);
    const k = i >= 0 ? '' : 'Warm';
    const mine = () => timed(`clone${k}`, () => vk.client.cloneVolume('default', 'base.qcow2', `api-${i}.qcow2`, { linked: true }));
    const other = alt ? () => timed(`${alt.key ?? 'cloneV8Defaults'}${k}`, () => alt.vk.client.cloneVolume('default', 'base.qcow2', `api-${i}.qcow2`, { linked: true })) : undefined;
    // The two daemons' clones back to back, which goes first alternating: the first of a pair was
    // seen to run ~1-2 ms slower under load, whichever build it was.
    if (other !== undefined && i % 2 === 1) await other();
    await mine();
    if (other !== undefined && i % 2 !== 1) await other();
    await timed(`cloneXml${k}`, () => vk.client.createVolume('default', vol(`xml-${i}.qcow2`, 1 << 30, base)));
    await vk.client.deleteVolume('default', `api-${i}.qcow2`);
    await vk.client.deleteVolume('default', `xml-${i}.qcow2`);
    if (alt) await alt.vk.client.deleteVolume('default', `api-${i}.qcow2`);
    await rm(a);
    await rm(join(dir, `pre-${i}.qcow2`), { force: true });
    await rm(plan.target);
    // A pause before the next round's qemu-img: what a daemon does once it is idle (it starts its
    // qemu-img spare 2 ms after its last request, docs/storage.md) then runs here, not beside the
    // next round's timed rows.
    await sleep(20);
  }
}

/** `MiB` MiB of random bytes, fsync'ed, in `file`. */
export async function randomFile(file: string, mib: number): Promise<void> {
  const fh = await open(file, 'w');
  try {
    const block = randomBytes(MiB);
    for (let i = 0; i < mib; i++) await fh.write(block, 0, MiB, i * MiB);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * vol-upload / vol-download of p.transferMiB through the API and the CLI (their default, the local
 * fast path here, and forced through the stream), against cp (plain, and followed by sync) and a
 * bare node UNIX-socket stream between two processes (bare-socket.ts).
 */
export async function benchTransfer(vk: VirtkitInstance, dir: string, work: string, p: StoragePlan, cp: Samples, api: Samples, cli: Samples): Promise<void> {
  const src = join(work, 'src.bin');
  await randomFile(src, p.transferMiB);
  await vk.client.createVolume('default', `<volume><name>t.raw</name><capacity>${p.transferMiB * MiB}</capacity></volume>`);
  const volPath = join(dir, 't.raw');
  const out = join(work, 'out.bin');
  const rate = (ms: number) => p.transferMiB / (ms / 1000);
  for (let i = 0; i < p.transferReps; i++) {
    cp.add('copy', rate((await runTimed('cp', [src, out])).ms));
    cp.add('copySync', rate((await runTimed('sh', ['-c', 'cp "$0" "$1" && sync "$1"', src, out])).ms));
    await rm(out);
    cp.add('socket', await bareSocketRate(work, src));
    cp.add('socketFile', await bareSocketRate(work, src, out));
    await rm(out);
    // The client's default (the local fast path here: a client on the daemon's host), then the
    // same forced through the API's stream ({ stream: true }, the CLI's --stream), interleaved,
    // which goes first alternating by repetition.
    for (const stream of i % 2 === 0 ? [false, true] : [true, false]) {
      const key = (k: string) => (stream ? `${k}Stream` : k);
      let t0 = now();
      await vk.client.uploadVolume('default', 't.raw', src, { stream });
      api.add(key('upload'), rate(now() - t0));
      t0 = now();
      await vk.client.downloadVolume('default', 't.raw', out, { stream });
      api.add(key('download'), rate(now() - t0));
      await rm(out);
      const flag = stream ? ['--stream'] : [];
      cli.add(key('upload'), rate((await vk.cli(['vol-upload', 't.raw', src, '--pool', 'default', ...flag])).ms));
      cli.add(key('download'), rate((await vk.cli(['vol-download', 't.raw', out, '--pool', 'default', ...flag])).ms));
      await rm(out);
    }
  }
  const a = await readFileHead(src);
  const b = await readFileHead(volPath);
  if (!a.equals(b)) throw new Error('the uploaded volume differs from its source');
  await rm(src);
}

async function readFileHead(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(MiB);
    await fh.read(b, 0, MiB, 0);
    return b;
  } finally {
    await fh.close();
  }
}

/** Disks of p.vms VMs from one base (64 MiB of data in a 1 GiB qcow2): linked clones (API) vs full copies (qemu-img convert). */
export async function benchProvision(vk: VirtkitInstance, dir: string, p: StoragePlan, img: Samples, api: Samples): Promise<void> {
  const base = join(dir, 'gold.qcow2');
  await runQemuImgRetrying(['create', '-q', '-f', 'qcow2', base, '1G']);
  await runTimed('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x5a 0 64M', base]);
  await vk.client.poolAction('default', 'refresh');
  const linked: string[] = [];
  let t0 = now();
  for (let i = 0; i < p.vms; i++) {
    const v = await vk.client.createVolume('default', vol(`vm${i}-linked.qcow2`, 1 << 30, base));
    linked.push(v.path);
  }
  api.add('provisionLinked', now() - t0);
  api.add('provisionLinkedMiB', (await allocated(linked)) / MiB);
  const full: string[] = [];
  t0 = now();
  for (let i = 0; i < p.vms; i++) {
    const f = join(dir, `vm${i}-full.qcow2`);
    await runQemuImgRetrying(['convert', '-f', 'qcow2', '-O', 'qcow2', base, f]);
    full.push(f);
  }
  img.add('provisionFull', now() - t0);
  img.add('provisionFullMiB', (await allocated(full)) / MiB);
  for (const f of [...linked, ...full]) await rm(f);
  await vk.client.poolAction('default', 'refresh');
}

/** Per image: virtkit's qcow2 header reader (in process) vs `qemu-img info --output=json` (a process). */
export async function benchHeader(work: string, p: StoragePlan, img: Samples, api: Samples): Promise<void> {
  const files: string[] = [];
  for (let i = 0; i < p.headerImages; i++) {
    const f = join(work, `h${i}.qcow2`);
    await runQemuImgRetrying(['create', '-q', '-f', 'qcow2', f, `${i + 1}G`]);
    files.push(f);
  }
  await readQcow2File(files[0] as string); // loads the reader's modules: not counted
  for (const f of files) {
    const t0 = now();
    const { info } = await readQcow2File(f);
    api.add('header', now() - t0);
    const r = await runTimed('qemu-img', ['info', '--output=json', f]);
    img.add('header', r.ms);
    const size = (JSON.parse(r.stdout) as { 'virtual-size': number })['virtual-size'];
    if (size !== info.virtualSize) throw new Error(`${f}: virtkit read ${info.virtualSize} bytes, qemu-img ${size}`);
  }
  for (const f of files) await rm(f);
}
