// virtkit's network firewall in each forward mode, on real bridges and veth pairs inside network
// namespaces the test makes (tests/helpers/netns-lab.ts): a guest reaches an outside host through
// masquerade (nat), by its own address (route), not at all (isolated); 'open' adds nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FirewallNetwork } from '../../src/core/network/firewall-model.js';
import { firewallPlan } from '../../src/core/network/firewall.js';
import { applyFirewall, listStale, removeFirewall } from '../../src/host/net/nft.js';
import { BRIDGE, GATEWAY, GATEWAY6, GUEST_IP, GUEST_IP6, NetnsLab, OUTSIDE_IP6, UPLINK_IP } from '../helpers/netns-lab.js';

const net = (mode: FirewallNetwork['mode']): FirewallNetwork => ({
  name: `fw-${mode}`, mode, bridge: BRIDGE, ipv4: [{ address: GATEWAY, prefix: 24 }], ipv6: [],
});

describe('network firewall modes in a namespace lab', { timeout: 120_000 }, () => {
  const lab = new NetnsLab();
  let empty: unknown;

  before(async () => {
    await lab.create();
    empty = lab.rulesetShape();
  });
  after(async () => {
    await lab.destroy();
    assert.deepEqual(lab.leftovers(), [], 'no namespace of the test is left');
  });

  const removedCleanly = async (name: string): Promise<void> => {
    await removeFirewall(name, lab.nft);
    assert.deepEqual(lab.rulesetShape(), empty, 'nothing of virtkit is left');
    assert.deepEqual(await listStale(new Set(), lab.nft), { tables: [], rules: [] });
  };

  it('without any rules the guest gets out but no reply comes home (the lab itself needs NAT or a route)', async () => {
    assert.deepEqual(await lab.probe(), { tcp: 'blocked', udp: 'blocked' });
  });

  it('nat: the outside sees the uplink address for tcp and udp, and stops seeing it once removed', async () => {
    const applied = await applyFirewall(net('nat'), lab.nft);
    assert.deepEqual(applied.pinholes, [], 'no other table drops: nothing to open');
    assert.deepEqual(await lab.probe(), { tcp: UPLINK_IP, udp: UPLINK_IP });
    await removedCleanly('fw-nat');
    assert.deepEqual(await lab.probe(), { tcp: 'blocked', udp: 'blocked' });
  });

  it('nat applied twice is one table (the apply replaces it whole)', async () => {
    await applyFirewall(net('nat'), lab.nft);
    await applyFirewall(net('nat'), lab.nft);
    const tables = lab.sh(lab.host, ['nft', 'list', 'tables']);
    assert.equal(tables.trim(), 'table inet virtkit_fw-2dnat');
    assert.deepEqual(await lab.probe(), { tcp: UPLINK_IP, udp: UPLINK_IP });
    await removedCleanly('fw-nat');
  });

  it('a table made after the listing is replaced, not added to: the create fails, the listing is taken again', async () => {
    const before = await lab.nft(['-j', 'list', 'ruleset']);
    await applyFirewall(net('nat'), lab.nft);
    const once = lab.sh(lab.host, ['nft', 'list', 'table', 'inet', 'virtkit_fw-2dnat']);
    // The first listing is from before the table was made, as if it had been made in between.
    let stale = true;
    const lateTable: typeof lab.nft = (args, file) => {
      if (file === undefined && stale) { stale = false; return Promise.resolve(before); }
      return lab.nft(args, file);
    };
    await applyFirewall(net('nat'), lateTable);
    assert.equal(stale, false);
    assert.equal(lab.sh(lab.host, ['nft', 'list', 'table', 'inet', 'virtkit_fw-2dnat']), once, 'the same rules, none twice');
    await removedCleanly('fw-nat');
  });

  it('nat with IPv6: IPv4 masqueraded, IPv6 routed (the outside sees the guest\'s IPv6 address), isolated blocks both', async () => {
    const dual = { ...net('nat'), ipv6: [{ address: GATEWAY6, prefix: 64 }] };
    assert.deepEqual(await lab.probe(OUTSIDE_IP6), { tcp: GUEST_IP6, udp: GUEST_IP6 }, 'the lab routes IPv6 without rules');
    await applyFirewall(dual, lab.nft);
    assert.deepEqual(await lab.probe(), { tcp: UPLINK_IP, udp: UPLINK_IP });
    assert.deepEqual(await lab.probe(OUTSIDE_IP6), { tcp: GUEST_IP6, udp: GUEST_IP6 });
    await applyFirewall({ ...dual, mode: 'isolated' }, lab.nft);
    assert.deepEqual(await lab.probe(OUTSIDE_IP6), { tcp: 'blocked', udp: 'blocked' });
    await removedCleanly('fw-nat');
  });

  it('route: the outside sees the guest\'s own address (no masquerade)', async () => {
    lab.routeBack(true);
    try {
      await applyFirewall(net('route'), lab.nft);
      assert.deepEqual(await lab.probe(), { tcp: GUEST_IP, udp: GUEST_IP });
      await removedCleanly('fw-route');
    } finally {
      lab.routeBack(false);
    }
  });

  it('isolated: nothing is forwarded, even where a route back exists', async () => {
    lab.routeBack(true);
    try {
      assert.deepEqual(await lab.probe(), { tcp: GUEST_IP, udp: GUEST_IP }, 'the lab forwards without rules');
      await applyFirewall(net('isolated'), lab.nft);
      assert.deepEqual(await lab.probe(), { tcp: 'blocked', udp: 'blocked' });
      await removedCleanly('fw-isolated');
    } finally {
      lab.routeBack(false);
    }
  });

  it('the text ruleset (what --dry-run shows) and the JSON commands (what is sent) make the same table', async () => {
    const rich: FirewallNetwork = {
      name: 'fw rich', mode: 'nat', bridge: BRIDGE, forwardDev: 'vkfup', tftp: true,
      ipv4: [{ address: GATEWAY, prefix: 24 }, { address: '10.9.8.1', prefix: 25 }], ipv6: [{ address: '2001:db8:ca2:2::1', prefix: 64 }],
      nat: { addressStart: '203.0.113.1', addressEnd: '203.0.113.9', portStart: 2000, portEnd: 3000 },
    };
    const plan = firewallPlan(rich);
    const table = (): string => lab.sh(lab.host, ['nft', 'list', 'table', 'inet', plan.table ?? '']);
    lab.sh(lab.host, ['nft', '-f', '-'], plan.ruleset);
    const fromText = table();
    lab.sh(lab.host, ['nft', '-f', '-'], plan.removeRuleset);
    await applyFirewall(rich, lab.nft);
    assert.equal(table(), fromText);
    assert.match(fromText, /snat ip to 203\.0\.113\.1-203\.0\.113\.9:2000-3000/);
    await removedCleanly('fw rich');
  });

  it('open: no rules at all, the ruleset is untouched', async () => {
    assert.equal(firewallPlan(net('open')).ruleset, '');
    const applied = await applyFirewall(net('open'), lab.nft);
    assert.equal(applied.transaction, '');
    assert.deepEqual(lab.rulesetShape(), empty);
  });
});
