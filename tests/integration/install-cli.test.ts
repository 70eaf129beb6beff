/**
 * `virtkit install` through the CLI, the API route and the daemon, in-process. Most tests give the
 * daemon a planner that answers a hand-written plan for the test guest (two phases, a seed),
 * checking what the route hands it (the parsed command line and the host facts); install-real.test.ts
 * runs the real plan builder.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { open, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { HostFacts, InstallArgs, InstallPlan } from '../../src/core/install/types.js';
import { run } from '../../src/cli/run.js';
import { useInstallPlanner } from '../../src/daemon/install/planner.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { GUEST_APPEND, GUEST_READY_MARKER, GUEST_SHELL, guestDomainXml } from '../helpers/guest.js';
import { until } from '../helpers/wait.js';
import { api, cli, domainXml, inProcessDaemon, type InProcess } from './daemon-harness.js';

/** The test guest in two phases; with `seed`, phase 1 has it as an IDE CD-ROM. */
async function phased(name: string, o: Partial<InstallPlan> = {}, seed?: string): Promise<InstallPlan> {
  const cdrom = seed === undefined ? '' : `    <disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='${seed}'/><target dev='hdc' bus='ide'/><readonly/></disk>\n`;
  const phase1 = await guestDomainXml(name, { append: `${GUEST_APPEND} ${GUEST_SHELL} vk.phase=install`, extra: '  <on_reboot>destroy</on_reboot>\n', devices: cdrom });
  const final = await guestDomainXml(name, { append: `${GUEST_APPEND} ${GUEST_SHELL} vk.phase=final` });
  return {
    name, phases: [phase1, final], volumes: [], cloudInit: null, copies: [], autostart: false, transient: false,
    autoconsole: 'none', waitMinutes: null, noreboot: false, start: true, warnings: [], ...o,
  };
}

/** Undefines first (waiting for any job, the daemon's restart included), then stops what still runs. */
async function cleanup(d: InProcess, name: string): Promise<void> {
  const e = d.daemon.engine;
  if ((await e.dispatch({ kind: 'get', name }).catch(() => undefined))?.persistent === true) await e.dispatch({ kind: 'undefine', name }, { wait: 60_000 });
  const r = await e.dispatch({ kind: 'get', name }).catch(() => undefined);
  if (r !== undefined && r.state !== 'shutoff') await e.dispatch({ kind: 'destroy', name }, { wait: 60_000 });
}

test('errors of the plan are the route\'s and the command\'s, with nothing made; bad flags are usage errors', async () => {
  const d = await inProcessDaemon();
  try {
    const r = await api(d.layout, 'POST', '/v1/install', { args: { name: [{ raw: 'vk-x', opts: [] }], import: [{ raw: '', opts: [] }] } });
    assert.equal(r.status, 400);
    assert.match((r.body as { error: { message: string } }).error.message, /--os-variant\/--osinfo OS name is required/);
    const c = await cli(d.root, ['install', '--name', 'vk-x', '--import', '--disk', 'none', '--osinfo', 'vk-no-such-os']);
    assert.equal(c.code, 1);
    assert.match(c.stderr, /^error: --osinfo vk-no-such-os: no OS of that short-id or id/m);
    const bad = await cli(d.root, ['install', '--name', 'vk-x', '--bogus']);
    assert.deepEqual([bad.code, bad.stderr], [1, 'error: unrecognized arguments: --bogus\n']);
    const other = await cli(d.root, ['install', '--connect', 'qemu:///system', '--name', 'vk-x']);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /give the URI before the command/);
    assert.equal((await d.daemon.engine.dispatch({ kind: 'list', filter: {} })).length, 0);
  } finally {
    await d.close();
  }
});

