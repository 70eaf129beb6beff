/**
 * Acceptance: a real cloud-init guest (issue 9, "A real guest"). A virtkitd of its own (a real
 * child process, instance root in a temp dir) starts its `default` NAT network; the Debian 12
 * cloud image (scripts/build-debian-cloud-image.sh, cached) is imported into the `default` pool and
 * installed with `virtkit install --import` as a linked clone with `--cloud-init clouduser-ssh-key=`,
 * whose NoCloud seed gives the default user `debian` a fresh ssh key. The guest must get a DHCP lease from the network's dnsmasq (domifaddr, net-dhcp-leases),
 * accept an ssh login with that key (only cloud-init reading the seed can have put it there), and
 * report cloud-init done. It prints how long each step took. Not part of the default test command
 * (minutes under TCG): scripts/cloud-init-acceptance.sh runs it (docs/testing.md).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { DEBIAN_CLOUD_USER, ensureDebianCloudImage, makeSshKey, ssh, type SshKey } from '../helpers/debian-cloud.js';
import { linksNamed } from '../helpers/net-lab.js';
import { processesMentioning } from '../helpers/qemu-spawn.js';
import { until } from '../helpers/wait.js';
import { assertLeftNothing, cli, spawnDaemon, tempRoot, type Child } from '../integration/daemon-harness.js';
import type { InstanceLayout } from '../../src/daemon/paths.js';

/** How long the guest may take to boot and get a lease, then to let us in; generous, since TCG on a busy host is slow. */
const BOOT_LIMIT_MS = Number(process.env['VIRTKIT_ACCEPTANCE_BOOT_MS'] ?? 20 * 60_000);
const BASE_VOL = 'debian-12-cloud.qcow2';

type Vk = (...argv: string[]) => Promise<string>;
const pause = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

interface Installed {
  /** What cloud-init must report as the instance id, when the install step chose it. */
  readonly instanceId?: string;
}

/**
 * `virtkit install --import --disk vol=default/BASE,linked=on --network network=default --graphics none
 * --noautoconsole --osinfo debian11 --cloud-init clouduser-ssh-key=KEY,meta-data=FILE --serial file,path=LOG`:
 * a linked clone of the base volume, a NoCloud seed (virtkit's, cidata) whose generated user-data gives the
 * default cloud user `key` and whose meta-data (virt-install's `meta-data=`) names the instance and its
 * hostname, a virtio NIC on `default`, started with the seed for its first boot. The serial console goes
 * to `consoleLog`, which the test shows when it fails. (debian11: this host's osinfo-db has no debian12.)
 */
async function installGuest(vk: Vk, o: { name: string; key: SshKey; dir: string; consoleLog: string }): Promise<Installed> {
  const instanceId = `${o.name}-${randomBytes(4).toString('hex')}`;
  const metaData = join(o.dir, 'meta-data');
  await writeFile(metaData, `instance-id: ${instanceId}\nlocal-hostname: ${o.name}\n`);
  await vk('install', '--name', o.name, '--memory', '1024', '--vcpus', '1', '--import',
    '--disk', `vol=default/${BASE_VOL},linked=on`, '--network', 'network=default', '--graphics', 'none', '--noautoconsole',
    '--osinfo', 'debian11', '--cloud-init', `clouduser-ssh-key=${o.key.pubFile},meta-data=${metaData}`, '--serial', `file,path=${o.consoleLog}`);
  return { instanceId };
}

interface IfAddr { name: string; mac: string; addrs: { type: string; addr: string; prefix: number }[] }

