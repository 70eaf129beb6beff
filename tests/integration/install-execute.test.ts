/**
 * Carrying out install plans (src/daemon/install/execute.ts) in an in-process daemon, with real
 * volumes in its `default` pool and the real test guest booted by `<kernel>`/`<initrd>` (the
 * `--boot kernel=,initrd=` shape). The plans are written by hand: the plan builder is another
 * part of `virtkit install`. Each test checks what is on the host afterwards: the pool listing and
 * the pool's directory, the domain list, the boot dir.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { InstallPlan, PlannedVolume } from '../../src/core/install/types.js';
import type { EngineContext } from '../../src/daemon/engine/context.js';
import { executeInstall } from '../../src/daemon/install/execute.js';
import { installBootDir } from '../../src/daemon/install/host-facts.js';
import { installPhaseEnd } from '../../src/daemon/install/phases.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { GUEST_APPEND, GUEST_READY_MARKER, GUEST_ROOT_APPEND, GUEST_SHELL, ensureTestGuest, ensureTestRootfs, guestDomainXml, rootMountedLine, virtioDiskXml } from '../helpers/guest.js';
import { until } from '../helpers/wait.js';
import { inProcessDaemon, type InProcess } from './daemon-harness.js';

const MiB = 1024 * 1024;

function plan(name: string, phases: string[], o: Partial<InstallPlan> = {}): InstallPlan {
  return {
    name, phases, volumes: [], cloudInit: null, copies: [], autostart: false, transient: false, autoconsole: 'none',
    waitMinutes: null, noreboot: false, start: true, warnings: [], ...o,
  };
}

function volume(d: InProcess, name: string, o: Partial<PlannedVolume> = {}): PlannedVolume {
  return { pool: 'default', name, path: join(d.layout.imagesDir, name), format: 'qcow2', capacity: 16 * MiB, backing: null, cloneFrom: null, sparse: true, ...o };
}

/** The pool's volume names and the files in its directory (hidden temp files included). */
async function poolContents(d: InProcess): Promise<{ volumes: string[]; files: string[] }> {
  const vols = await d.daemon.engine.dispatch({ kind: 'volList', pool: 'default' });
  return { volumes: vols.map((v) => v.name).sort(), files: (await readdir(d.layout.imagesDir)).sort() };
}

async function domainNames(ctx: EngineContext): Promise<string[]> {
  return ctx.registry.all().map((r) => r.name);
}

/** Undefines first (waiting for any job, the daemon's restart included), then stops what still runs. */
async function stopAndUndefine(d: InProcess, name: string): Promise<void> {
  const e = d.daemon.engine;
  if ((await e.dispatch({ kind: 'get', name }).catch(() => undefined))?.persistent === true) await e.dispatch({ kind: 'undefine', name }, { wait: 60_000 });
  const r = await e.dispatch({ kind: 'get', name }).catch(() => undefined);
  if (r !== undefined && r.state !== 'shutoff') await e.dispatch({ kind: 'destroy', name }, { wait: 60_000 });
}

/** A base raw volume holding the test guest's ext4 root, imported into `default`. */
async function importRoot(d: InProcess): Promise<string> {
  const v = await d.daemon.engine.dispatch({ kind: 'volImport', pool: 'default', file: await ensureTestRootfs(), format: 'raw', name: 'base.raw', targetFormat: 'raw' }, { wait: 60_000 });
  return v.path;
}

test('a plan with a new qcow2 volume and a linked clone defines, autostarts and boots the guest from the clone', { timeout: 300_000 }, async () => {
  const d = await inProcessDaemon();
  const ctx = d.daemon.engine.ctx;
  const name = 'vk-inst-boot';
  try {
    const base = await importRoot(d);
    const root = volume(d, 'vk-inst-boot-root.qcow2', { capacity: 0, backing: { path: base, format: 'raw' } });
    const data = volume(d, 'vk-inst-boot-data.qcow2');
    const xml = await guestDomainXml(name, { append: GUEST_ROOT_APPEND, devices: virtioDiskXml(root.path, 'vda', 'qcow2') + virtioDiskXml(data.path, 'vdb', 'qcow2') });
    const r = await executeInstall(ctx, plan(name, [xml], { volumes: [root, data], autostart: true }));
    assert.equal(r.running, 'final');
    assert.deepEqual(r.volumes.map((v) => v.path), [root.path, data.path]);
    const info = await d.daemon.engine.dispatch({ kind: 'get', name });
    assert.deepEqual([info.state, info.persistent, info.autostart], ['running', true, true]);
    const clone = await d.daemon.engine.dispatch({ kind: 'volGet', pool: 'default', volume: root.name });
    assert.deepEqual(clone.backing, { path: base, format: 'raw' }, 'the root volume is a linked clone of the base');
    const shell = new GuestShell((await d.daemon.engine.dispatch({ kind: 'console', name })).stream);
    await shell.waitFor(GUEST_READY_MARKER);
    assert.ok(shell.text.includes(rootMountedLine()), `the guest mounted its root from the clone:\n${shell.text}`);
    assert.equal((await shell.check('cat /sys/block/vdb/size')).trim(), String((16 * MiB) / 512), 'the new volume is the guest\'s vdb, 16 MiB');
  } finally {
    try {
      await stopAndUndefine(d, name);
    } finally {
      await d.close();
    }
  }
});

