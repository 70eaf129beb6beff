/**
 * Snapshots of a shut-off domain through the CLI, in-process against a real rooted daemon,
 * on a real qcow2 image (written and read with qemu-io): internal snapshots with qemu-img
 * (create, list --parent/--tree/--roots/--leaves, info, current, parent, dumpxml, revert,
 * delete), an external disk-only one (a new overlay in the definition, merged back by
 * snapshot-delete with qemu-img commit, the writes kept), the metadata surviving a daemon
 * restart, and undefine refused while snapshots exist (virsh --snapshots-metadata).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startDaemon } from '../../src/daemon/daemon.js';
import { GUEST_APPEND, ensureTestGuest } from '../helpers/guest.js';
import { cli, domainXml, inProcessDaemon, quietLog } from './daemon-harness.js';
import { until } from '../helpers/wait.js';
import { writeFile } from 'node:fs/promises';

const img = (...args: string[]): string => execFileSync('qemu-img', args, { encoding: 'utf8' });
/** Writes byte `pattern` over the first 64 KiB of the image. */
const write = (path: string, pattern: number, format = 'qcow2'): void => void execFileSync('qemu-io', ['-f', format, '-c', `write -P ${pattern} 0 64k`, path], { encoding: 'utf8' });
/** Whether the first 64 KiB all hold `pattern` (qemu-io's read -P compares). */
const holds = (path: string, pattern: number): boolean => !execFileSync('qemu-io', ['-f', 'qcow2', '-c', `read -P ${pattern} 0 64k`, path], { encoding: 'utf8' }).includes('Pattern verification failed');
const tags = (path: string): string[] => ((JSON.parse(img('info', '--output=json', path)) as { snapshots?: { name: string }[] }).snapshots ?? []).map((s) => s.name);