test('--print-xml prints the phases and --dry-run says so; neither makes anything', async () => {
  const d = await inProcessDaemon();
  const name = 'vk-cli-dry';
  const p = await phased(name, { volumes: [{ pool: 'default', name: `${name}.qcow2`, path: '/unused', format: 'qcow2', capacity: 1 << 20, backing: null, cloneFrom: null, sparse: true }] });
  const restore = useInstallPlanner(async () => p);
  try {
    const xml = await cli(d.root, ['install', '--name', name, '--print-xml', '--disk', 'size=1']);
    assert.equal(xml.code, 0, xml.stderr);
    assert.equal(xml.stdout, p.phases.join(''));
    const two = await cli(d.root, ['install', '--name', name, '--print-xml=2']);
    assert.equal(two.stdout, p.phases[1]);
    const dry = await cli(d.root, ['install', '--name', name, '--dry-run']);
    assert.deepEqual([dry.code, dry.stdout], [0, 'Dry run completed successfully\n\n']);
    const json = await cli(d.root, ['--json', 'install', '--name', name, '--dry-run']);
    assert.deepEqual(JSON.parse(json.stdout), { plan: p, made: null });
    assert.equal((await d.daemon.engine.dispatch({ kind: 'list', filter: {} })).length, 0, 'no domain');
    assert.deepEqual(await readdir(d.layout.imagesDir), [], 'no volume');
  } finally {
    restore();
    await d.close();
  }
});

test('install with --wait: the install phase runs, the guest powers off, the daemon starts the final definition', { timeout: 300_000 }, async () => {
  const d = await inProcessDaemon();
  const e = d.daemon.engine;
  const name = 'vk-cli-wait';
  let seen: { args: InstallArgs; host: HostFacts } | undefined;
  let seed = '';
  const restore = useInstallPlanner(async (args, host) => {
    seen = { args, host };
    seed = join(host.bootDir, `virtinst-${name}-cloudinit.iso`);
    const cloudInit = { path: seed, userData: '#cloud-config\n', metaData: `instance-id: ${name}\n`, networkConfig: null, generatedRootPassword: null };
    return phased(name, { waitMinutes: -1, cloudInit }, seed);
  });
  try {
    const run = cli(d.root, ['install', '--name', name, '--import', '--noautoconsole', '--wait=-1']);
    await until(`${name} running`, async () => (await e.dispatch({ kind: 'get', name }).catch(() => undefined))?.state === 'running');
    const shell = new GuestShell((await e.dispatch({ kind: 'console', name })).stream);
    await shell.waitFor(GUEST_READY_MARKER);
    assert.match(await shell.check('cat /proc/cmdline'), /vk\.phase=install/);
    // The seed, written by the daemon's ISO writer: an ISO 9660 image labelled cidata, 0600, on the install boot.
    const pvd = Buffer.alloc(6);
    const fh = await open(seed, 'r');
    await fh.read(pvd, 0, 6, 16 * 2048 + 40);
    assert.equal((await fh.stat()).mode & 0o777, 0o600);
    await fh.close();
    assert.equal(pvd.toString('latin1'), 'cidata');
    assert.ok((await e.dispatch({ kind: 'dumpxml', name })).includes(seed));
    await e.dispatch({ kind: 'shutdown', name }); // the guest powers off: the install phase ends
    const r = await run;
    assert.equal(existsSync(seed), false, 'the seed is deleted once the install phase ended');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '\nStarting install...\n\nDomain is still running. Installation may be in progress.\n' +
      'Waiting for the installation to complete.\nDomain has shutdown. Continuing.\nDomain creation completed.\nRestarting guest.\n\n');
    assert.equal((await e.dispatch({ kind: 'get', name })).state, 'running');
    assert.match(await e.dispatch({ kind: 'dumpxml', name }), /vk\.phase=final/, 'the final definition runs');
    assert.deepEqual(seen?.args['name'], [{ raw: name, opts: [] }]);
    assert.ok(seen?.host.pools.some((p) => p.name === 'default' && p.active), 'the default pool is made for the planner');
    assert.equal(seen?.host.bootDir, `${d.layout.stateDir}/boot`);
    assert.ok(seen?.host.machines.includes('pc-q35-7.2') && seen.host.machineAliases['q35'] === 'pc-q35-7.2', JSON.stringify(seen?.host.machineAliases));
  } finally {
    restore();
    try {
      await cleanup(d, name);
    } finally {
      await d.close();
    }
  }
});

