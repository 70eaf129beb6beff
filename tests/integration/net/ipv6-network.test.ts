/**
 * A network with an IPv6 <ip> (a random fd00::/8 /64, no DHCPv6: dnsmasq sends router
 * advertisements, ra-only) beside its IPv4 one: net-start gives the bridge both addresses and
 * the firewall table ip6 rules; a real guest autoconfigures an address in the prefix (SLAAC) and
 * pings the bridge's IPv6 address. After the file: no bridge, tap, dnsmasq or nft table of the
 * test is left.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createHarness, type Harness } from '../lifecycle-harness.js';
import { GUEST_READY_MARKER, guestDomainXml, guestNetAppend, leaseLine } from '../../helpers/guest.js';
import { GuestShell } from '../../helpers/guest-shell.js';
import { linksNamed } from '../../helpers/net-lab.js';
import { processesMentioning } from '../../helpers/qemu-spawn.js';
import { until } from '../../helpers/wait.js';

const run = promisify(execFile);
const id = randomBytes(2).toString('hex');
const tag = `vk6n${id}`;
const NET = `${tag}n`;
const SUB4 = `10.231.${randomInt(10, 250)}`;
// Groups written as ip prints them (no leading zeros), so that they compare as text.
const PFX6 = `fd6b:${parseInt(id, 16).toString(16)}:${randomInt(1, 0xffff).toString(16)}:1`;
const MAC = `52:54:00:8d:${id.slice(0, 2)}:01`;

describe('a network with IPv6: bridge address, RA, a guest autoconfigures and pings', { timeout: 300_000 }, () => {
  let h: Harness;
  before(async () => {
    const harness: { h?: Harness } = {};
    h = await createHarness({ resolveNetwork: (name) => (harness.h as Harness).engine.resolveNetwork(name) });
    harness.h = h;
  });
  after(async () => {
    for (const r of h.engine.ctx.registry.all()) {
      if (r.runtime?.handle) await r.runtime.handle.destroy({ graceful: false }).catch(() => undefined);
    }
    await h.engine.dispatch({ kind: 'netDestroy', network: NET }).catch(() => undefined);
    await h.close().catch(() => rm(h.root, { recursive: true, force: true }));
    assert.deepEqual(await linksNamed(tag), [], 'no bridge of the test is left');
    assert.doesNotMatch((await run('nft', ['list', 'tables'])).stdout, new RegExp(tag), 'no nft table of the test is left');
    assert.deepEqual(processesMentioning(`/${NET}.conf`), [], 'no dnsmasq of the test is left');
  });

  it('start, SLAAC in the guest, ping6 the bridge, destroy', async () => {
    await h.engine.dispatch({
      kind: 'netDefine', xml: `<network><name>${NET}</name><bridge name='${NET}'/>
  <ip address='${SUB4}.1' prefix='24'><dhcp><range start='${SUB4}.100' end='${SUB4}.199'/></dhcp></ip>
  <ip family='ipv6' address='${PFX6}::1' prefix='64'/>
</network>`,
    });
    const plan = await h.engine.dispatch({ kind: 'netStartDryRun', network: NET });
    assert.match(plan.dnsmasqConf, /enable-ra|ra-only/);
    await h.engine.dispatch({ kind: 'netStart', network: NET });
    assert.match((await run('ip', ['-6', 'addr', 'show', 'dev', NET])).stdout, new RegExp(`inet6 ${PFX6}::1/64`));
    assert.match((await run('nft', ['list', 'table', 'inet', `virtkit_${NET}`])).stdout, /ip6|nfproto ipv6/);
    const name = `${tag}-g`;
    const iface = `<interface type='network'><source network='${NET}'/><mac address='${MAC}'/><model type='virtio'/></interface>`;
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml(name, { append: guestNetAppend(name), devices: iface }) });
    await h.engine.dispatch({ kind: 'start', name });
    await h.remember(name);
    const g = new GuestShell((await h.engine.dispatch({ kind: 'console', name })).stream);
    await g.waitFor(GUEST_READY_MARKER);
    await until('a DHCP lease on eth0', () => leaseLine('eth0').exec(g.text)?.[1], 120_000);
    const addr6 = await until('an IPv6 address in the prefix (SLAAC)', async () => {
      const out = (await g.run('ip -6 addr show dev eth0')).output;
      return new RegExp(`inet6 (${PFX6}:[0-9a-f:]+)/64`).exec(out)?.[1];
    }, 120_000);
    assert.ok(addr6.startsWith(PFX6));
    await g.check(`ping -6 -c 2 -W 5 ${PFX6}::1 || ping6 -c 2 -W 5 ${PFX6}::1`);
    await h.engine.dispatch({ kind: 'destroy', name });
    await h.engine.dispatch({ kind: 'netDestroy', network: NET });
  });
});
