import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../../../tests/helpers/paths.js';
import { VirtkitError } from '../errors.js';
import type { FirewallNetwork } from './firewall-model.js';
import { blockingChains, pinholePlan, pinholesComplete } from './firewall-pinholes.js';
import { deleteRulesText, ourTables, parseNftRuleset, taggedRules } from './firewall-ruleset.js';

const fixture = (name: string): string => readFileSync(join(repoRoot, 'tests', 'fixtures', 'nft', name), 'utf8');
const before = parseNftRuleset(fixture('docker-hostfw.json'));
const after = parseNftRuleset(fixture('docker-hostfw-default.json'));
const DEFAULT: FirewallNetwork = { name: 'default', mode: 'nat', bridge: 'virbr0', ipv4: [{ address: '192.168.122.1', prefix: 24 }], ipv6: [] };
const where = (c: { family: string; table: string; name: string }): string => `${c.family} ${c.table} ${c.name}`;

describe('the host ruleset as nft -j lists it', () => {
  it("finds the other tables' chains that drop: Docker's FORWARD (policy), hostfw's forward and input, not Docker's INPUT", () => {
    assert.deepEqual(blockingChains(before).map(where).sort(), ['inet hostfw forward', 'inet hostfw input', 'ip filter FORWARD']);
    // virtkit's own table rejects, but it is not a foreign chain to open
    assert.deepEqual(blockingChains(after).map(where).sort(), ['inet hostfw forward', 'inet hostfw input', 'ip filter FORWARD']);
  });

  it("plans pinholes: Docker's into DOCKER-USER, DHCP and DNS only on input, all tagged with the network", () => {
    const plan = pinholePlan(DEFAULT, before);
    assert.deepEqual(plan.chains, [
      'ip filter DOCKER-USER', 'ip filter DOCKER-USER',
      'inet hostfw forward', 'inet hostfw forward',
      'inet hostfw input', 'inet hostfw input', 'inet hostfw input',
    ]);
    assert.equal(plan.text, [
      'insert rule ip filter DOCKER-USER oifname "virbr0" accept comment "virtkit:default"',
      'insert rule ip filter DOCKER-USER iifname "virbr0" accept comment "virtkit:default"',
      'insert rule inet hostfw forward oifname "virbr0" accept comment "virtkit:default"',
      'insert rule inet hostfw forward iifname "virbr0" accept comment "virtkit:default"',
      'insert rule inet hostfw input iifname "virbr0" tcp dport 53 accept comment "virtkit:default"',
      'insert rule inet hostfw input iifname "virbr0" udp dport 67 accept comment "virtkit:default"',
      'insert rule inet hostfw input iifname "virbr0" udp dport 53 accept comment "virtkit:default"',
      '',
    ].join('\n'));
    assert.deepEqual(plan.commands[0], { insert: { rule: { family: 'ip', table: 'filter', chain: 'DOCKER-USER', comment: 'virtkit:default', expr: [{ match: { op: '==', left: { meta: { key: 'oifname' } }, right: 'virbr0' } }, { accept: null }] } } });
    assert.deepEqual(pinholePlan({ ...DEFAULT, mode: 'isolated' }, before).text.split('\n')[0], 'insert rule ip filter DOCKER-USER iifname "virbr0" oifname "virbr0" accept comment "virtkit:default"');
    assert.deepEqual(pinholePlan({ ...DEFAULT, mode: 'open' }, before).commands, []);
  });

  it('finds its own table and tagged rules, and knows when the pinholes are all there', () => {
    assert.deepEqual(ourTables(before), []);
    assert.deepEqual(ourTables(after), [{ table: 'virtkit_default', network: 'default' }]);
    assert.equal(taggedRules(after).length, 7);
    assert.ok(taggedRules(after).every((r) => r.network === 'default'));
    assert.equal(pinholesComplete(DEFAULT, before), false);
    assert.equal(pinholesComplete(DEFAULT, after), true);
    const fewer = { ...after, rules: after.rules.filter((r) => !(r.chain === 'DOCKER-USER' && r.comment !== undefined)) };
    assert.equal(pinholesComplete(DEFAULT, fewer), false);
    assert.match(deleteRulesText(taggedRules(after)), /^delete rule ip filter DOCKER-USER handle \d+\n/);
  });

  it('says FIREWALL_ERROR for output that is not nft JSON', () => {
    for (const text of ['Error: no such file', '{"foo": 1}']) {
      assert.throws(() => parseNftRuleset(text), (e: unknown) => e instanceof VirtkitError && e.code === 'FIREWALL_ERROR');
    }
  });
});

describe('which chains deny by default', () => {
  const rs = (chains: object[], rules: object[]): string => JSON.stringify({ nftables: [{ table: { family: 'inet', name: 'fw' } }, ...chains.map((c) => ({ chain: { family: 'inet', table: 'fw', ...c } })), ...rules.map((r) => ({ rule: { family: 'inet', table: 'fw', ...r } }))] });
  const base = { name: 'fwd', type: 'filter', hook: 'forward', prio: 0, policy: 'accept' };
  const match = { match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: '192.0.2.9' } };
  const blocking = (text: string): string[] => blockingChains(parseNftRuleset(text)).map(where);

  it('a blocklist (a drop after a match) in a policy-accept chain does not: it keeps applying to guests', () => {
    assert.deepEqual(blocking(rs([base], [{ chain: 'fwd', handle: 2, expr: [match, { counter: null }, { drop: null }] }])), []);
  });

  it('a final unconditional reject does (firewalld), directly or in a chain jumped to', () => {
    assert.deepEqual(blocking(rs([base], [{ chain: 'fwd', handle: 2, expr: [{ counter: null }, { reject: { type: 'icmpx', expr: 'admin-prohibited' } }] }])), ['inet fw fwd']);
    const zone = { name: 'zone_public' };
    const viaJump = rs([base, zone], [
      { chain: 'fwd', handle: 3, expr: [{ match: { op: '==', left: { meta: { key: 'iifname' } }, right: 'eth0' } }, { jump: { target: 'zone_public' } }] },
      { chain: 'zone_public', handle: 4, expr: [{ reject: null }] },
    ]);
    assert.deepEqual(blocking(viaJump), ['inet fw fwd']);
  });

  it('policy drop does, and chains on other hooks never do', () => {
    assert.deepEqual(blocking(rs([{ ...base, policy: 'drop' }, { ...base, name: 'out', hook: 'output', policy: 'drop' }], [])), ['inet fw fwd']);
  });
});