test('a plan that fails half-way (a network that does not exist; a pool that does not exist) leaves no domain, volume or file', { timeout: 300_000 }, async () => {
  const d = await inProcessDaemon();
  const ctx = d.daemon.engine.ctx;
  try {
    const base = await importRoot(d);
    const before = await poolContents(d);
    assert.deepEqual(before.volumes, ['base.raw']);
    const g = await ensureTestGuest();
    const nic = "    <interface type='network'><source network='vk-inst-nonet'/><model type='virtio'/></interface>\n";

    const root = volume(d, 'vk-inst-fail-root.qcow2', { capacity: 0, backing: { path: base, format: 'raw' } });
    const data = volume(d, 'vk-inst-fail-data.qcow2');
    const kernelCopy = join(installBootDir(ctx), 'virtinst-vkfail-vmlinuz');
    const xml = await guestDomainXml('vk-inst-nonet', { devices: virtioDiskXml(root.path, 'vda', 'qcow2') + nic });
    await assert.rejects(
      executeInstall(ctx, plan('vk-inst-nonet', [xml], { volumes: [root, data], copies: [{ from: g.kernel, to: kernelCopy, isoPath: null }] })),
      (e: { code?: string; message?: string; details?: { undo?: { undone: string[]; leftBehind: unknown[] } } }) => {
        assert.equal(e.code, 'NETWORK_NOT_FOUND', e.message);
        assert.match(e.message ?? '', /everything it had made was removed again/);
        assert.deepEqual(e.details?.undo?.leftBehind, []);
        assert.equal(e.details?.undo?.undone.length, 4, JSON.stringify(e.details?.undo));
        return true;
      },
    );
    assert.deepEqual(await domainNames(ctx), [], 'no domain is left');
    assert.deepEqual(await poolContents(d), before, 'no volume (and no file) is left in the pool');
    assert.equal(existsSync(kernelCopy), false, 'the copied kernel is gone');

    // The second volume's pool does not exist: the first volume, already made, goes again.
    const elsewhere = volume(d, 'vk-inst-fail-b.qcow2', { pool: 'vk-inst-nopool', path: '/nonexistent/vk-inst-fail-b.qcow2' });
    const xml2 = await guestDomainXml('vk-inst-nopool', { devices: virtioDiskXml(data.path, 'vda', 'qcow2') });
    await assert.rejects(executeInstall(ctx, plan('vk-inst-nopool', [xml2], { volumes: [data, elsewhere] })), { code: 'POOL_NOT_FOUND' });
    assert.deepEqual(await domainNames(ctx), []);
    assert.deepEqual(await poolContents(d), before);

    // A copy onto a file that is there already: refused, and that file is not ours to remove.
    const theirs = join(installBootDir(ctx), 'virtinst-theirs-vmlinuz');
    await writeFile(theirs, 'not ours');
    await assert.rejects(executeInstall(ctx, plan('vk-inst-exists', [xml2], { volumes: [data], copies: [{ from: g.kernel, to: theirs, isoPath: null }] })), { code: 'IO_ERROR' });
    assert.equal(await readFile(theirs, 'utf8'), 'not ours');
    assert.deepEqual(await poolContents(d), before);

    // A cloud-init seed without a seed writer: refused once the volume is made, which goes again.
    const seed = { path: join(installBootDir(ctx), 'virtinst-vkfail-cloudinit.iso'), userData: '', metaData: '', networkConfig: null, generatedRootPassword: null };
    await assert.rejects(executeInstall(ctx, plan('vk-inst-noseed', [xml2], { volumes: [data], cloudInit: seed })), { code: 'UNSUPPORTED_OPERATION' });
    assert.deepEqual(await poolContents(d), before);
    assert.equal(existsSync(seed.path), false);
  } finally {
    await d.close();
  }
});

