/**
 * virtkit clone against a real daemon, real qemu-img, a real virtkit network (bridge and dnsmasq)
 * and real guests (TCG). The original: the test guest with a qcow2 volume of the `default` pool
 * holding known bytes, and a NIC on an isolated virtkit network. Its --auto-clone: the new name
 * and volume name virt-clone gives, virt-clone's messages, a new UUID and MAC; both guests boot
 * at the same time, each gets its own DHCP lease, the clone reads the original's bytes from its
 * own copy. Refusals with their codes (a running original, a name or file that exists, a missing
 * --preserve-data file). A linked clone is a qcow2 overlay backed by the original's volume; the
 * WebSocket form reports each copy's progress; --reflink; --replace; the NVRAM file is copied. A
 * clone that fails half-way (its second disk's directory does not exist) leaves no domain,
 * volume or file. After the file: no bridge, tap or dnsmasq of the test is left.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { VirtkitClient } from '../../src/client/client.js';
import type { CloneProgress } from '../../src/client/websocket.js';
import { startDaemon, type RunningDaemon } from '../../src/daemon/daemon.js';
import type { InstanceLayout } from '../../src/daemon/paths.js';
import { GUEST_READY_MARKER, guestDomainXml, guestNetAppend, leaseLine } from '../helpers/guest.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { linksNamed } from '../helpers/net-lab.js';
import { processesMentioning } from '../helpers/qemu-spawn.js';
import { until } from '../helpers/wait.js';
import { cli, quietLog, tempRoot } from './daemon-harness.js';

const run = promisify(execFile);
const id = randomBytes(2).toString('hex');
const tag = `vkcl${id}`;
const NET = `${tag}net`;
const SUB = `10.224.${randomInt(10, 250)}`;
const A = `${tag}-a`;
const MAC_A = `52:54:00:c1:${id.slice(0, 2)}:01`;
const MAC_B = `52:54:00:c1:${id.slice(0, 2)}:02`;
const TOKEN = `virtkit-clone-${id}`;
const errCode = (stderr: string): string => (JSON.parse(stderr) as { error: { code: string } }).error.code;

const netXml = `<network>\n  <name>${NET}</name>\n  <bridge name='${tag}br'/>\n  <ip address='${SUB}.1' netmask='255.255.255.0'>\n    <dhcp><range start='${SUB}.100' end='${SUB}.199'/></dhcp>\n  </ip>\n</network>\n`;
const volumeDisk = (volume: string, dev: string): string =>
  `    <disk type='volume' device='disk'>\n      <driver name='qemu' type='qcow2'/>\n      <source pool='default' volume='${volume}'/>\n      <target dev='${dev}' bus='virtio'/>\n    </disk>\n`;
const fileDisk = (file: string, dev: string): string =>
  `    <disk type='file' device='disk'>\n      <driver name='qemu' type='raw'/>\n      <source file='${file}'/>\n      <target dev='${dev}' bus='virtio'/>\n    </disk>\n`;
const iface = (mac: string): string => `    <interface type='network'>\n      <source network='${NET}'/>\n      <mac address='${mac}'/>\n      <model type='virtio'/>\n    </interface>\n`;

/** Guests destroyed, the network stopped, the daemon closed, the root removed (also when the test failed). */
async function cleanUp(daemon: RunningDaemon | undefined, root: string): Promise<void> {
  if (daemon) {
    for (const r of daemon.engine.ctx.registry.all()) await r.runtime?.handle?.destroy({ graceful: false }).catch(() => undefined);
    await daemon.engine.dispatch({ kind: 'netDestroy', network: NET }).catch(() => undefined);
    await daemon.close().catch(() => undefined);
  }
  await rm(root, { recursive: true, force: true });
}

after(async () => {
  assert.deepEqual(await linksNamed(tag), [], 'no bridge or tap of the test is left');
  assert.deepEqual(processesMentioning(`/${NET}.conf`), [], 'no dnsmasq of the test is left');
});

