// Taps made, set up and deleted through pre-started ips (Links { warm: true }, src/host/net/ip-warm.ts)
// and the links read from procfs and sysfs (src/host/net/link-view.ts), against the real kernel, inside
// a network namespace the test makes (per-process name) and deletes in `after`: each command's failure
// is its own, with ip's message and code (ip exits on some bad arguments without "Command failed");
// a bridge that another program removed and made again under the same name is found by the next
// command (each has its own ip, which remembers no stale ifindex);
// SysNet, run inside the namespace (`ip netns exec` mounts its sysfs), sees the bridge, its MTU and
// its ports' MACs, and a tap with its master, as `ip -j link show` does; once no command runs, the
// used ips are replaced and three wait.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { VirtkitError } from '../../../src/core/errors.js';
import { failedStep, Links } from '../../../src/host/net/links.js';
import { NetNamespaces } from '../../../src/host/net/netns.js';

const tag = `vkw${process.pid % 100000}`;
const ns = `${tag}a`;
const namespaces = new NetNamespaces();
const plain = new Links({ netns: ns });
const links = new Links({ netns: ns, warm: true });

/** This process's children that are a waiting `ip -n NS -batch -` (a used one has ended). */
async function waitingIps(): Promise<number> {
  let n = 0;
  for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/u.test(d))) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid !== process.pid) continue;
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').filter((a) => a !== '');
    if (argv.join(' ') === `ip -n ${ns} -batch -`) n++;
  }
  return n;
}

const failed = (code: string, re: RegExp) => (e: unknown): boolean => e instanceof VirtkitError && e.code === code && re.test(e.message);

describe('a pre-started ip and the links from sysfs, in a namespace', () => {
  before(async () => {
    await namespaces.add(ns);
    await plain.createBridge('br0', { mtu: 1400 });
  });
  after(async () => {
    links.close();
    await namespaces.delete(ns).catch(() => undefined);
    assert.deepEqual((await namespaces.list()).filter((n) => n.startsWith(tag)), [], 'the test removed its namespace');
  });

  it('makes a tap and sets it up (MAC, MTU, master, up)', async () => {
    await links.createTap('tap0');
    await links.set('tap0', { mac: 'fe:54:00:00:00:01', mtu: 1400, master: 'br0', up: true });
    const tap = await plain.get('tap0');
    assert.equal(tap?.kind, 'tun');
    assert.deepEqual([tap.mac, tap.mtu, tap.master, tap.up], ['fe:54:00:00:00:01', 1400, 'br0', true]);
  });

  it("failures are the command's own, with ip's message: a taken name, a bridge that is not there, a bad MTU", async () => {
    await assert.rejects(links.createTap('tap0'), failed('HOST_NET_FAILED', /^ip -n \S+ tuntap add dev tap0 mode tap failed: ioctl\(TUNSETIFF\): Device or resource busy$/));
    // ip exits on an unknown master without its "Command failed" line.
    await assert.rejects(links.set('tap0', { master: 'nobr0' }), failed('HOST_NET_FAILED', /link set dev tap0 master nobr0 failed: .*"nobr0".*Device does not exist/));
    await assert.rejects(links.set('tap0', { mtu: 70000 }), failed('HOST_NET_FAILED', /link set dev tap0 mtu 70000 failed: .*/));
    assert.equal((await plain.get('tap0'))?.master, 'br0', 'nothing changed');
    await links.createTap('tap1');
    await links.delete('tap1');
    assert.equal(await plain.get('tap1'), undefined);
    await assert.rejects(links.delete('tap1'), failed('HOST_NET_FAILED', /link del dev tap1 failed: Cannot find device "tap1"/));
  });

  it('a tap made and set up in one ip: the failed step is named, also when ip exits without saying', async () => {
    await links.createTapWith('tap3', {}, { mac: 'fe:54:00:00:00:03', master: 'br0', up: true });
    assert.deepEqual([(await plain.get('tap3'))?.mac, (await plain.get('tap3'))?.master], ['fe:54:00:00:00:03', 'br0']);
    const err = async (p: Promise<void>): Promise<VirtkitError> => p.then(() => assert.fail('it did not fail'), (e: unknown) => e as VirtkitError);
    // A taken name: the making failed, the settings did not run.
    const taken = await err(links.createTapWith('tap3', {}, { mac: 'fe:54:00:00:00:99', up: true }));
    assert.equal(failedStep(taken), 0);
    assert.match(taken.message, /tuntap add dev tap3 mode tap failed: ioctl\(TUNSETIFF\): Device or resource busy/);
    assert.equal((await plain.get('tap3'))?.mac, 'fe:54:00:00:00:03');
    // An unknown master: ip exits without its "Command failed" line; the tap was made.
    const nobr = await err(links.createTapWith('tap4', {}, { master: 'nobr0', up: true }));
    assert.equal(failedStep(nobr), 1);
    assert.match(nobr.message, /link set dev tap4 master nobr0 up failed: .*Device does not exist/);
    assert.equal((await plain.get('tap4'))?.kind, 'tun');
    await links.delete('tap4');
  });

  it('a bridge removed and made again by someone else under the same name: the next change finds the new one', async () => {
    await plain.delete('br0');
    await plain.createBridge('br0');
    await links.createTap('tap2');
    await links.set('tap2', { master: 'br0', up: true });
    assert.equal((await plain.get('tap2'))?.master, 'br0');
  });

  it('SysNet inside the namespace: the names, the bridge with its MTU and ports, as ip lists them', async () => {
    await plain.setMtu('br0', 1300);
    const module = fileURLToPath(new URL('../../../src/host/net/link-view.js', import.meta.url));
    const script = `import(${JSON.stringify(module)}).then(async ({ SysNet }) => { const s = new SysNet(); ` +
      "const names = await s.names(); console.log(JSON.stringify({ names: names && [...names].sort(), br: await s.bridge('br0'), tap: await s.bridge('tap0'), tap2: await s.tap('tap2'), notTap: await s.tap('br0') })); })";
    const seen = JSON.parse(await namespaces.exec(ns, [process.execPath, '-e', script])) as {
      names: string[]; br: { mtu: number; ports: { name: string; mac: string }[] } | null; tap?: unknown; tap2?: unknown; notTap?: unknown;
    };
    const listed = await plain.list();
    assert.deepEqual(seen.names, listed.map((l) => l.name).sort());
    assert.equal(seen.br?.mtu, 1300);
    assert.deepEqual(seen.br.ports.sort((a, b) => a.name.localeCompare(b.name)), listed.filter((l) => l.master === 'br0').map((l) => ({ name: l.name, mac: l.mac })).sort((a, b) => a.name.localeCompare(b.name)));
    assert.equal(seen.tap, undefined, 'a tap is not a bridge');
    const tap2 = listed.find((l) => l.name === 'tap2');
    assert.deepEqual(seen.tap2, { name: 'tap2', kind: 'tun', mtu: tap2?.mtu, mac: tap2?.mac, master: 'br0' });
    assert.equal(seen.notTap, undefined, 'a bridge is not a tap');
  });

  // The limit only ends a pool that is never filled (it measures nothing): it is filled about 50 ms
  // after the last command ended.
  it('the used ips are replaced once no command runs: three wait, then a change finds one', { timeout: 30_000 }, async (t) => {
    await links.createTap('tapR');
    while ((await waitingIps()) < 3) await sleep(10, undefined, { signal: t.signal });
    assert.equal(await waitingIps(), 3, 'three wait, no more');
    await links.delete('tapR');
    assert.equal(await plain.get('tapR'), undefined);
  });
});
