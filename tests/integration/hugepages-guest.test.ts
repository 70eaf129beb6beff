/**
 * Huge pages on a real guest, through the daemon and the CLI (issue 10): `virtkit allocpages 2M N
 * --add` reserves N pages, a 128 MiB guest with <memoryBacking><hugepages/> boots on them (the
 * daemon mounts its own hugetlbfs under its run dir when the host has none; QEMU preallocates), so
 * HugePages_Free in /proc/meminfo and node 0's free_hugepages drop by exactly N, and come back
 * after destroy. Then a guest needing one page more than is free is refused before QEMU runs
 * (HUGEPAGES_INSUFFICIENT, naming the pages and the node) and nothing changes. The pool is lowered
 * by the N pages again in `finally` (by N, not to a remembered size, so that a concurrent change by
 * someone else on this shared machine is kept); the mount is removed there too.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { VirtkitClient } from '../../src/client/client.js';
import { readHostMemoryFacts } from '../../src/host/memory-facts.js';
import { GUEST_READY_MARKER, guestDomainXml } from '../helpers/guest.js';
import { giveBackHugepages, holdHugepagePool } from '../helpers/hugepages.js';
import { until } from '../helpers/wait.js';
import { api, cli, inProcessDaemon, isAlive } from './daemon-harness.js';

const POOL = '/sys/kernel/mm/hugepages/hugepages-2048kB';
const NODE0 = '/sys/devices/system/node/node0/hugepages/hugepages-2048kB/free_hugepages';
const GUEST_MIB = 128;
const PAGES = GUEST_MIB / 2;
const run = promisify(execFile);

const num = async (file: string): Promise<number> => Number((await readFile(file, 'utf8')).trim());
const meminfoFree = async (): Promise<number> => Number(/^HugePages_Free:\s+(\d+)/m.exec(await readFile('/proc/meminfo', 'utf8'))?.[1]);
/** HugePages_Free and node 0's free_hugepages (the host-wide pool's file where the kernel has no node dirs). */
const free = async (): Promise<[number, number]> => [await meminfoFree(), await num(NODE0).catch(() => num(`${POOL}/free_hugepages`))];

const canRun = process.getuid?.() === 0 && (await readFile(`${POOL}/nr_hugepages`, 'utf8').then(() => true, () => false));

describe('a guest on 2 MiB huge pages', { skip: canRun ? false : `needs root and ${POOL}` }, () => {
  it('allocpages reserves them, the guest takes them (HugePages_Free drops), gives them back; too few: HUGEPAGES_INSUFFICIENT, nothing started', { timeout: 900_000 }, async (t) => {
    const letGo = await holdHugepagePool();
    const d = await inProcessDaemon().catch(async (e: unknown) => { await letGo(); throw e; });
    const ownMount = join(d.layout.runDir, 'hugepages-2048kB');
    const hostHadMount = (await readHostMemoryFacts()).hugetlbfs.some((m) => m.sizeKiB === 2048 && m.virtkit !== true);
    let reserved = 0;
    try {
      const alloc = await cli(d.root, ['allocpages', '2M', String(PAGES), '--add']);
      if (alloc.code !== 0 && /HUGEPAGES_SHORT|the kernel gave only/.test(alloc.stderr)) return t.skip(`the kernel cannot reserve ${PAGES} pages: ${alloc.stderr.trim()}`);
      assert.deepEqual([alloc.code, alloc.stderr], [0, ''], alloc.stderr);
      reserved = PAGES;
      const before = await free();
      assert.ok(before[0] >= PAGES && before[1] >= PAGES, `the pool has the ${PAGES} pages free: ${before.join(', ')}`);

      await writeFile(join(d.root, 'hp1.xml'), await guestDomainXml('hp1', { memoryMiB: GUEST_MIB, extra: '  <memoryBacking><hugepages/></memoryBacking>\n' }));
      assert.equal((await cli(d.root, ['define', 'hp1.xml'])).code, 0);
      const started = await cli(d.root, ['start', 'hp1']);
      assert.deepEqual(started, { code: 0, stdout: "Domain 'hp1' started\n\n", stderr: '' });
      const console = await new VirtkitClient({ root: d.root, env: {} }).console('hp1');
      let text = '';
      console.onData((b) => { text += b.toString('latin1'); });
      console.write('\r');
      await until('the guest ready marker on the console', () => (text.includes(GUEST_READY_MARKER) ? true : undefined), 120_000);
      console.close();
      await console.closed;
      // Preallocated at start: every page of the guest's RAM is taken, on node 0 (this host's one node).
      assert.deepEqual(await free(), [before[0] - PAGES, before[1] - PAGES]);
      const pid = (await d.daemon.engine.ctx.statusOf(d.daemon.engine.ctx.registry.named('hp1')))?.pid ?? -1;
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
      const backend = cmdline.find((a) => a.includes('memory-backend-file')) ?? '';
      const mounted = (await readFile('/proc/mounts', 'utf8')).split('\n').some((l) => l.startsWith(`virtkit ${ownMount} hugetlbfs `));
      if (hostHadMount) {
        assert.match(backend, /"mem-path":"[^"]+","x-use-canonical-path-for-ramblock-id":false,"prealloc":true/);
      } else {
        // No hugetlbfs of 2 MiB on the host: the daemon mounted its own under its run dir.
        assert.ok(mounted, `${ownMount} is a hugetlbfs mount made by virtkit`);
        assert.ok(backend.includes(`"mem-path":"${ownMount}"`), backend);
      }

      assert.equal((await cli(d.root, ['destroy', 'hp1'])).code, 0);
      await until('QEMU gone', () => (isAlive(pid) ? undefined : true), 30_000);
      assert.deepEqual(await free(), before, 'the pages are free again after destroy');

      // One page more than is free: refused before QEMU runs, saying what is missing.
      const [nowFree, nodeFree] = await free();
      const tooBig = (nowFree + 1) * 2;
      await writeFile(join(d.root, 'hp2.xml'), await guestDomainXml('hp2', { memoryMiB: tooBig, extra: '  <memoryBacking><hugepages/></memoryBacking>\n' }));
      assert.equal((await cli(d.root, ['define', 'hp2.xml'])).code, 0);
      const refused = await cli(d.root, ['start', 'hp2']);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, new RegExp(`domain 'hp2' cannot start: the guest needs ${nowFree + 1} pages of 2048 KiB on host node 0; node 0 has ${nodeFree} free\\. ` +
        "Reserve more pages with 'virtkit allocpages'"));
      assert.equal((await cli(d.root, ['domstate', 'hp2'])).stdout, 'shut off\n\n');
      assert.deepEqual(await free(), [nowFree, nodeFree], 'nothing took pages');
      const http = await api(d.layout, 'POST', '/v1/domains/hp2/actions/start');
      const body = http.body as { error: { code: string; details: unknown } };
      assert.deepEqual([http.status, body.error.code, body.error.details],
        [409, 'HUGEPAGES_INSUFFICIENT', { shortages: [{ cells: [], pageSizeKiB: 2048, needed: nowFree + 1, nodes: [0], free: nodeFree }] }]);
    } finally {
      try {
        await cli(d.root, ['destroy', 'hp1']).catch(() => undefined);
        await run('umount', [ownMount]).catch(() => undefined);
        if (reserved > 0) await giveBackHugepages(reserved);
      } finally {
        await d.close();
        await letGo();
      }
    }
  });
});
