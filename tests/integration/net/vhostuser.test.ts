// <interface type='vhostuser'> against a real vhost-user backend: DPDK's testpmd (Debian's
// dpdk-dev) with two net_vhost ports forwarding to each other (tests/helpers/testpmd.ts). One
// guest is on port 0, where testpmd listens and QEMU connects (mode='client'); the other on port 1,
// where QEMU listens (mode='server', server=on,wait=off) and testpmd connects. Their memory is
// memfd with access mode='shared', so testpmd can map it. With static addresses in one subnet
// they ping each other through testpmd, whose port counters show the packets; again on 2 MiB
// huge pages (reserved and mounted by the test, given back after); and through a vhostuser NIC
// hot-plugged into a running guest, then unplugged. A domain whose
// memory is not shared is refused before anything starts. After the test: no testpmd, QEMU or
// socket of the test is left.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VirtkitError } from '../../../src/core/errors.js';
import { assertNoLeftovers, createHarness } from '../lifecycle-harness.js';
import type { Harness } from '../lifecycle-harness.js';
import { GUEST_APPEND, GUEST_READY_MARKER, GUEST_SHELL, guestDomainXml, leaseLine } from '../../helpers/guest.js';
import { GuestShell } from '../../helpers/guest-shell.js';
import { processesMentioning } from '../../helpers/qemu-spawn.js';
import { giveBackHugepages, holdHugepagePool, mountHugetlbfs, reserveHugepages, umount } from '../../helpers/hugepages.js';
import { startTestpmd, testpmdMissing, type Testpmd } from '../../helpers/testpmd.js';
import { until } from '../../helpers/wait.js';

const tag = `vkvu${process.pid % 10000}`;
const SUBNET = '10.231.77.';
const MEMFD = "  <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>\n";
const HUGE = "  <memoryBacking><hugepages/><access mode='shared'/></memoryBacking>\n";
const HUGE_GUEST_MIB = 128;
const mac = (i: number): string => `52:54:00:7c:00:${i.toString(16).padStart(2, '0')}`;

const vhostUserXml = (socket: string, mode: 'client' | 'server', i: number): string =>
  `    <interface type='vhostuser'><mac address='${mac(i)}'/><source type='unix' path='${socket}' mode='${mode}'/><model type='virtio'/></interface>\n`;

const missing = testpmdMissing();

