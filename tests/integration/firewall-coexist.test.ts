// A NAT network next to other firewall users, in a namespace lab (tests/helpers/netns-lab.ts):
// (a) Docker's rules made with iptables-nft (FORWARD policy DROP, DOCKER-USER, DOCKER,
// DOCKER-ISOLATION-STAGE-1/2) and (b) an nftables table whose forward and input chains drop.
// virtkit's own table alone leaves the guest blocked (a drop on a hook is final); with the
// pinholes the guest gets out; afterwards the foreign rules are exactly as before.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { FirewallNetwork } from '../../src/core/network/firewall-model.js';
import { firewallPlan } from '../../src/core/network/firewall.js';
import { applyFirewall, listStale, reconcileFirewall, removeFirewall } from '../../src/host/net/nft.js';
import { DOCKER_FILTER, DOCKER_IPTABLES, FOREIGN_NFT } from '../helpers/foreign-firewalls.js';
import { BRIDGE, GATEWAY, GATEWAY6, GUEST_IP, GUEST_IP6, NetnsLab, OUTSIDE_IP6, UPLINK_IP } from '../helpers/netns-lab.js';

const NAT: FirewallNetwork = { name: 'coexist', mode: 'nat', bridge: BRIDGE, ipv4: [{ address: GATEWAY, prefix: 24 }], ipv6: [{ address: GATEWAY6, prefix: 64 }] };
const OUT = { tcp: UPLINK_IP, udp: UPLINK_IP };
const OUT6 = { tcp: GUEST_IP6, udp: GUEST_IP6 };
const BLOCKED = { tcp: 'blocked', udp: 'blocked' };

