// The firewall's nft commands through nft processes started ahead of time (src/host/net/nft-warm.ts),
// against the real kernel inside a network namespace the test makes (per-process name) and deletes in
// `after`: none waiting, a command goes to the fallback (nft -f FILE); once the pool is filled, a transaction is applied; the listing is what `nft -j list ruleset` gives; a refused
// transaction is FIREWALL_ERROR quoting nft (the interactive mode exits 0: the error is read from
// stderr); other commands go to the fallback runner; no command history is written.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { VirtkitError } from '../../../src/core/errors.js';
import { NetNamespaces } from '../../../src/host/net/netns.js';
import { nftRunner } from '../../../src/host/net/nft-run.js';
import { WarmNft } from '../../../src/host/net/nft-warm.js';

const tag = `vkwn${process.pid % 100000}`;
const ns = `${tag}a`;
const namespaces = new NetNamespaces();
const prefix = ['ip', 'netns', 'exec', ns];
const plain = nftRunner(prefix);
const warm = new WarmNft(prefix);
const asked: string[] = [];
const run = warm.runner(async (args, file) => {
  asked.push(args.join(' '));
  return plain(args, file);
});
const table = (name: string) => ({ nftables: [{ add: { table: { family: 'inet', name } } }] });
const history = join(homedir(), '.nft.history');

describe('nft started ahead of time, in a namespace', () => {
  const historyBefore = existsSync(history);
  before(async () => {
    await namespaces.add(ns);
  });
  after(async () => {
    warm.close();
    await namespaces.delete(ns).catch(() => undefined);
  });

  it('applies a transaction, lists as nft -j list ruleset, reports a refused one, passes others on', async () => {
    // None waiting yet: the first goes to the fallback, and the pool is filled a little later.
    await run(['-j', 'list', 'ruleset']);
    assert.deepEqual(asked, ['-j list ruleset']);
    asked.length = 0;
    while (warm.waiting < 2) await new Promise((r) => setTimeout(r, 10));
    assert.equal(await run(['-j'], JSON.stringify(table('t1'))), '');
    const listed = JSON.parse(await run(['-j', 'list', 'ruleset'])) as { nftables: Record<string, unknown>[] };
    assert.deepEqual(listed, JSON.parse(await plain(['-j', 'list', 'ruleset'])));
    assert.ok(listed.nftables.some((o) => (o['table'] as { name?: string } | undefined)?.name === 't1'));
    await assert.rejects(run(['-j'], JSON.stringify({ nftables: [{ delete: { table: { family: 'inet', name: 'nosuch' } } }] })),
      (e: unknown) => e instanceof VirtkitError && e.code === 'FIREWALL_ERROR' && /No such file or directory/.test(e.message));
    assert.deepEqual(asked, [], 'the listing, the transaction and the refused one went to waiting processes');
    // Several at once, more than are waiting: the others go to the fallback.
    await Promise.all(['t2', 't3', 't4'].map((n) => run(['-j'], JSON.stringify(table(n)))));
    const tables = (await plain(['list', 'tables'])).split('\n').filter((l) => l !== '').sort();
    assert.deepEqual(tables, ['table inet t1', 'table inet t2', 'table inet t3', 'table inet t4']);
    asked.length = 0;
    await run(['list', 'tables']);
    assert.deepEqual(asked, ['list tables']);
    assert.equal(existsSync(history), historyBefore, 'no ~/.nft.history written');
  });
});
