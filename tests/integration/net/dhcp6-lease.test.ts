/**
 * A real DHCPv6 lease: a network with an IPv4 and an IPv6 <ip>, each with a DHCP range, and a
 * static DHCPv6 host by DUID (<host id=... name=... ip=...>, as libvirt's schema allows), on a
 * bridge of the test's own (a random fd00::/8 /64, names with a random suffix). A guest with
 * `virtkit.net=dhcp virtkit.net6=dhcp` (udhcpc, and dhcpcd with a DUID-LL from its MAC: see
 * docs/test-guest.md) gets both leases; through the CLI, net-dhcp-leases shows the IPv6 one as
 * virsh does (protocol ipv6, the network's prefix, the MAC, the host's name, the DUID as the
 * client id; --json adds the IAID), domifaddr shows both addresses, and the guest pings the
 * bridge's IPv6 address. After the file: no bridge, tap, dnsmasq or nft table of the test is left.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { GUEST_READY_MARKER, guestDomainXml, guestNetAppend, leaseLine } from '../../helpers/guest.js';
import { GuestShell } from '../../helpers/guest-shell.js';
import { linksNamed } from '../../helpers/net-lab.js';
import { processesMentioning } from '../../helpers/qemu-spawn.js';
import { until } from '../../helpers/wait.js';
import { cli, inProcessDaemon, type InProcess } from '../daemon-harness.js';

const run = promisify(execFile);
const id = randomBytes(2).toString('hex');
const tag = `vkd6${id}`;
const NET = `${tag}n`;
const DOM = `${tag}-g`;
const SUB4 = `10.232.${randomInt(10, 250)}`;
// Groups written as ip and dnsmasq print them (no leading zeros), so that they compare as text.
const PFX6 = `fd6c:${parseInt(id, 16).toString(16)}:${randomInt(1, 0xffff).toString(16)}:1`;
const MAC = `52:54:00:d6:${id.slice(0, 2)}:${id.slice(2, 4)}`;
// dhcpcd's DUID-LL (type 3, hardware type 1, the MAC) and its IAID (the MAC's last four bytes).
const DUID = `00:03:00:01:${MAC}`;
const IAID = String(parseInt(MAC.split(':').slice(2).join(''), 16));
const STATIC6 = `${PFX6}::50`;

const networkXml = `<network>
  <name>${NET}</name>
  <bridge name='${NET}'/>
  <ip address='${SUB4}.1' prefix='24'>
    <dhcp><range start='${SUB4}.100' end='${SUB4}.199'/></dhcp>
  </ip>
  <ip family='ipv6' address='${PFX6}::1' prefix='64'>
    <dhcp>
      <range start='${PFX6}::100' end='${PFX6}::1ff'/>
      <host id='${DUID}' name='six' ip='${STATIC6}'/>
    </dhcp>
  </ip>
</network>
`;

describe('DHCPv6: a real guest gets a static IPv6 lease by DUID beside its IPv4 one', { timeout: 300_000 }, () => {
  let d: InProcess | undefined;
  after(async () => {
    if (d !== undefined) {
      await cli(d.root, ['destroy', DOM]);
      await cli(d.root, ['net-destroy', NET]);
      await d.close();
    }
    assert.deepEqual(await linksNamed(tag), [], 'no bridge or tap of the test is left');
    assert.doesNotMatch((await run('nft', ['list', 'tables'])).stdout, new RegExp(tag), 'no nft table of the test is left');
    assert.deepEqual(processesMentioning(`/${NET}.conf`), [], 'no dnsmasq of the test is left');
  });

  it('both leases; net-dhcp-leases, --json and domifaddr show the IPv6 one; ping6 the bridge', async () => {
    d = await inProcessDaemon();
    const root = d.root;
    const vk = async (...argv: string[]): Promise<string> => {
      const r = await cli(root, argv);
      assert.equal(r.code, 0, `virtkit ${argv.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    await writeFile(join(root, 'net.xml'), networkXml);
    await vk('net-define', 'net.xml');
    await vk('net-start', NET);
    const iface = `<interface type='network'><source network='${NET}'/><mac address='${MAC}'/><model type='virtio'/></interface>`;
    const append = `${guestNetAppend(DOM)} virtkit.net6=dhcp`;
    await writeFile(join(root, 'dom.xml'), await guestDomainXml(DOM, { append, devices: iface }));
    await vk('define', 'dom.xml');
    await vk('start', DOM);

    const g = new GuestShell((await d.daemon.engine.dispatch({ kind: 'console', name: DOM })).stream);
    await g.waitFor(GUEST_READY_MARKER);
    const ip4 = await until('a DHCP lease on eth0', () => leaseLine('eth0').exec(g.text)?.[1], 120_000);
    const ip6 = await until('a DHCPv6 lease on eth0', () => /virtkit-guest: eth0 got IPv6 ([0-9a-f:]+)\/128/.exec(g.text)?.[1], 120_000);
    assert.equal(ip6, STATIC6, 'the static host (by DUID) gets its address');
    assert.match((await g.check('ip -6 addr show dev eth0')).replace(/\r/g, ''), new RegExp(`inet6 ${STATIC6}/128`));

    // dnsmasq writes the lease file when it sends the reply; the guest prints its line after that.
    const table = await vk('net-dhcp-leases', NET);
    const rows = table.split('\n').slice(2).filter((l) => l.trim() !== '').map((l) => l.trim().split(/\s+/));
    // Expiry Time (date and time), MAC address, Protocol, IP address, Hostname, Client ID or DUID.
    const v6 = rows.filter((r) => r[3] === 'ipv6');
    assert.equal(v6.length, 1, table);
    assert.deepEqual(v6[0]?.slice(2), [MAC, 'ipv6', `${STATIC6}/64`, 'six', DUID], table);
    assert.ok(rows.some((r) => r[2] === MAC && r[3] === 'ipv4' && r[4] === `${ip4}/24`), table);

    const json = JSON.parse(await vk('--json', 'net-dhcp-leases', NET)) as Record<string, unknown>[];
    const lease6 = json.find((l) => l['family'] === 'ipv6');
    assert.ok(lease6 !== undefined, JSON.stringify(json));
    assert.equal(typeof lease6['expiresAt'], 'number');
    assert.deepEqual({ ...lease6, expiresAt: 0 }, {
      network: NET, bridge: NET, expiresAt: 0, mac: MAC, family: 'ipv6', ip: STATIC6, prefix: 64, hostname: 'six', clientId: DUID, iaid: IAID,
    });
    assert.equal(json.find((l) => l['family'] === 'ipv4')?.['iaid'], null);
    // --mac picks the IPv6 lease too: its MAC comes from the DUID.
    assert.equal((JSON.parse(await vk('--json', 'net-dhcp-leases', NET, '--mac', MAC)) as unknown[]).length, 2);

    const ifaddr = await vk('domifaddr', DOM);
    assert.match(ifaddr, new RegExp(` vnet\\d+ +${MAC} +ipv4 +${ip4.replace(/\./g, '\\.')}/24\n`));
    assert.match(ifaddr, new RegExp(` - +- +ipv6 +${STATIC6}/64\n`));
    const ifJson = JSON.parse(await vk('--json', 'domifaddr', DOM)) as { mac: string; addrs: { type: string; addr: string; prefix: number }[] }[];
    assert.deepEqual(ifJson.map((i) => [i.mac, i.addrs]), [[MAC, [{ type: 'ipv4', addr: ip4, prefix: 24 }, { type: 'ipv6', addr: STATIC6, prefix: 64 }]]]);

    await g.check(`ping -6 -c 2 -W 5 ${PFX6}::1`);
    await vk('destroy', DOM);
    await vk('net-destroy', NET);
  });
});