/**
 * Phase 1 boots a copy of the kernel (as --location copies it out of the media) with on_reboot=destroy
 * and the cloud-init seed as a CD-ROM (written by `writeSeed`: the real writer is another part).
 */
async function phasedPlan(d: InProcess, name: string, noreboot: boolean): Promise<{ plan: InstallPlan; kernelCopy: string; seed: string }> {
  const g = await ensureTestGuest();
  const boot = installBootDir(d.daemon.engine.ctx);
  const kernelCopy = join(boot, `virtinst-${name}-vmlinuz`);
  const seed = join(boot, `virtinst-${name}-cloudinit.iso`);
  const cdrom = `    <disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='${seed}'/><target dev='hdc' bus='ide'/><readonly/></disk>\n`;
  const phase1 = (await guestDomainXml(name, { append: `${GUEST_APPEND} ${GUEST_SHELL} vk.phase=install`, extra: '  <on_reboot>destroy</on_reboot>\n', devices: cdrom }))
    .replace(`<kernel>${g.kernel}</kernel>`, `<kernel>${kernelCopy}</kernel>`);
  const final = await guestDomainXml(name, { append: `${GUEST_APPEND} ${GUEST_SHELL} vk.phase=final` });
  const cloudInit = { path: seed, userData: '#cloud-config\n', metaData: `instance-id: ${name}\n`, networkConfig: null, generatedRootPassword: null };
  return { plan: plan(name, [phase1, final], { copies: [{ from: g.kernel, to: kernelCopy, isoPath: null }], cloudInit, noreboot }), kernelCopy, seed };
}

/** Stands in for the NoCloud ISO writer: the user-data's bytes, padded to a sector. */
const writeSeed = async (s: { path: string; userData: string }): Promise<void> => {
  await writeFile(s.path, Buffer.concat([Buffer.from(s.userData), Buffer.alloc(2048 - s.userData.length)]));
};

async function endInstallPhase(d: InProcess, name: string): Promise<void> {
  const shell = new GuestShell((await d.daemon.engine.dispatch({ kind: 'console', name })).stream);
  await shell.waitFor(GUEST_READY_MARKER);
  assert.match(await shell.check('cat /proc/cmdline'), /vk\.phase=install/, 'the install phase runs the phase-1 XML');
  shell.stream.write('reboot -f\n'); // the installer's reboot: on_reboot=destroy ends the phase
}

test('an install phase runs as the live configuration; when the guest reboots the daemon starts the final definition', { timeout: 300_000 }, async () => {
  const d = await inProcessDaemon();
  const e = d.daemon.engine;
  const name = 'vk-inst-phases';
  try {
    const { plan: p, kernelCopy, seed } = await phasedPlan(d, name, false);
    const r = await executeInstall(e.ctx, p, { writeSeed });
    assert.equal(r.running, 'install');
    assert.deepEqual(r.files, [seed, kernelCopy]);
    assert.ok(existsSync(seed));
    const live = await e.dispatch({ kind: 'dumpxml', name });
    assert.match(live, /vk\.phase=install/, 'live XML: the install phase');
    assert.ok(live.includes(seed), 'the install phase has the seed as a CD-ROM');
    assert.match(await e.dispatch({ kind: 'dumpxml', name, inactive: true }), /vk\.phase=final/, 'persistent XML: the final definition');
    const ended = installPhaseEnd(e.ctx, name);
    assert.ok(ended, 'the daemon follows the install phase');
    await endInstallPhase(d, name);
    assert.deepEqual(await ended, { stopped: 'shutdown', restarted: true });
    assert.equal(existsSync(kernelCopy), false, 'the copied kernel is removed once the install phase ended');
    assert.equal(existsSync(seed), false, 'so is the cloud-init seed');
    assert.ok(!(await e.dispatch({ kind: 'dumpxml', name })).includes(seed), 'the final boot has no seed');
    assert.equal((await e.dispatch({ kind: 'get', name })).state, 'running');
    const shell = new GuestShell((await e.dispatch({ kind: 'console', name })).stream);
    await shell.waitFor(GUEST_READY_MARKER);
    assert.match(await shell.check('cat /proc/cmdline'), /vk\.phase=final/, 'the second boot runs the final definition');
  } finally {
    try {
      await stopAndUndefine(d, name);
    } finally {
      await d.close();
    }
  }
});