test('install with the console: it shows the install boot, then attaches again to the final boot the daemon starts', { timeout: 300_000 }, async () => {
  const d = await inProcessDaemon();
  const e = d.daemon.engine;
  const name = 'vk-cli-console';
  const restore = useInstallPlanner(async () => phased(name, { autoconsole: 'text' }));
  let out = '';
  let err = '';
  try {
    const code = run(['--root', d.root, 'install', '--name', name, '--import'], {
      stdout: (t) => { out += t; }, stderr: (t) => { err += t; }, env: { PATH: process.env['PATH'] }, cwd: d.root,
    });
    const markers = (): number => out.split(GUEST_READY_MARKER).length - 1;
    await until('the install boot on the console', () => markers() >= 1);
    await e.dispatch({ kind: 'shutdown', name }); // the install phase ends
    await until('the final boot on the console', () => markers() >= 2 && out.indexOf('Restarting guest.') < out.lastIndexOf(GUEST_READY_MARKER));
    assert.match(await e.dispatch({ kind: 'dumpxml', name }), /vk\.phase=final/);
    await e.dispatch({ kind: 'shutdown', name }); // the installed guest powers off: the console ends, and the command
    assert.equal(await code, 0, err);
    assert.equal(out.split(`Connected to domain '${name}'`).length - 1, 2, out);
    assert.ok(out.includes('\nDomain creation completed.\nRestarting guest.\n'), out);
    assert.equal((await e.dispatch({ kind: 'get', name })).state, 'shutoff');
  } finally {
    restore();
    try {
      await cleanup(d, name);
    } finally {
      await d.close();
    }
  }
});

test('--check: a disk or MAC another domain has, a volume path that exists, a disk larger than its pool are refused unless switched off', async () => {
  const d = await inProcessDaemon();
  const e = d.daemon.engine;
  const shared = join(d.root, 'shared.raw');
  await writeFile(shared, '');
  await e.dispatch({ kind: 'define', xml: domainXml('vk-other', `  <devices>\n    <disk type='file' device='disk'><source file='${shared}'/><target dev='vda' bus='virtio'/></disk>\n` +
    "    <interface type='user'><mac address='52:54:00:aa:bb:cc'/></interface>\n  </devices>\n") });
  const name = 'vk-chk';
  const xmlWith = (devices: string): string => domainXml(name, `  <devices>\n${devices}  </devices>\n`);
  let p: InstallPlan = await phased(name);
  const restore = useInstallPlanner(async () => p);
  const install = (...extra: string[]) => cli(d.root, ['install', '--name', name, '--noautoconsole', ...extra]);
  try {
    p = { ...(await phased(name)), phases: [xmlWith(`    <disk type='file' device='disk'><source file='${shared}'/><target dev='vda' bus='virtio'/></disk>\n`)], start: false };
    const inUse = await install();
    assert.equal(inUse.code, 1);
    assert.equal(inUse.stderr, `error: Disk ${shared} is already in use by other guests ['vk-other']. (Use --check path_in_use=off or --check all=off to override)\n`);
    assert.equal((await install('--check', 'path_in_use=off')).code, 0, 'switched off: defined');
    await e.dispatch({ kind: 'undefine', name });

    p = { ...p, phases: [xmlWith("    <interface type='user'><mac address='52:54:00:AA:BB:CC'/></interface>\n")] };
    assert.match((await install()).stderr, /^error: The MAC address '52:54:00:aa:bb:cc' is in use by another virtual machine\. \(Use --check mac_in_use=off/);
    assert.equal((await install('--check', 'all=off')).code, 0);
    await e.dispatch({ kind: 'undefine', name });

    const vol = { pool: 'default', name: 'shared.raw', path: shared, format: 'raw' as const, capacity: 1, backing: null, cloneFrom: null, sparse: true };
    p = { ...p, phases: [xmlWith('')], volumes: [vol] };
    assert.match((await install()).stderr, new RegExp(`^error: This will overwrite the existing path '${shared}'`));
    p = { ...p, volumes: [{ ...vol, name: 'huge.qcow2', path: join(d.layout.imagesDir, 'huge.qcow2'), format: 'qcow2', capacity: 2 ** 60 }] };
    assert.match((await install()).stderr, /^error: The requested volume capacity will exceed the available pool space when the volume is fully allocated\. \(1099511627776 M requested capacity > \d+ M available\) \(Use --check disk_size=off/);
    assert.match((await install('--check', 'bogus=off')).stderr, /^error: Unknown --check options: \['bogus'\]/);
    assert.deepEqual((await e.dispatch({ kind: 'list', filter: {} })).map((x) => x.name), ['vk-other'], 'nothing else defined');
    assert.deepEqual(await readdir(d.layout.imagesDir), [], 'no volume made');
  } finally {
    restore();
    try {
      await cleanup(d, name);
      await e.dispatch({ kind: 'undefine', name: 'vk-other' });
    } finally {
      await d.close();
    }
  }
});
