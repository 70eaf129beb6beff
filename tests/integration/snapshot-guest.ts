/**
 * Set-up the snapshot and block-job integration tests share: a harness (lifecycle-harness.ts)
 * with a guest booted from a qcow2 overlay over a private copy of the test rootfs (raw), its
 * console shell, power-off, the disk's source in the definition and the host tools.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { assertNoLeftovers, createHarness } from './lifecycle-harness.js';
import type { Harness } from './lifecycle-harness.js';
import { GUEST_READY_MARKER, GUEST_ROOT_APPEND, ensureTestRootfs, guestDomainXml, virtioDiskXml } from '../helpers/guest.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { until } from '../helpers/wait.js';

const execFileP = promisify(execFile);
const toolEnv = { ...process.env, PATH: `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin` };
export const tool = (cmd: string, ...args: string[]) => execFileP(cmd, args, { env: toolEnv, maxBuffer: 16 << 20 });

export async function console(h: Harness, name: string): Promise<GuestShell> {
  return new GuestShell((await h.engine.dispatch({ kind: 'console', name })).stream);
}

export async function boot(h: Harness, name: string, overlay: string): Promise<GuestShell> {
  await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml(name, { append: GUEST_ROOT_APPEND, devices: virtioDiskXml(overlay, 'vda', 'qcow2') }) });
  await h.engine.dispatch({ kind: 'start', name });
  await h.remember(name);
  const shell = await console(h, name);
  await shell.waitFor(GUEST_READY_MARKER);
  return shell;
}

export async function powerOff(h: Harness, name: string): Promise<void> {
  await h.engine.dispatch({ kind: 'shutdown', name });
  await until(`${name} shut off`, async () => (await h.engine.dispatch({ kind: 'get', name })).state === 'shutoff');
}

/** The guest root's overlay over a private copy of the test rootfs. */
async function rootOverlay(dir: string): Promise<string> {
  const base = join(dir, 'base.img');
  await tool('cp', '--sparse=always', await ensureTestRootfs(), base);
  const overlay = join(dir, 'root.qcow2');
  await tool('qemu-img', 'create', '-q', '-f', 'qcow2', '-b', base, '-F', 'raw', overlay);
  return overlay;
}

export async function fileExists(shell: GuestShell, path: string): Promise<boolean> {
  return (await shell.run(`test -e ${path}`)).code === 0;
}

/** The first disk's source file in the definition (`inactive`) or the live one. */
export async function diskSource(h: Harness, name: string, inactive = true): Promise<string> {
  const m = /<source file='([^']+)'/.exec(await h.engine.dispatch({ kind: 'dumpxml', name, inactive }));
  return m?.[1] ?? '';
}

export async function withGuest(prefix: string, fn: (h: Harness, dir: string, overlay: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const h = await createHarness();
  try {
    await fn(h, dir, await rootOverlay(dir));
    await assertNoLeftovers(h);
  } finally {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  }
  assert.ok(!existsSync(dir), `${dir} left behind`);
}

/** The chain of images qemu-img sees from top down. */
export async function chainOnDisk(top: string): Promise<string[]> {
  const info = JSON.parse((await tool('qemu-img', 'info', '-U', '--backing-chain', '--output=json', top)).stdout) as { filename: string }[];
  return info.map((i) => i.filename);
}

/** The live XML's chain of disk vda: the source, then each <backingStore index=N> (N checked to be the depth). */
export async function liveChain(h: Harness, name: string): Promise<string[]> {
  const xml = await h.engine.dispatch({ kind: 'dumpxml', name });
  const disk = /<disk type='file' device='disk'>[^]*?<\/disk>/.exec(xml)?.[0] ?? '';
  const files = [/<source file='([^']+)'/.exec(disk)?.[1] ?? ''];
  for (const m of disk.matchAll(/<backingStore type='file' index='(\d+)'>\s*<format type='\w+'\/>\s*<source file='([^']+)'\/>/g)) {
    assert.equal(Number(m[1]), files.length, 'index is the depth in the chain');
    files.push(m[2] ?? '');
  }
  assert.match(disk, /<backingStore\/>/, 'the chain ends with an empty <backingStore/>, as libvirt');
  return files;
}
