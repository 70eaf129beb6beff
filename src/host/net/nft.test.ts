// The host side with a recording nft runner on captured rulesets (tests/fixtures/nft): which
// nft calls are made, what one transaction holds, the one retry. The real nft runs in
// tests/integration/firewall-*.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../../../tests/helpers/paths.js';
import { VirtkitError } from '../../core/errors.js';
import type { FirewallNetwork } from '../../core/network/firewall-model.js';
import { applyFirewall, reconcileFirewall, removeFirewall } from './nft.js';
import type { NftRunner } from './nft-run.js';

const fixture = (name: string): string => readFileSync(join(repoRoot, 'tests', 'fixtures', 'nft', name), 'utf8');
const DEFAULT: FirewallNetwork = { name: 'default', mode: 'nat', bridge: 'virbr0', ipv4: [{ address: '192.168.122.1', prefix: 24 }], ipv6: [] };

/** An nft that lists `ruleset` and refuses the first `failures` transactions. */
function fakeNft(ruleset: string, failures = 0): { run: NftRunner; sent: unknown[][]; lists: number } {
  const state = { sent: [] as unknown[][], lists: 0 };
  let refuse = failures;
  const run: NftRunner = (args, file) => {
    if (file === undefined) {
      assert.deepEqual(args, ['-j', 'list', 'ruleset']);
      state.lists += 1;
      return Promise.resolve(ruleset);
    }
    assert.deepEqual(args, ['-j']);
    state.sent.push((JSON.parse(file) as { nftables: unknown[] }).nftables);
    if (refuse-- > 0) return Promise.reject(new VirtkitError('FIREWALL_ERROR', 'nft: Could not process rule: No such file or directory'));
    return Promise.resolve('');
  };
  return { run, get sent() { return state.sent; }, get lists() { return state.lists; } };
}

describe('nft host functions', () => {
  it('applies the table and the pinholes in one transaction', async () => {
    const nft = fakeNft(fixture('docker-hostfw.json'));
    const applied = await applyFirewall(DEFAULT, nft.run);
    assert.equal(nft.sent.length, 1);
    assert.deepEqual([...applied.pinholes].sort(), ['inet hostfw forward', 'inet hostfw input', 'ip filter DOCKER-USER']);
    const kinds = (nft.sent[0] ?? []).map((c) => Object.keys(c as object)[0]);
    // No table listed: created (no `delete table`, whose commit waits for the kernel).
    assert.deepEqual([...new Set(kinds)], ['create', 'add', 'insert']);
    assert.equal(kinds.filter((k) => k === 'insert').length, 7);
  });

  it('replaces a listed table whole (added and deleted first) and creates one that is not listed', async () => {
    const kinds = async (ruleset: string): Promise<string[]> => {
      const nft = fakeNft(fixture(ruleset));
      await applyFirewall(DEFAULT, nft.run);
      return (nft.sent[0] ?? []).flatMap((c) => Object.entries(c as Record<string, Record<string, unknown>>))
        .filter(([, o]) => 'table' in o).map(([k]) => k);
    };
    assert.deepEqual(await kinds('docker-hostfw-default.json'), ['add', 'delete', 'add', 'delete', 'add']);
    assert.deepEqual(await kinds('docker-hostfw.json'), ['create']);
  });

  it('lists again and retries once when nft refuses the transaction (the ruleset changed in between), then reports', async () => {
    const once = fakeNft(fixture('docker-hostfw-default.json'), 1);
    await removeFirewall('default', once.run);
    assert.deepEqual([once.lists, once.sent.length], [2, 2]);
    assert.equal((once.sent[0] ?? []).length, 7 + 2, 'seven pinholes deleted by handle, the table added and deleted');

    const always = fakeNft(fixture('docker-hostfw-default.json'), 2);
    await assert.rejects(removeFirewall('default', always.run), (e) => e instanceof VirtkitError && e.code === 'FIREWALL_ERROR');
    assert.equal(always.sent.length, 2);
  });

  it('reconcile sends nothing when everything is in place, and removes it all when nothing runs', async () => {
    const fine = fakeNft(fixture('docker-hostfw-default.json'));
    assert.deepEqual(await reconcileFirewall([DEFAULT], fine.run), { transaction: '', remade: [], stale: { tables: [], rules: [] } });
    assert.equal(fine.sent.length, 0);

    const none = fakeNft(fixture('docker-hostfw-default.json'));
    const r = await reconcileFirewall([], none.run);
    assert.deepEqual(r.stale.tables, ['virtkit_default']);
    assert.equal(r.stale.rules.length, 7);
    assert.equal(none.sent.length, 1);
  });

  it("re-makes a running network's firewall when its table is gone", async () => {
    const nft = fakeNft(fixture('docker-hostfw.json'));
    const r = await reconcileFirewall([DEFAULT], nft.run);
    assert.deepEqual(r.remade, ['default']);
    assert.match(r.transaction, /table inet virtkit_default \{/);
  });
});
