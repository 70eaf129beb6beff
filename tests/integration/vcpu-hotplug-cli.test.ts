/**
 * setvcpus --live through the CLI, in-process against a real rooted daemon and a running TCG guest
 * with <vcpu current='1'>2</vcpu>: vcpucount's live rows, vcpuinfo and dumpxml follow a plug, and the
 * counts QEMU cannot take are refused with their messages. (The guest's side and the unplug are in
 * vcpu-hotplug.test.ts.)
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { guestDomainXml } from '../helpers/guest.js';
import { cli, inProcessDaemon, isAlive } from './daemon-harness.js';

it('setvcpus --live 2: vcpucount, vcpuinfo and the live XML show 2; 3 and --maximum --live are refused', { timeout: 180_000 }, async () => {
  const d = await inProcessDaemon();
  let pid = -1;
  try {
    await writeFile(join(d.root, 'c1.xml'), (await guestDomainXml('c1')).replace('<vcpu>1</vcpu>', "<vcpu current='1'>2</vcpu>"));
    const ok = async (argv: string[]): Promise<string> => {
      const r = await cli(d.root, argv);
      assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    await ok(['define', 'c1.xml']);
    await ok(['start', 'c1']);
    pid = (await d.daemon.engine.ctx.statusOf(d.daemon.engine.ctx.registry.named('c1')))?.pid ?? -1;
    assert.equal(await ok(['vcpucount', 'c1', '--live', '--active']), '1\n\n');
    await ok(['setvcpus', 'c1', '2', '--live']);
    assert.equal(await ok(['vcpucount', 'c1']),
      'maximum      config         2\nmaximum      live           2\ncurrent      config         1\ncurrent      live           2\n\n');
    assert.deepEqual([...(await ok(['vcpuinfo', 'c1'])).matchAll(/^VCPU:\s+(\d+)$/gm)].map((m) => m[1]), ['0', '1']);
    assert.match(await ok(['dumpxml', 'c1']), /<vcpu>2<\/vcpu>\n {2}<vcpus>\n {4}<vcpu id='0' enabled='yes' hotpluggable='no' order='1'\/>\n {4}<vcpu id='1' enabled='yes' hotpluggable='yes' order='2'\/>/);
    const over = await cli(d.root, ['setvcpus', 'c1', '3', '--live']);
    assert.equal(over.code, 1);
    assert.match(over.stderr, /^error: cannot set 3 vCPUs on the running domain: the count must be from 1 to its maximum, 2 /);
    const max = await cli(d.root, ['setvcpus', 'c1', '3', '--maximum', '--live']);
    assert.deepEqual([max.code, max.stderr], [1, 'error: the maximum vCPU count of a running domain cannot change: use --maximum with --config\n']);
  } finally {
    if (isAlive(pid)) await cli(d.root, ['destroy', 'c1']);
    await d.close();
  }
  assert.equal(isAlive(pid), false, 'QEMU is gone');
});
