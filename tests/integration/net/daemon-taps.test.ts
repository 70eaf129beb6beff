// The interface commands through the CLI against a real virtkitd process, and its taps across a
// kill -9 of that daemon: a guest on the test's bridge runs on a vnetN; after kill -9 of virtkitd
// the tap stays (the guest runs on), the next virtkitd re-attaches and keeps it; domiflist,
// domifstat, domif-setlink/-getlink, attach-interface (--print-xml too) and detach-interface work
// through the CLI; destroy removes every tap. Nothing of the test is left.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bridgeInterfaceXml, guestDomainXml, guestNetAppend } from '../../helpers/guest.js';
import { hostLinks, linksNamed, startNetLab } from '../../helpers/net-lab.js';
import { processesMentioning } from '../../helpers/qemu-spawn.js';
import { until } from '../../helpers/wait.js';
import { assertLeftNothing, cli, isAlive, spawnDaemon, tempRoot } from '../daemon-harness.js';

const tag = `vkd${process.pid % 10000}`;
const bridge = `${tag}br`;
const MAC1 = '52:54:00:7d:00:01';
const MAC2 = '52:54:00:7d:00:02';

const ok = async (root: string, argv: string[]): Promise<string> => {
  const r = await cli(root, argv);
  assert.equal(r.code, 0, `virtkit ${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

/** domiflist's rows after the header: [interface, type, source, model, mac]. */
const ifRows = (out: string): string[][] => out.split('\n').slice(2).filter((l) => l.trim() !== '').map((l) => l.trim().split(/\s+/));

describe('interfaces through the CLI and a real daemon', { timeout: 300_000 }, () => {
  it('kill -9 of virtkitd keeps the tap; the next one re-attaches, the interface commands work, destroy removes the taps', async () => {
    const lab = await startNetLab(bridge);
    const { root, layout } = await tempRoot();
    let daemon = await spawnDaemon(layout);
    let qemuPid = -1;
    try {
      await writeFile(join(root, 'g.xml'), await guestDomainXml(`${tag}g`, { append: guestNetAppend(), devices: bridgeInterfaceXml(bridge, MAC1) }));
      await ok(root, ['define', 'g.xml']);
      await ok(root, ['start', `${tag}g`]);
      qemuPid = (JSON.parse(await readFile(join(layout.statusDir, `${tag}g.json`), 'utf8')) as { pid: number }).pid;
      const [row] = ifRows(await ok(root, ['domiflist', `${tag}g`]));
      const tap = row?.[0] ?? '';
      assert.deepEqual(row, [tap, 'bridge', bridge, 'virtio', MAC1]);
      assert.match(tap, /^vnet\d+$/);

      assert.equal(await daemon.stop('SIGKILL'), null);
      assert.ok(isAlive(qemuPid), 'the guest outlived its daemon');
      assert.equal((await hostLinks.get(tap))?.master, bridge, 'the tap outlived the daemon');
      // A NIC the status records but QEMU lacks, as an attach killed mid-way leaves it (its status is written ahead of the hot-plug).
      const statusFile = join(layout.statusDir, `${tag}g.json`);
      const status = JSON.parse(await readFile(statusFile, 'utf8')) as { xml: string };
      const phantom = "<interface type='user'><mac address='52:54:00:00:00:77'/><model type='virtio'/><alias name='net7'/></interface>";
      status.xml = status.xml.replace('</devices>', `${phantom}</devices>`);
      await writeFile(statusFile, JSON.stringify(status));
      daemon = await spawnDaemon(layout);
      assert.equal((await hostLinks.get(tap))?.master, bridge, 'the next daemon kept the tap');
      assert.deepEqual(ifRows(await ok(root, ['domiflist', `${tag}g`])).map((r) => r[0]), [tap], 'the NIC QEMU lacks was dropped');
      await until('the status without the dropped NIC', async () => !(await readFile(statusFile, 'utf8')).includes('52:54:00:00:00:77') || undefined, 10_000);

      const stat = await ok(root, ['domifstat', `${tag}g`, tap]);
      assert.deepEqual(stat.trim().split('\n').map((l) => l.split(' ').slice(0, 2).join(' ')),
        ['rx_bytes', 'rx_packets', 'rx_errs', 'rx_drop', 'tx_bytes', 'tx_packets', 'tx_errs', 'tx_drop'].map((k) => `${tap} ${k}`));
      // The guest's DHCP requests went out: its tx (the tap's rx) is not empty.
      await until('the guest sent something', async () => {
        const out = await ok(root, ['domifstat', `${tag}g`, MAC1]);
        return Number(/tx_packets (\d+)/.exec(out)?.[1]) > 0 || undefined;
      }, 60_000);

      assert.equal(await ok(root, ['domif-getlink', `${tag}g`, tap]), `${tap} up\n\n`);
      assert.equal(await ok(root, ['domif-setlink', `${tag}g`, MAC1, 'down']), 'Device updated successfully\n\n');
      assert.equal(await ok(root, ['domif-getlink', `${tag}g`, MAC1]), `${MAC1} down\n\n`);
      assert.equal(await ok(root, ['domif-getlink', `${tag}g`, MAC1, '--config']), `${MAC1} up\n\n`);

      assert.equal(await ok(root, ['attach-interface', `${tag}g`, 'bridge', bridge, '--mac', MAC2, '--model', 'virtio', '--print-xml']),
        `<interface type='bridge'>\n  <source bridge='${bridge}'/>\n  <mac address='${MAC2}'/>\n  <model type='virtio'/>\n</interface>\n\n`);
      assert.equal(await ok(root, ['attach-interface', `${tag}g`, '--type', 'bridge', '--source', bridge, '--mac', MAC2, '--model', 'virtio']), 'Interface attached successfully\n\n');
      const rows = ifRows(await ok(root, ['domiflist', `${tag}g`]));
      assert.equal(rows.length, 2);
      const tap2 = rows[1]?.[0] ?? '';
      assert.equal((await hostLinks.get(tap2))?.master, bridge);
      const ambiguous = await cli(root, ['detach-interface', `${tag}g`, 'bridge']);
      assert.notEqual(ambiguous.code, 0);
      assert.match(ambiguous.stderr, /2 interfaces with type 'bridge'.*--mac/);
      assert.equal(await ok(root, ['detach-interface', `${tag}g`, 'bridge', '--mac', MAC2]), 'Interface detached successfully\n\n');
      assert.equal(await hostLinks.get(tap2), undefined, 'the detached NIC took its tap');
      assert.equal(ifRows(await ok(root, ['domiflist', `${tag}g`])).length, 1);

      const bad = await cli(root, ['attach-interface', `${tag}g`, 'bridge', `${tag}nobr`]);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, new RegExp(`no bridge '${tag}nobr'`));

      await ok(root, ['destroy', `${tag}g`]);
      assert.equal(await hostLinks.get(tap), undefined, 'destroy removed the tap');
      assert.equal(await daemon.stop('SIGTERM'), 0);
    } finally {
      await daemon.stop('SIGKILL');
      if (qemuPid > 0 && isAlive(qemuPid)) process.kill(qemuPid, 'SIGKILL');
      await lab.stop();
    }
    await assertLeftNothing(root, layout, daemon.pid);
    assert.deepEqual(await linksNamed(tag), [], 'no tap or bridge of the test is left');
    assert.deepEqual(processesMentioning(`--interface=${bridge}`), [], 'no dnsmasq of the test is left');
  });
});