describe('snapshots of a shut-off domain (CLI, real daemon, real qemu-img)', { timeout: 120_000 }, () => {
  it('takes, lists, reverts and deletes internal and external snapshots; the metadata survives a restart', async () => {
    const d = await inProcessDaemon();
    let again: Awaited<ReturnType<typeof startDaemon>> | undefined;
    try {
      const vk = (...a: string[]) => cli(d.root, a);
      const disk = join(d.root, 'disk.qcow2');
      img('create', '-q', '-f', 'qcow2', disk, '16M');
      const xml = join(d.root, 'vm.xml');
      await writeFile(xml, domainXml('vm', `  <devices>\n    <disk type='file' device='disk'>\n      <driver name='qemu' type='qcow2'/>\n      <source file='${disk}'/>\n      <target dev='vda' bus='virtio'/>\n    </disk>\n  </devices>\n`));
      assert.equal((await vk('define', xml)).code, 0);

      write(disk, 0x11);
      assert.deepEqual(await vk('snapshot-create-as', 'vm', '--name', 's1', '--description', 'first'), { code: 0, stdout: 'Domain snapshot s1 created\n', stderr: '' });
      write(disk, 0x22);
      assert.equal((await vk('snapshot-create-as', 'vm', '--name', 's2')).stdout, 'Domain snapshot s2 created\n');
      assert.deepEqual(tags(disk), ['s1', 's2']);
      const list = (await vk('snapshot-list', 'vm', '--parent')).stdout.split('\n');
      assert.match(list[0] ?? '', /^ Name +Creation Time +State +Parent$/);
      assert.match(list[2] ?? '', /^ s1 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} +shutoff +$/);
      assert.match(list[3] ?? '', /^ s2 +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} +shutoff +s1$/);
      assert.equal((await vk('snapshot-list', 'vm', '--tree')).stdout, 's1\n  |\n  +- s2\n    \n\n');
      assert.equal((await vk('snapshot-list', 'vm', '--roots', '--name')).stdout, 's1\n\n');
      assert.equal((await vk('snapshot-list', 'vm', '--leaves', '--name')).stdout, 's2\n\n');
      assert.equal((await vk('snapshot-current', 'vm', '--name')).stdout, 's2\n');
      assert.equal((await vk('snapshot-parent', 'vm', 's2')).stdout, 's1\n');
      assert.equal((await vk('snapshot-info', 'vm', 's1')).stdout,
        'Name:           s1\nDomain:         vm\nCurrent:        no\nState:          shutoff\nLocation:       internal\nParent:         -\nChildren:       1\nDescendants:    1\nMetadata:       yes\n\n');
      assert.match((await vk('snapshot-dumpxml', 'vm', 's1')).stdout, /^<domainsnapshot>\n {2}<name>s1<\/name>\n {2}<description>first<\/description>\n {2}<state>shutoff<\/state>\n {2}<creationTime>\d+<\/creationTime>\n {2}<memory snapshot='no'\/>\n {2}<disks>\n {4}<disk name='vda' snapshot='internal' type='file'\/>\n {2}<\/disks>\n {2}<domain type='qemu'>/);

      assert.deepEqual(await vk('snapshot-revert', 'vm', 's1'), { code: 0, stdout: 'Domain snapshot s1 reverted\n\n', stderr: '' });
      assert.ok(holds(disk, 0x11), 'the image is back to what it held at s1');
      assert.equal((await vk('snapshot-current', 'vm', '--name')).stdout, 's1\n');
      assert.equal((await vk('snapshot-delete', 'vm', 's2')).stdout, 'Domain snapshot s2 deleted\n\n');
      assert.deepEqual(tags(disk), ['s1']);
      const missing = await vk('snapshot-info', 'vm', 's2');
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no snapshot 's2'/);

      // External, disk-only: the definition moves to a new overlay; deleting merges it back.
      assert.equal((await vk('snapshot-create-as', 'vm', '--name', 'e1', '--disk-only')).stdout, 'Domain snapshot e1 created\n');
      const overlay = join(d.root, 'disk.e1');
      assert.match((await vk('dumpxml', 'vm')).stdout, new RegExp(`<source file='${overlay}'/>`));
      assert.equal((JSON.parse(img('info', '--output=json', overlay)) as Record<string, unknown>)['backing-filename'], disk);
      write(overlay, 0x33);
      assert.ok(holds(disk, 0x11), 'the base is untouched while the overlay takes the writes');
      assert.equal((await vk('snapshot-info', 'vm', 'e1')).stdout.split('\n')[4], 'Location:       external');
      assert.equal((await vk('snapshot-current', 'vm', '--snapshotname', 's1')).stdout, 'Snapshot s1 set as current\n');
      assert.equal((await vk('snapshot-current', 'vm', '--name')).stdout, 's1\n');
      assert.equal((await vk('snapshot-current', 'vm', '--snapshotname', 'e1')).stdout, 'Snapshot e1 set as current\n');
      assert.match((await vk('snapshot-current', 'vm')).stdout, /^<domainsnapshot>\n {2}<name>e1<\/name>/);

      await d.daemon.close();
      again = await startDaemon({ layout: d.layout, log: quietLog(d.log), autostart: false });
      assert.equal((await vk('snapshot-list', 'vm', '--name')).stdout, 'e1\ns1\n\n', 'the metadata survives a restart (virsh lists by name)');
      assert.equal((await vk('snapshot-current', 'vm', '--name')).stdout, 'e1\n');

      const refused = await vk('undefine', 'vm');
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /with 2 snapshot\(s\)/);

      assert.equal((await vk('snapshot-delete', 'vm', 'e1')).stdout, 'Domain snapshot e1 deleted\n\n');
      assert.ok(!existsSync(overlay), 'the merged overlay is removed');
      assert.match((await vk('dumpxml', 'vm')).stdout, new RegExp(`<source file='${disk}'/>`));
      assert.ok(holds(disk, 0x33), 'the writes made on the overlay are in the base now');
      assert.equal((await vk('snapshot-current', 'vm', '--name')).stdout, 's1\n');

      // --children-only, --children: descendants go first (internal ones here, with qemu-img).
      assert.equal((await vk('snapshot-create-as', 'vm', '--name', 's3')).stdout, 'Domain snapshot s3 created\n');
      assert.equal((await vk('snapshot-create-as', 'vm', '--name', 's4')).stdout, 'Domain snapshot s4 created\n');
      assert.equal((await vk('snapshot-list', 'vm', '--tree')).stdout, 's1\n  |\n  +- s3\n      |\n      +- s4\n        \n\n');
      assert.equal((await vk('snapshot-delete', 'vm', 's3', '--children-only')).stdout, 'Domain snapshot s3 children deleted\n\n');
      assert.deepEqual(tags(disk), ['s1', 's3']);
      assert.equal((await vk('snapshot-create-as', 'vm', '--name', 's5')).stdout, 'Domain snapshot s5 created\n');
      assert.equal((await vk('snapshot-delete', 'vm', 's3', '--children')).stdout, 'Domain snapshot s3 deleted\n\n');
      assert.deepEqual(tags(disk), ['s1']);
      assert.equal((await vk('snapshot-list', 'vm', '--name')).stdout, 's1\n\n');

      assert.equal((await vk('undefine', 'vm', '--snapshots-metadata')).stdout, "Domain 'vm' has been undefined\n\n");
      assert.deepEqual(tags(disk), ['s1'], 'forgetting the metadata leaves the images alone');
    } finally {
      await again?.close();
      await d.close();
    }
  });

  it('on a running guest: external snapshots merged back (qcow2 and raw images), blockpull, blockjob --info, blockcommit (refusals, --pivot), deletes', async () => {
    const g = await ensureTestGuest();
    const d = await inProcessDaemon();
    try {
      const vk = (...a: string[]) => cli(d.root, a);
      const base = join(d.root, 'base.raw');
      img('create', '-q', '-f', 'raw', base, '8M');
      write(base, 0x44, 'raw');
      // top over mid (2 MiB of its own data) over base.
      const mid = join(d.root, 'mid.qcow2');
      img('create', '-q', '-f', 'qcow2', '-b', base, '-F', 'raw', mid);
      execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x55 1M 2M', mid]);
      const top = join(d.root, 'top.qcow2');
      img('create', '-q', '-f', 'qcow2', '-b', mid, '-F', 'qcow2', top);
      const raw = join(d.root, 'data.raw');
      img('create', '-q', '-f', 'raw', raw, '4M');
      await writeFile(join(d.root, 'g.xml'), `<domain type='qemu'>
  <name>g</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>${g.kernel}</kernel><initrd>${g.initrd}</initrd><cmdline>${GUEST_APPEND}</cmdline></os>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${top}'/><target dev='vdb' bus='virtio'/></disk>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${raw}'/><target dev='vdc' bus='virtio'/></disk>
    <serial type='pty'/>
  </devices>
</domain>
`);
      assert.equal((await vk('define', 'g.xml')).code, 0);
      assert.equal((await vk('start', 'g')).code, 0);
      // As libvirt: a running domain's internal snapshot takes every disk, and a raw one cannot.
      const refused = await vk('snapshot-create-as', 'g', '--name', 'live');
      assert.match(refused.stderr, /disk 'vdc' is raw: an internal snapshot needs a qcow2 disk/);
      assert.match((await vk('snapshot-create-as', 'g', '--name', 'live', '--diskspec', 'vdc,snapshot=no')).stderr, /disk 'vdc' must use snapshot mode 'internal'/);

      // A non-active commit of mid held back to 1 byte/s, aborted by --timeout: the chain is as it was.
      assert.deepEqual(await vk('blockcommit', 'g', 'vdb', '--top', 'vdb[1]', '--bandwidth', '1', '--bytes', '--timeout', '1'), { code: 1, stdout: '\nCommit aborted\n\n', stderr: '' });
      assert.deepEqual((JSON.parse(img('info', '-U', '--backing-chain', '--output=json', top)) as { filename: string }[]).map((i) => i.filename), [top, mid, base]);
      assert.equal((await vk('blockjob', 'g', 'vdb', '--info')).stdout, 'No current block job for vdb\n\n');

      const pulled = await vk('blockpull', 'g', 'vdb', '--wait', '--verbose');
      assert.equal(pulled.code, 0, pulled.stderr);
      assert.ok(pulled.stdout.endsWith('\nPull complete\n\n'), pulled.stdout);
      assert.equal((JSON.parse(img('info', '-U', '--output=json', top)) as Record<string, unknown>)['backing-filename'], undefined);
      assert.equal((await vk('blockjob', 'g', 'vdb', '--info')).stdout, 'No current block job for vdb\n\n');

      assert.equal((await vk('snapshot-create-as', 'g', '--name', 'ext', '--disk-only', '--diskspec', 'vdc,snapshot=no')).stdout, 'Domain snapshot ext created\n');
      assert.match((await vk('dumpxml', 'g')).stdout, new RegExp(`<source file='${join(d.root, 'top.ext')}'`));
      const plain = await vk('blockcommit', 'g', 'vdb');
      assert.equal(plain.code, 1);
      assert.match(plain.stderr, /active image .* requires --active/, 'an active commit needs --active, as libvirt');
      assert.match((await vk('blockcommit', 'g', 'vdb', '--top', 'vdb[9]')).stderr, /could not find image 'vdb\[9\]' in the backing chain of disk 'vdb'/);
      assert.match((await vk('blockcommit', 'g', 'vdb', '--verbose')).stderr, /--verbose requires at least one of --timeout, --wait, --pivot, or --keep-overlay/);
      // A plain --active commit starts and stays ready (synchronized) until blockjob --abort or --pivot ends it.
      const topExt = join(d.root, 'top.ext');
      assert.deepEqual(await vk('blockcommit', 'g', 'vdb', '--active'), { code: 0, stdout: 'Active Block Commit started\n\n', stderr: '' });
      await until('the active commit is ready', async () => (await vk('blockjob', 'g', 'vdb', '--info')).stdout === 'Active Block Commit: [100 %]\n\n');
      assert.match((await vk('dumpxml', 'g')).stdout, new RegExp(`<source file='${topExt}'`), 'a ready commit has not moved the disk');
      assert.deepEqual(await vk('blockjob', 'g', 'vdb', '--abort'), { code: 0, stdout: '\n', stderr: '' });
      assert.equal((await vk('blockjob', 'g', 'vdb', '--info')).stdout, 'No current block job for vdb\n\n');
      assert.match((await vk('dumpxml', 'g')).stdout, new RegExp(`<source file='${topExt}'`), 'an aborted active commit leaves the disk on top');
      assert.match((await vk('blockjob', 'g', 'vdb', '--pivot')).stderr, /has no active block commit/);
      // --active --wait answers when ready (`event --event block-job` prints that event); --abort --pivot pivots.
      const bus = d.daemon.engine.ctx.blockJobEvents;
      const watched = vk('event', '--event', 'block-job', '--domain', 'g', '--timeout', '60');
      await until('the event command listens', () => bus.subscribers > 0);
      assert.deepEqual(await vk('blockcommit', 'g', 'vdb', '--active', '--wait'), { code: 0, stdout: '\nNow in synchronized phase\n\n', stderr: '' });
      assert.match((await vk('dumpxml', 'g')).stdout, new RegExp(`<mirror type='file' job='active-commit' ready='yes'>\\s*<format type='qcow2'/>\\s*<source file='${top}'/>`));
      assert.deepEqual(await vk('blockjob', 'g', 'vdb', '--abort', '--pivot'), { code: 0, stdout: '\n', stderr: '' });
      assert.match((await vk('dumpxml', 'g')).stdout, new RegExp(`<source file='${top}'`), '--abort --pivot is virsh\'s old spelling of --pivot');
      assert.deepEqual(await watched, { code: 0, stdout: "event 'block-job' for domain 'g': vdb ready\nevents received: 1\n\n", stderr: '' });
      assert.equal((await vk('snapshot-create-as', 'g', '--name', 'ext2', '--disk-only', '--diskspec', 'vdc,snapshot=no')).stdout, 'Domain snapshot ext2 created\n');
      assert.equal((await vk('snapshot-delete', 'g', 'ext2', '--metadata')).stdout, 'Domain snapshot ext2 metadata deleted\n\n');
      assert.deepEqual(await vk('blockcommit', 'g', 'vdb', '--pivot'), { code: 0, stdout: '\nSuccessfully pivoted\n\n', stderr: '' }, '--pivot implies --active');
      assert.match((await vk('dumpxml', 'g')).stdout, new RegExp(`<source file='${top}'`));
      assert.equal((await vk('snapshot-delete', 'g', 'ext', '--metadata')).stdout, 'Domain snapshot ext metadata deleted\n\n');

      // An external snapshot of the raw disk, merged back live into the raw image (its only node is the file node).
      assert.equal((await vk('snapshot-create-as', 'g', '--name', 'r', '--disk-only', '--diskspec', 'vdb,snapshot=no')).stdout, 'Domain snapshot r created\n');
      const rawOverlay = join(d.root, 'data.r');
      assert.match((await vk('dumpxml', 'g')).stdout, new RegExp(`<driver name='qemu' type='qcow2'/>\\s*<source file='${rawOverlay}'`));
      assert.deepEqual(await vk('snapshot-delete', 'g', 'r'), { code: 0, stdout: 'Domain snapshot r deleted\n\n', stderr: '' });
      assert.match((await vk('dumpxml', 'g')).stdout, new RegExp(`<driver name='qemu' type='raw'/>\\s*<source file='${raw}'`));
      assert.ok(!existsSync(rawOverlay), 'the merged overlay is removed');
      assert.equal((await vk('snapshot-list', 'g', '--name')).stdout, '\n', 'virsh: only the blank line');
      assert.equal((await vk('snapshot-list', 'g')).stdout, ' Name   Creation Time   State\n-------------------------------\n\n');
      assert.equal((await vk('destroy', 'g')).code, 0);
      assert.deepEqual(tags(top), []);
      assert.ok(holds(top, 0x44), 'the pulled image holds what was in its base');
      assert.ok(existsSync(join(d.root, 'top.ext')), 'blockcommit keeps the merged overlay, as virsh without --delete');
    } finally {
      // A failed step leaves the guest running; the daemon would leave it so when it closes.
      await cli(d.root, ['destroy', 'g']);
      await d.close();
    }
  });
});