describe('vhost-user interfaces on DPDK testpmd', { timeout: 600_000, ...(missing === undefined ? {} : { skip: missing }) }, () => {
  let h: Harness;
  let dir: string;
  /** Every testpmd started, stopped in after() whatever a test did. */
  const pmds: Testpmd[] = [];
  const startPmd = async (ports: Parameters<typeof startTestpmd>[1]): Promise<Testpmd> => {
    const p = await startTestpmd(tag, ports);
    pmds.push(p);
    return p;
  };
  let mount: string | undefined;
  let hugepagesTaken: { taken: number; free: number } | undefined;
  let letGoOfPool: (() => Promise<void>) | undefined;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), `${tag}-`));
    h = await createHarness();
  });
  after(async () => {
    await h.close();
    for (const p of pmds) await p.stop();
    if (mount !== undefined) await umount(mount);
    if (hugepagesTaken !== undefined) await giveBackHugepages(hugepagesTaken.taken);
    await letGoOfPool?.();
    await assertNoLeftovers(h);
    assert.deepEqual(processesMentioning(`--file-prefix=${tag}`), [], 'no testpmd of the test is left');
    assert.deepEqual((await readdir(dir)).filter((f) => f !== 'hugetlbfs'), [], 'no socket of the test is left');
    await rm(dir, { recursive: true, force: true });
  });

  async function boot(name: string, ip: string, iface: string, memory: { extra: string; memoryMiB?: number } = { extra: MEMFD }): Promise<GuestShell> {
    const append = `${GUEST_APPEND} ${GUEST_SHELL} virtkit.net=static:${ip}/24`;
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml(name, { append, ...memory, devices: iface }) });
    await h.engine.dispatch({ kind: 'start', name });
    await h.remember(name);
    const shell = new GuestShell((await h.engine.dispatch({ kind: 'console', name })).stream);
    await shell.waitFor(GUEST_READY_MARKER);
    await until('the static address on eth0', () => leaseLine('eth0').exec(shell.text)?.[1], 60_000);
    return shell;
  }

  it('two guests, one per testpmd port (QEMU as client and as server), ping each other through testpmd', async () => {
    const sock0 = join(dir, 'port0.sock');
    const sock1 = join(dir, 'port1.sock');
    const pmd = await startPmd([{ socket: sock0, client: false }, { socket: sock1, client: true }]);
    assert.ok(existsSync(sock0), 'testpmd listens on port 0');
    const g1 = await boot(`${tag}-g1`, `${SUBNET}1`, vhostUserXml(sock0, 'client', 1));
    const g2 = await boot(`${tag}-g2`, `${SUBNET}2`, vhostUserXml(sock1, 'server', 2));
    const argv = h.engine.ctx.registry.named(`${tag}-g2`).runtime?.handle?.argv ?? [];
    assert.ok(argv.includes(`socket,id=charnet0,path=${sock1},server=on,wait=off`), argv.join(' '));
    assert.ok(argv.some((a) => a.includes('"qom-type":"memory-backend-memfd"') && a.includes('"share":true')), argv.join(' '));
    // TCG: the NIC on INTx (vectors=0), without which QEMU 7.2 never starts vhost-user here (docs/argv.md).
    assert.ok(argv.some((a) => a.includes('"driver":"virtio-net-pci"') && a.includes('"vectors":0')), argv.join(' '));
    // testpmd (client) reconnects every second until QEMU listens; the guests' virtio drivers bring the ports up.
    await until('the ping through testpmd', async () => (await g1.run(`ping -c 1 -W 2 ${SUBNET}2`)).code === 0 || undefined, 120_000);
    await g2.check(`ping -c 3 -W 5 ${SUBNET}1`);
    // The packets went through testpmd: each port received what the guest on it sent.
    const stats = await pmd.command('show port stats all', /port 1[^]*RX-packets[^]*#{10}/);
    const rx = [...stats.matchAll(/RX-packets:\s+(\d+)/g)].map((m) => Number(m[1]));
    assert.equal(rx.length, 2, stats);
    assert.ok(rx.every((n) => n >= 3), `both ports received the pings:\n${stats}`);
    await h.engine.dispatch({ kind: 'destroy', name: `${tag}-g2` });
    await h.engine.dispatch({ kind: 'destroy', name: `${tag}-g1` });
    await pmd.stop();
  });

  it('hotplug: a vhostuser NIC plugged into a running guest (chardev-add, netdev_add, device_add) carries its ping; unplug removes it', async () => {
    const sock0 = join(dir, 'hot0.sock');
    const sock1 = join(dir, 'hot1.sock');
    const pmd = await startPmd([{ socket: sock0, client: false }, { socket: sock1, client: true }]);
    const g1 = await boot(`${tag}-p1`, `${SUBNET}21`, vhostUserXml(sock0, 'client', 21));
    // No NIC at boot: the hotplugged one is eth0 and gets the static address as it appears.
    const name = `${tag}-p2`;
    const append = `${GUEST_APPEND} ${GUEST_SHELL} virtkit.net=static:${SUBNET}22/24`;
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml(name, { append, extra: MEMFD }) });
    await h.engine.dispatch({ kind: 'start', name });
    await h.remember(name);
    const g2 = new GuestShell((await h.engine.dispatch({ kind: 'console', name })).stream);
    await g2.waitFor(GUEST_READY_MARKER);
    await h.engine.dispatch({ kind: 'attachDevice', name, xml: vhostUserXml(sock1, 'server', 22), live: true });
    await until('the static address on the hotplugged eth0', () => leaseLine('eth0').exec(g2.text)?.[1], 60_000);
    const live = await h.engine.dispatch({ kind: 'dumpxml', name });
    assert.ok(live.includes(mac(22)) && live.includes(`path='${sock1}'`), live);
    await until('the ping through testpmd', async () => (await g2.run(`ping -c 1 -W 2 ${SUBNET}21`)).code === 0 || undefined, 120_000);
    await h.engine.dispatch({ kind: 'detachDevice', name, xml: `<interface type='vhostuser'><mac address='${mac(22)}'/></interface>`, live: true });
    await g2.waitFor('virtkit-guest: eth0 gone');
    assert.doesNotMatch(await h.engine.dispatch({ kind: 'dumpxml', name }), new RegExp(mac(22)));
    // netdev_del took the chardev with it, closing QEMU's listening socket.
    await until(`${sock1} removed`, () => !existsSync(sock1) || undefined, 10_000);
    assert.notEqual((await g1.run(`ping -c 1 -W 2 ${SUBNET}22`)).code, 0, 'no path to the unplugged NIC');
    await h.engine.dispatch({ kind: 'destroy', name });
    await h.engine.dispatch({ kind: 'destroy', name: `${tag}-p1` });
    await pmd.stop();
  });

  it('on 2 MiB huge pages (memory-backend-file on a hugetlbfs mount, share=on) the guests ping each other too', async () => {
    letGoOfPool = await holdHugepagePool();
    const pages = await reserveHugepages(2 * (HUGE_GUEST_MIB / 2));
    hugepagesTaken = pages;
    mount = await mountHugetlbfs(join(dir, 'hugetlbfs'));
    const sock0 = join(dir, 'huge0.sock');
    const sock1 = join(dir, 'huge1.sock');
    const pmd = await startPmd([{ socket: sock0, client: false }, { socket: sock1, client: true }]);
    const memory = { extra: HUGE, memoryMiB: HUGE_GUEST_MIB };
    const g1 = await boot(`${tag}-h1`, `${SUBNET}11`, vhostUserXml(sock0, 'client', 11), memory);
    await boot(`${tag}-h2`, `${SUBNET}12`, vhostUserXml(sock1, 'server', 12), memory);
    const argv = h.engine.ctx.registry.named(`${tag}-h1`).runtime?.handle?.argv ?? [];
    const ram = argv.find((a) => a.includes('"id":"pc.ram"')) ?? '';
    assert.match(ram, new RegExp(`"qom-type":"memory-backend-file".*"mem-path":"${mount}".*"share":true`), argv.join(' '));
    assert.ok(Number(/HugePages_Free:\s+(\d+)/.exec(await readFile('/proc/meminfo', 'utf8'))?.[1]) <= pages.free - pages.taken, 'the guests took their huge pages');
    await until('the ping through testpmd', async () => (await g1.run(`ping -c 1 -W 2 ${SUBNET}12`)).code === 0 || undefined, 120_000);
    await h.engine.dispatch({ kind: 'destroy', name: `${tag}-h2` });
    await h.engine.dispatch({ kind: 'destroy', name: `${tag}-h1` });
    await pmd.stop();
  });

  it('a vhostuser interface on memory that is not shared is refused at start, and nothing is left', async () => {
    const name = `${tag}-b1`;
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml(name, { devices: vhostUserXml(join(dir, 'none.sock'), 'client', 3) }) });
    await assert.rejects(h.engine.dispatch({ kind: 'start', name }), (e: unknown) =>
      e instanceof VirtkitError && e.code === 'XML_CONFLICT' && /vhost-user requires shared memory/.test(e.message));
    assert.equal((await h.engine.dispatch({ kind: 'get', name })).state, 'shutoff');
  });
});