test('--noreboot: the install phase ends and the domain stays off, defined with its final definition', { timeout: 300_000 }, async () => {
  const d = await inProcessDaemon();
  const e = d.daemon.engine;
  const name = 'vk-inst-noreboot';
  try {
    const { plan: p, kernelCopy, seed } = await phasedPlan(d, name, true);
    await executeInstall(e.ctx, p, { writeSeed });
    const ended = installPhaseEnd(e.ctx, name);
    await endInstallPhase(d, name);
    assert.deepEqual(await ended, { stopped: 'shutdown', restarted: false });
    const info = await until(`${name} shut off`, async () => {
      const i = await e.dispatch({ kind: 'get', name });
      return i.state === 'shutoff' ? i : undefined;
    });
    assert.equal(info.persistent, true);
    assert.match(await e.dispatch({ kind: 'dumpxml', name }), /vk\.phase=final/);
    assert.deepEqual([existsSync(kernelCopy), existsSync(seed)], [false, false]);
  } finally {
    try {
      await stopAndUndefine(d, name);
    } finally {
      await d.close();
    }
  }
});

test('a plan that does not start defines the domain only and removes the files it made for a boot', async () => {
  const d = await inProcessDaemon();
  const e = d.daemon.engine;
  const name = 'vk-inst-nostart';
  try {
    const { plan: p, kernelCopy, seed } = await phasedPlan(d, name, true);
    const r = await executeInstall(e.ctx, { ...p, start: false, autostart: true }, { writeSeed });
    assert.equal(r.running, null);
    // A name another install is still making (here: while it makes its volume, before it defines
    // anything) is refused, as is the name of a defined domain.
    const vol = volume(d, 'vk-inst-nostart-2.qcow2');
    const [x, y] = await Promise.allSettled([
      executeInstall(e.ctx, plan('vk-inst-twice', p.phases.slice(1).map((xml) => xml.replace(name, 'vk-inst-twice')), { volumes: [vol], start: false })),
      executeInstall(e.ctx, plan('vk-inst-twice', [], { start: false })),
    ]);
    assert.equal(x.status, 'fulfilled');
    assert.equal(y.status === 'rejected' && (y.reason as { code?: string }).code, 'DOMAIN_EXISTS');
    assert.match(String(y.status === 'rejected' ? (y.reason as Error).message : ''), /another install is making it/);
    await assert.rejects(executeInstall(e.ctx, plan(name, p.phases, { start: false })), { code: 'DOMAIN_EXISTS' });
    await e.dispatch({ kind: 'undefine', name: 'vk-inst-twice' });
    const info = await e.dispatch({ kind: 'get', name });
    assert.deepEqual([info.state, info.persistent, info.autostart], ['shutoff', true, true]);
    assert.match(await e.dispatch({ kind: 'dumpxml', name }), /vk\.phase=final/);
    assert.deepEqual([existsSync(kernelCopy), existsSync(seed)], [false, false]);
  } finally {
    try {
      await stopAndUndefine(d, name);
    } finally {
      await d.close();
    }
  }
});

test('--transient: the install phase runs as a transient domain that is gone once it ends, with its files', { timeout: 300_000 }, async () => {
  const d = await inProcessDaemon();
  const e = d.daemon.engine;
  const name = 'vk-inst-transient';
  try {
    const { plan: p, kernelCopy, seed } = await phasedPlan(d, name, false);
    const r = await executeInstall(e.ctx, { ...p, transient: true }, { writeSeed });
    assert.equal(r.running, 'install');
    assert.equal((await e.dispatch({ kind: 'get', name })).persistent, false);
    const ended = installPhaseEnd(e.ctx, name);
    await endInstallPhase(d, name);
    assert.deepEqual(await ended, { stopped: 'shutdown', restarted: false });
    await assert.rejects(e.dispatch({ kind: 'get', name }), { code: 'DOMAIN_NOT_FOUND' });
    assert.deepEqual([existsSync(kernelCopy), existsSync(seed)], [false, false]);
  } finally {
    try {
      await stopAndUndefine(d, name);
    } finally {
      await d.close();
    }
  }
});