describe('virtkit clone (real daemon, qemu-img, network and guests)', { timeout: 600_000 }, () => {
  it('an auto-clone boots beside its original with its own MAC and lease; refusals; a linked clone; a failed clone leaves nothing', async () => {
    const t = await tempRoot();
    let daemon: RunningDaemon | undefined;
    try {
      await cloneTest(t, (d) => { daemon = d; });
    } finally {
      await cleanUp(daemon, t.root);
    }
  });
});

async function cloneTest(t: { root: string; layout: InstanceLayout }, started: (d: RunningDaemon) => void): Promise<void> {
  const daemon = await startDaemon({ layout: t.layout, log: quietLog([]), autostart: false });
  started(daemon);
  const engine = daemon.engine;
  const vk = async (...a: string[]) => {
    const r = await cli(t.root, a);
    assert.equal(r.code, 0, `${a.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const fails = async (...a: string[]) => {
    const r = await cli(t.root, ['--json', ...a]);
    assert.notEqual(r.code, 0, `${a.join(' ')} should fail`);
    return errCode(r.stderr);
  };
  const images = t.layout.imagesDir;

  await writeFile(join(t.root, 'net.xml'), netXml);
  await vk('net-define', 'net.xml');
  await vk('net-start', NET);
  // The original's disk: a qcow2 volume whose first bytes are known.
  const raw = join(t.root, 'seed.raw');
  await writeFile(raw, Buffer.concat([Buffer.from(TOKEN), Buffer.alloc(1024 * 1024 - TOKEN.length)]));
  await vk('vol-import', 'default', raw, '--format', 'raw', '--target-format', 'qcow2', '--name', `${A}.qcow2`);
  await engine.dispatch({ kind: 'define', xml: await guestDomainXml(A, { append: guestNetAppend(A), devices: volumeDisk(`${A}.qcow2`, 'vda') + iface(MAC_A) }) });

  // --print-xml makes nothing.
  const printed = await vk('clone', '--original', A, '--auto-clone', '--print-xml');
  assert.match(printed, new RegExp(`<name>${A}-clone</name>`));
  assert.deepEqual((await engine.dispatch({ kind: 'list', filter: {} })).map((d) => d.name), [A]);

  // virt-clone's usage errors, refused flags; --original-xml takes a domain that need not be defined.
  assert.equal(await fails('clone', '-o', A), 'INVALID_ARGUMENT');
  assert.equal(await fails('clone', '--auto-clone'), 'INVALID_ARGUMENT');
  assert.equal(await fails('clone', '-o', A, '--auto-clone', '--reflink', '--linked'), 'INVALID_ARGUMENT');
  assert.equal(await fails('clone', '-o', A, '--auto-clone', '--check', 'path_exists=off'), 'INVALID_ARGUMENT');
  await writeFile(join(t.root, 'a.xml'), await vk('dumpxml', A));
  assert.match(await vk('clone', '--original-xml', 'a.xml', '-n', `${tag}-xml`, '--auto-clone', '--print-xml'), new RegExp(`<name>${tag}-xml</name>`));

  // virt-clone's names and messages: the volume named after the domain takes the new name.
  const B = `${A}-clone`;
  assert.equal(await vk('clone', '--original', A, '--auto-clone', '--mac', MAC_B), `Allocating '${B}.qcow2'\n\nClone '${B}' created successfully.\n`);
  const [a, b] = [await engine.dispatch({ kind: 'get', name: A }), await engine.dispatch({ kind: 'get', name: B })];
  assert.notEqual(a.uuid, b.uuid);
  const bXml = await vk('dumpxml', B);
  assert.match(bXml, new RegExp(`<source pool='default' volume='${B}\\.qcow2'/>`));
  assert.match(bXml, new RegExp(`<mac address='${MAC_B}'/>`));
  // A second --auto-clone of the original gets the next name; its random MAC is neither.
  const third = JSON.parse(await vk('--json', 'clone', '-o', A, '--auto-clone')) as { domain: { name: string }; xml: string; disks: { path: string }[] };
  assert.equal(third.domain.name, `${A}-clone1`);
  assert.deepEqual(third.disks.map((d) => d.path), [`default/${A}-clone1.qcow2`]);
  const thirdMac = /<mac address='([^']+)'/.exec(third.xml)?.[1];
  assert.ok(thirdMac !== undefined && thirdMac !== MAC_A && thirdMac !== MAC_B, `a new MAC: ${thirdMac ?? 'none'}`);
  await vk('undefine', `${A}-clone1`);
  await vk('vol-delete', `${A}-clone1.qcow2`, '--pool', 'default');

  // Refusals: a name in use, a target that exists, a --preserve-data file that does not.
  assert.equal(await fails('clone', '-o', A, '-n', B, '--auto-clone'), 'DOMAIN_EXISTS');
  assert.equal(await fails('clone', '-o', A, '-n', `${tag}-x`, '--file', `${B}.qcow2`), 'CLONE_TARGET_EXISTS');
  assert.equal(await fails('clone', '-o', A, '-n', `${tag}-x`, '--file', 'nothing.qcow2', '--preserve-data'), 'CLONE_TARGET_MISSING');

  // Both boot at the same time, each with its own lease; the clone reads the original's bytes from its copy.
  await vk('start', A);
  await vk('start', B);
  // The original must be shut off.
  assert.equal(await fails('clone', '-o', A, '-n', `${tag}-x`, '--auto-clone'), 'OPERATION_INVALID');
  const shells = await Promise.all([A, B].map(async (n) => {
    const s = new GuestShell((await engine.dispatch({ kind: 'console', name: n })).stream);
    await s.waitFor(GUEST_READY_MARKER);
    return s;
  }));
  const ips = await Promise.all(shells.map((s) => until('a DHCP lease on eth0', () => leaseLine('eth0').exec(s.text)?.[1], 120_000)));
  assert.notEqual(ips[0], ips[1]);
  const leases = await until('two leases', async () => {
    const l = await engine.dispatch({ kind: 'netLeases', network: NET });
    return l.length === 2 ? l : undefined;
  }, 30_000);
  assert.deepEqual(leases.map((l) => `${l.mac ?? ''} ${l.ip}`).sort(), [`${MAC_A} ${ips[0] ?? ''}`, `${MAC_B} ${ips[1] ?? ''}`].sort());
  assert.equal(await shells[1]?.check(`head -c ${TOKEN.length} /dev/vda`), TOKEN);
  await shells[1]?.check(`printf changed | dd of=/dev/vda bs=512 conv=notrunc,fsync 2>/dev/null`);
  assert.equal(await shells[0]?.check(`head -c ${TOKEN.length} /dev/vda`), TOKEN, "the clone's writes do not reach the original");
  await vk('destroy', A);
  await vk('destroy', B);

  // --linked: a qcow2 overlay whose backing file is the original's volume, its format recorded.
  const L = `${tag}-l`;
  assert.equal(await vk('clone', '-o', A, '-n', L, '--auto-clone', '--linked'), `Allocating '${L}.qcow2'\n\nClone '${L}' created successfully.\n`);
  const info = JSON.parse((await run('qemu-img', ['info', '-U', '--output=json', '-f', 'qcow2', join(images, `${L}.qcow2`)])).stdout) as Record<string, unknown>;
  assert.equal(info['backing-filename'], join(images, `${A}.qcow2`));
  assert.equal(info['backing-filename-format'], 'qcow2');

  // The WebSocket form: each disk copy's progress, from its start to 100 %, then the result; an error as the error.
  const client = new VirtkitClient({ root: t.root, env: {} });
  const seen: CloneProgress[] = [];
  const P = `${tag}-p`;
  const made = await client.cloneDomain(A, { name: P, autoClone: true }, { onProgress: (p) => seen.push(p) });
  assert.equal(made.domain?.name, P);
  assert.deepEqual(seen[0], { target: 'vda', file: `${P}.qcow2`, percent: 0 });
  assert.deepEqual(seen.at(-1), { target: 'vda', file: `${P}.qcow2`, percent: 100 });
  assert.ok(seen.every((p, i) => i === 0 || p.percent > (seen[i - 1]?.percent ?? 0)), `whole percentages that grow: ${seen.map((p) => p.percent).join(' ')}`);
  await assert.rejects(client.cloneDomain(A, { name: P, autoClone: true }, { onProgress: () => undefined }), { code: 'DOMAIN_EXISTS' });

  // A failure half-way: the first disk copied, the second's directory missing. Nothing is left.
  const data = join(t.root, 'data.img');
  await writeFile(data, Buffer.alloc(64 * 1024));
  const T = `${tag}-two`;
  await engine.dispatch({ kind: 'define', xml: await guestDomainXml(T, { devices: volumeDisk(`${A}.qcow2`, 'vda') + fileDisk(data, 'vdb') }) });
  const before = (await readdir(images)).sort();
  const r = await cli(t.root, ['clone', '-o', T, '-n', `${T}-c`, '--file', 'half.qcow2', '--file', join(t.root, 'no-such-dir', 'data.img')]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /no-such-dir/);
  assert.deepEqual((await readdir(images)).sort(), before, 'no volume or temp file is left in the pool');
  assert.equal((await engine.dispatch({ kind: 'list', filter: {} })).some((d) => d.name === `${T}-c`), false, 'no domain is left');
  assert.equal((await engine.dispatch({ kind: 'volList', pool: 'default' })).some((v) => v.name === 'half.qcow2'), false);

  // --reflink of the raw disk (the qcow2 one shared): extents shared where the file system can, else an error and nothing left.
  const probe = join(t.root, 'probe');
  await writeFile(probe, 'x');
  const canReflink = await run('cp', ['--reflink=always', probe, `${probe}2`]).then(() => true, () => false);
  const R = join(t.root, 'reflinked.img');
  const rr = await cli(t.root, ['--json', 'clone', '-o', T, '-n', `${T}-r`, '--skip-copy', 'vda', '--file', R, '--reflink']);
  if (canReflink) {
    assert.equal(rr.code, 0, rr.stderr);
    assert.deepEqual(await readFile(R), await readFile(data));
  } else {
    assert.equal(errCode(rr.stderr), 'STORAGE_FAILED');
    assert.match(rr.stderr, /cp --reflink=always/);
    assert.equal(existsSync(R), false);
    assert.deepEqual((await readdir(t.root)).filter((f) => f.startsWith('.reflinked')), [], 'no temp file is left');
    assert.equal((await engine.dispatch({ kind: 'list', filter: {} })).some((d) => d.name === `${T}-r`), false);
  }

  // --replace: a domain that has the new name is undefined first.
  const oldL = (await engine.dispatch({ kind: 'get', name: L })).uuid;
  assert.match(await vk('clone', '-o', A, '-n', L, '--auto-clone', '--replace'), new RegExp(`^Allocating '${L}-1\\.qcow2'\n\nClone '${L}' created successfully\\.\n$`));
  assert.notEqual((await engine.dispatch({ kind: 'get', name: L })).uuid, oldL);

  // NVRAM: copied beside the original's as NEWNAME_VARS.fd; never over an existing file.
  const NV = `${tag}-nv`;
  const nvFile = join(t.root, `${NV}_VARS.fd`);
  await writeFile(nvFile, 'nvram-bytes');
  await engine.dispatch({
    kind: 'define',
    xml: `<domain type='qemu'><name>${NV}</name><memory unit='MiB'>64</memory><os><type arch='x86_64' machine='q35'>hvm</type>` +
      `<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader><nvram>${nvFile}</nvram></os><devices/></domain>`,
  });
  assert.equal(await vk('clone', '-o', NV, '--auto-clone'), `\nClone '${NV}-clone' created successfully.\n`);
  const nvClone = join(t.root, `${NV}-clone_VARS.fd`);
  assert.equal(await readFile(nvClone, 'utf8'), 'nvram-bytes');
  assert.match(await vk('dumpxml', `${NV}-clone`), new RegExp(`<nvram>${nvClone}</nvram>`));
  assert.equal(await fails('clone', '-o', NV, '-n', `${NV}-2`, '--auto-clone', '--nvram', nvFile), 'CLONE_TARGET_EXISTS');
}