describe('a NAT network next to Docker and a dropping nftables table', { timeout: 180_000 }, () => {
  const lab = new NetnsLab();
  const ipt = (...args: string[]): string => lab.sh(lab.host, ['iptables', ...args]);

  before(() => lab.create());
  after(async () => {
    await lab.destroy();
    assert.deepEqual(lab.leftovers(), [], 'no namespace of the test is left');
  });
  // the lab's host namespace is the test's own: emptying its ruleset touches nothing else
  beforeEach(() => lab.sh(lab.host, ['nft', 'flush', 'ruleset']));

  const nothingOfVirtkit = (): void => {
    const text = lab.sh(lab.host, ['nft', 'list', 'ruleset']);
    assert.doesNotMatch(text, /virtkit/, 'no table, chain or rule of virtkit is left');
  };

  const foreignCases = [
    {
      name: 'Docker (iptables-nft, IPv4 and IPv6)',
      install: () => {
        lab.sh(lab.host, ['iptables-restore'], DOCKER_IPTABLES);
        lab.sh(lab.host, ['ip6tables-restore'], DOCKER_FILTER);
      },
    },
    { name: 'an nft table with policy drop', install: () => lab.sh(lab.host, ['nft', '-f', '-'], FOREIGN_NFT) },
  ];

  for (const c of foreignCases) {
    it(`${c.name}: virtkit's table alone is blocked, with pinholes the guest gets out, removal restores the foreign rules`, async () => {
      c.install();
      const before = lab.rulesetShape();
      // what virtkit's own table does without the coexistence step: the foreign drop wins
      lab.sh(lab.host, ['nft', '-f', '-'], firewallPlan(NAT).ruleset);
      assert.deepEqual(await lab.probe(), BLOCKED, 'the foreign drop blocks the guest despite virtkit\'s accept');
      assert.deepEqual(await lab.probe(OUTSIDE_IP6), BLOCKED, 'and its IPv6');
      lab.sh(lab.host, ['nft', '-f', '-'], firewallPlan(NAT).removeRuleset);

      const applied = await applyFirewall(NAT, lab.nft);
      assert.ok(applied.pinholes.length > 0, 'pinholes were made');
      assert.deepEqual(await lab.probe(), OUT);
      assert.deepEqual(await lab.probe(OUTSIDE_IP6), OUT6);

      await removeFirewall(NAT.name, lab.nft);
      nothingOfVirtkit();
      assert.deepEqual(lab.rulesetShape(), before, 'the foreign rules are exactly as before');
      assert.deepEqual(await lab.probe(), BLOCKED);
    });
  }

  it('Docker: the pinholes go into DOCKER-USER (and INPUT when it drops), and iptables still lists, adds and deletes in its tables', async () => {
    foreignCases[0]?.install();
    ipt('-P', 'INPUT', 'DROP');
    const applied = await applyFirewall(NAT, lab.nft);
    assert.deepEqual([...applied.pinholes].sort(), ['ip filter DOCKER-USER', 'ip filter INPUT', 'ip6 filter DOCKER-USER']);
    const input = ipt('-S', 'INPUT');
    for (const [proto, port] of [['udp', 53], ['udp', 67], ['tcp', 53]] as const) {
      assert.match(input, new RegExp(`^-A INPUT -i ${BRIDGE} -p ${proto} -m ${proto} --dport ${port} -m comment --comment "virtkit:coexist" -j ACCEPT$`, 'm'));
    }
    const rules = ipt('-S', 'DOCKER-USER');
    assert.match(rules, new RegExp(`^-A DOCKER-USER -o ${BRIDGE} -m comment --comment "virtkit:coexist" -j ACCEPT$`, 'm'));
    assert.match(rules, new RegExp(`^-A DOCKER-USER -i ${BRIDGE} -m comment --comment "virtkit:coexist" -j ACCEPT$`, 'm'));
    assert.match(lab.sh(lab.host, ['iptables-save']), /^-A DOCKER-USER -j RETURN$/m);
    assert.doesNotMatch(lab.sh(lab.host, ['iptables-save']), /incompatible/);
    assert.match(lab.sh(lab.host, ['ip6tables-save']), /^-A DOCKER-USER -i vkfbr0 -m comment --comment "virtkit:coexist" -j ACCEPT$/m);
    ipt('-A', 'FORWARD', '-o', 'vkfnone', '-j', 'ACCEPT');
    ipt('-D', 'FORWARD', '-o', 'vkfnone', '-j', 'ACCEPT');
    await removeFirewall(NAT.name, lab.nft);
    assert.doesNotMatch(ipt('-S'), /virtkit/);
  });

  it('Docker re-creating DOCKER-USER drops the pinholes; reconcile puts them back, and then has nothing to do', async () => {
    foreignCases[0]?.install();
    await applyFirewall(NAT, lab.nft);
    assert.deepEqual(await lab.probe(), OUT);
    ipt('-F', 'DOCKER-USER');
    ipt('-A', 'DOCKER-USER', '-j', 'RETURN');
    assert.deepEqual(await lab.probe(), BLOCKED, 'without its pinholes the network is blocked again');

    const fixed = await reconcileFirewall([NAT], lab.nft);
    assert.deepEqual(fixed.remade, ['coexist']);
    assert.deepEqual(await lab.probe(), OUT);
    const again = await reconcileFirewall([NAT], lab.nft);
    assert.deepEqual(again, { transaction: '', remade: [], stale: { tables: [], rules: [] } });
    await removeFirewall(NAT.name, lab.nft);
    nothingOfVirtkit();
  });

  it('a host input chain with policy drop: DNS from the guests to the host gets through, other host ports do not', async () => {
    await lab.startHostServer(53, 53);
    await lab.startHostServer(7000, 7001);
    assert.deepEqual(await lab.probe(GATEWAY, [7000, 7001]), { tcp: GUEST_IP, udp: GUEST_IP }, 'without a firewall the host\'s service answers');
    foreignCases[1]?.install();
    lab.sh(lab.host, ['nft', '-f', '-'], firewallPlan(NAT).ruleset);
    assert.deepEqual(await lab.probe(GATEWAY, [53, 53]), BLOCKED, 'virtkit\'s own input accept does not beat the foreign drop');
    await applyFirewall(NAT, lab.nft);
    assert.deepEqual(await lab.probe(GATEWAY, [53, 53]), { tcp: GUEST_IP, udp: GUEST_IP });
    assert.deepEqual(await lab.probe(GATEWAY, [7000, 7001]), BLOCKED, 'the host\'s other services stay behind its input policy');
    await removeFirewall(NAT.name, lab.nft);
    nothingOfVirtkit();
  });

  it('a foreign chain whose name nft\'s text parser cannot take back (fwd) gets its pinholes too', async () => {
    const t = { family: 'inet', name: 'odd' };
    lab.sh(lab.host, ['nft', '-j', JSON.stringify({ nftables: [{ add: { table: t } }, { add: { chain: { family: 'inet', table: 'odd', name: 'fwd', type: 'filter', hook: 'forward', prio: 0, policy: 'drop' } } }] })]);
    const before = lab.rulesetShape();
    const applied = await applyFirewall(NAT, lab.nft);
    assert.deepEqual(applied.pinholes, ['inet odd fwd']);
    assert.deepEqual(await lab.probe(), OUT);
    await removeFirewall(NAT.name, lab.nft);
    assert.deepEqual(lab.rulesetShape(), before);
  });

  it('a foreign table added after the network started is found by reconcile', async () => {
    await applyFirewall(NAT, lab.nft);
    assert.deepEqual(await lab.probe(), OUT);
    foreignCases[1]?.install();
    assert.deepEqual(await lab.probe(), BLOCKED);
    assert.deepEqual((await reconcileFirewall([NAT], lab.nft)).remade, ['coexist']);
    assert.deepEqual(await lab.probe(), OUT);
    await removeFirewall(NAT.name, lab.nft);
    nothingOfVirtkit();
  });

  it('stale: a network that is not running has its table and pinholes listed and removed by reconcile', async () => {
    foreignCases[0]?.install();
    foreignCases[1]?.install();
    const before = lab.rulesetShape();
    await applyFirewall(NAT, lab.nft);
    const stale = await listStale(new Set(['another']), lab.nft);
    assert.deepEqual(stale.tables, ['virtkit_coexist']);
    assert.deepEqual(stale.rules.map((r) => `${r.family} ${r.table} ${r.chain}`).sort(), [
      'inet hostfw forward', 'inet hostfw forward', 'inet hostfw input', 'inet hostfw input', 'inet hostfw input', 'inet hostfw input',
      'ip filter DOCKER-USER', 'ip filter DOCKER-USER', 'ip6 filter DOCKER-USER', 'ip6 filter DOCKER-USER',
    ]);
    assert.deepEqual(await listStale(new Set(['coexist']), lab.nft), { tables: [], rules: [] });
    const cleaned = await reconcileFirewall([], lab.nft);
    assert.deepEqual(cleaned.remade, []);
    nothingOfVirtkit();
    assert.deepEqual(lab.rulesetShape(), before);
  });
});