describe('a real cloud-init guest: Debian 12 from a NoCloud seed, a lease on default, ssh with the key', { timeout: BOOT_LIMIT_MS + 30 * 60_000 }, () => {
  const name = `vkci-${randomBytes(3).toString('hex')}`;
  let root: string;
  let layout: InstanceLayout;
  let daemon: Child | undefined;
  let vk: Vk;
  let dir: string;
  let bridge: string | undefined;
  const timings: [string, number][] = [];
  const timed = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings.push([what, (performance.now() - t0) / 1000]);
    }
  };

  before(async () => {
    ({ root, layout } = await tempRoot());
    dir = await mkdtemp(join(root, 'guest-'));
    daemon = await spawnDaemon(layout);
    vk = async (...argv) => {
      const r = await cli(root, argv);
      assert.equal(r.code, 0, `virtkit ${argv.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
  });

  after(async () => {
    console.log(`timings (s): ${timings.map(([w, s]) => `${w} ${s.toFixed(1)}`).join('; ')}`);
    // Everything of the test goes, whether it passed or not: guest, volumes, network, daemon, root.
    // Without a daemon (before failed) no command is sent: the CLI would start one.
    if (daemon === undefined) return; // the harness removes a root it made
    const quiet = async (...argv: string[]) => cli(root, argv).catch(() => undefined);
    await quiet('destroy', name);
    await quiet('undefine', name);
    await quiet('vol-delete', `${name}.qcow2`, '--pool', 'default');
    await quiet('vol-delete', BASE_VOL, '--pool', 'default');
    await quiet('net-destroy', 'default');
    const pid = daemon.pid;
    assert.equal(await daemon.stop(), 0, `virtkitd exited cleanly: ${daemon.stderr()}`);
    await assertLeftNothing(root, layout, pid);
    assert.deepEqual(processesMentioning(root), [], 'no QEMU or dnsmasq of the test is left');
    if (bridge !== undefined) assert.ok(!(await linksNamed(bridge)).includes(bridge), `the default network's bridge ${bridge} is gone`);
  });

  it('installs the image, gets a lease, lets the default user in with the key, cloud-init done', async (t: TestContext) => {
    try {
      await scenario(t);
    } catch (e) {
      const serial = await readFile(join(dir, 'console.log'), 'utf8').catch(() => '(no console log)');
      throw new Error(`${String(e)}\nthe guest's serial console, last 80 lines:\n${serial.split('\n').slice(-80).join('\n')}`, { cause: e });
    }
  });

  async function scenario(t: TestContext): Promise<void> {
    const image = await timed('image (build or cache)', ensureDebianCloudImage);
    const key = await makeSshKey(dir);
    await vk('net-start', 'default');
    bridge = /<bridge name='([^']+)'/.exec(await vk('net-dumpxml', 'default'))?.[1];
    assert.ok(bridge !== undefined, 'the default network has a bridge');
    await timed('vol-import', () => vk('vol-import', 'default', image, '--format', 'qcow2', '--name', BASE_VOL));

    const bootStart = performance.now();
    const installed = await timed('install', () => installGuest(vk, { name, key, dir, consoleLog: join(dir, 'console.log') }));

    const iface = await timed('boot to lease', () => until('a DHCP lease for the guest (domifaddr)', async () => {
      const list = JSON.parse(await vk('--json', 'domifaddr', name)) as IfAddr[];
      const found = list.find((i) => i.addrs.some((a) => a.type === 'ipv4'));
      if (found === undefined) await pause(1000); // a boot takes tens of seconds: no need to ask 20 times a second
      return found;
    }, BOOT_LIMIT_MS));
    const ip = iface.addrs.find((a) => a.type === 'ipv4')?.addr ?? '';
    const leases = JSON.parse(await vk('--json', 'net-dhcp-leases', 'default', '--mac', iface.mac)) as { ip: string }[];
    assert.deepEqual(leases.map((l) => l.ip), [ip], 'net-dhcp-leases shows the same lease');

    // sshd may answer before cloud-init has written the key: ask again until the key is taken.
    let last = '';
    await timed('lease to ssh', () => until(`an ssh login as ${DEBIAN_CLOUD_USER}@${ip} with the key`, async () => {
      const r = await ssh(key.file, DEBIAN_CLOUD_USER, ip, 'true', 60_000);
      last = `exit ${r.code}: ${r.stderr.trim()}`;
      if (r.code !== 0) await pause(2000);
      return r.code === 0;
    }, BOOT_LIMIT_MS).catch((e: unknown) => { throw new Error(`${String(e)}; the last ssh: ${last}`); }));
    timings.push(['start to ssh', (performance.now() - bootStart) / 1000]);
    // The login is the seed's doing: another key, which no seed named, is refused.
    const other = await makeSshKey(dir, 'other_ed25519');
    const refused = await ssh(other.file, DEBIAN_CLOUD_USER, ip, 'true');
    assert.equal(refused.code, 255, `a key the seed did not give is refused: ${refused.stderr}`);
    assert.match(refused.stderr, /Permission denied/);

    const status = await timed('cloud-init status --wait', () => ssh(key.file, DEBIAN_CLOUD_USER, ip, 'cloud-init status --wait --long', BOOT_LIMIT_MS));
    assert.match(status.stdout, /^status: done$/m, `cloud-init finished without errors:\n${status.stdout}${status.stderr}`);
    const facts = await ssh(key.file, DEBIAN_CLOUD_USER, ip, 'hostname; sudo -n cat /var/lib/cloud/data/instance-id; sudo -n cloud-init query platform');
    assert.equal(facts.code, 0, facts.stderr);
    const [host, instanceId, platform] = facts.stdout.trim().split('\n');
    assert.equal(host, name, 'the hostname from the seed');
    if (installed.instanceId !== undefined) assert.equal(instanceId, installed.instanceId, 'the instance id from the seed');
    assert.equal(platform, 'nocloud', 'the NoCloud datasource read the seed');
    t.diagnostic(`guest ${name} at ${ip}; ${timings.map(([w, s]) => `${w} ${s.toFixed(1)} s`).join(', ')}`);
    // Where the guest's boot went, for whoever makes the image faster (not checked).
    const boot = await ssh(key.file, DEBIAN_CLOUD_USER, ip, 'systemd-analyze time; systemd-analyze blame | head -n 8');
    for (const line of boot.stdout.trim().split('\n')) t.diagnostic(`guest: ${line.trim()}`);

    await vk('destroy', name);
  }
});
