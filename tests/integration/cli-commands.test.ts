/**
 * The commands that need no running guest, in-process against a real rooted
 * daemon with the real QEMU driver (its probed capabilities): validate,
 * domxml-to-native, capabilities, domcapabilities, setmem/setmaxmem/setvcpus
 * --config, vcpucount, domblklist, domiflist, edit, dumpxml without aliases.
 */
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { run } from '../../src/cli/run.js';
import { formatArgsText } from '../../src/core/qemu/argv/index.js';
import { expectedKvm, expectedKvmCpuData } from '../helpers/kvm-expect.js';
import { inProcessDaemon } from './daemon-harness.js';

const U1 = '5a1d6c84-0d3e-4f11-9a4c-2b1f6a8e9d01';

function xml(name: string, extra = ''): string {
  return `<domain type='qemu'>
  <name>${name}</name>
  <uuid>${U1}</uuid>
  <memory unit='MiB'>256</memory>
  <vcpu current='1'>2</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <features><acpi/></features>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/var/lib/x, y.qcow2'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>
    <interface type='user'><mac address='52:54:00:11:22:33'/><model type='virtio'/></interface>
    <interface type='ethernet'><mac address='52:54:00:11:22:34'/><target dev='vk-tap9'/><model type='e1000'/></interface>
    <serial type='pty'/>
    ${extra}
  </devices>
</domain>
`;
}

async function vk(root: string, argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(['--root', root, ...argv], {
    stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, env: { PATH: process.env['PATH'], ...env }, cwd: root,
  });
  return { code, stdout, stderr };
}

describe('virtkit commands without a running guest (real daemon, real QEMU caps)', { timeout: 120_000 }, () => {
  it('validate lists every problem with its path and exits 1; a valid file validates with no daemon', async () => {
    const d = await inProcessDaemon();
    try {
      await writeFile(join(d.root, 'good.xml'), xml('vm1'));
      await writeFile(join(d.root, 'bad.xml'), xml('vm1', '<bogus/>').replace("<memory unit='MiB'>", "<memory unit='XB'>").replace('<features>', '<features><nonsense/>'));
      // No daemon involved: the socket is not even there for an unused root.
      const other = join(d.root, 'nowhere');
      assert.deepEqual(await vk(other, ['validate', join(d.root, 'good.xml')]), { code: 0, stdout: `${join(d.root, 'good.xml')} validates\n\n`, stderr: '' });
      const bad = await vk(d.root, ['validate', 'bad.xml']);
      assert.equal(bad.code, 1);
      assert.equal(bad.stdout, '\n');
      assert.deepEqual(bad.stderr.split('\n'), [
        "/domain/memory/@unit: 'XB' unknown unit 'XB' (use b, KiB, MiB, GiB, TiB, KB, MB, GB...)",
        '/domain/features/nonsense: unsupported element <nonsense> in <features>; virtkit refuses configuration it would otherwise ignore',
        '/domain/devices/bogus: unsupported element <bogus> in <devices>; virtkit refuses configuration it would otherwise ignore',
        'bad.xml fails to validate', '',
      ]);
      const j = await vk(d.root, ['validate', 'bad.xml', '--json']);
      assert.equal(j.code, 1);
      const parsed = JSON.parse(j.stdout) as { valid: boolean; problems: { code: string; path: string }[] };
      assert.equal(parsed.valid, false);
      assert.deepEqual(parsed.problems.map((p) => `${p.code} ${p.path}`), [
        'XML_INVALID_UNIT /domain/memory/@unit', 'XML_UNSUPPORTED /domain/features/nonsense', 'XML_UNSUPPORTED /domain/devices/bogus',
      ]);
      assert.match((await vk(d.root, ['validate', 'missing.xml'])).stderr, /^error: Failed to open file 'missing.xml': No such file or directory\n$/);
    } finally {
      await d.close();
    }
  });

  it('domxml-to-native prints libvirt .args text (quoted, with this instance run paths); --json gives {binary, args, env}', async () => {
    const d = await inProcessDaemon();
    try {
      await writeFile(join(d.root, 'vm1.xml'), xml('vm1'));
      const j = await vk(d.root, ['domxml-to-native', 'qemu-argv', 'vm1.xml', '--json']);
      assert.equal(j.code, 0, j.stderr);
      const argv = JSON.parse(j.stdout) as { binary: string; args: string[]; env: Record<string, string> };
      assert.equal(argv.binary, '/usr/bin/qemu-system-x86_64');
      assert.ok(argv.args.includes('-S') && argv.args.includes('-nodefaults'));
      const qmp = argv.args[argv.args.indexOf('-chardev') + 1] ?? '';
      assert.equal(qmp, `socket,id=charmonitor,path=${d.layout.runDir}/d/${U1}/qmp.sock,server=on,wait=off`);
      const text = await vk(d.root, ['domxml-to-native', 'qemu-argv', 'vm1.xml']);
      assert.equal(text.code, 0);
      assert.equal(text.stdout, `${formatArgsText(argv)}\n`);
      assert.match(text.stdout, /^LC_ALL=C \\\n/);
      assert.match(text.stdout, /\n\/usr\/bin\/qemu-system-x86_64 \\\n-name guest=vm1,debug-threads=on \\\n-S \\\n/);
      // The path with a comma and a space: JSON -blockdev, quoted for the shell.
      assert.match(text.stdout, /-blockdev '\{"driver":"file","filename":"\/var\/lib\/x, y\.qcow2"/);
      const unsupported = await vk(d.root, ['domxml-to-native', 'xen-xm', 'vm1.xml']);
      assert.deepEqual([unsupported.code, unsupported.stderr], [1, 'error: unsupported config type xen-xm: virtkit knows qemu-argv\n']);
      await writeFile(join(d.root, 'bad.xml'), xml('vm1', '<bogus/>'));
      const bad = await vk(d.root, ['domxml-to-native', 'qemu-argv', 'bad.xml']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^error: Failed to convert bad.xml to qemu-argv\nerror: \/domain\/devices\/bogus: unsupported element <bogus>/);
      const raw = await d.daemon.engine.dispatch({ kind: 'list', filter: {} });
      assert.deepEqual(raw, [], 'domxml-to-native defines nothing');
    } finally {
      await d.close();
    }
  });

  it('capabilities and domcapabilities come from the probed QEMU and the KVM probe', async () => {
    const d = await inProcessDaemon();
    try {
      const c = await vk(d.root, ['capabilities']);
      assert.equal(c.code, 0, c.stderr);
      assert.match(c.stdout, /^<capabilities>\n\n {2}<host>\n {4}<cpu>\n {6}<arch>x86_64<\/arch>\n/);
      assert.match(c.stdout, /<machine canonical='pc-q35-7\.2' maxCpus='\d+'>q35<\/machine>/);
      assert.match(c.stdout, /<domain type='qemu'\/>/);
      // The document offers kvm exactly where the tests' own check (not the daemon's probe) finds that KVM runs guests;
      // on this host (kvm_pvm) it does not.
      const kvm = await expectedKvm();
      assert.equal(/<domain type='kvm'\/>/.test(c.stdout), kvm.usable, kvm.why);
      // domcapabilities for kvm answers where KVM runs guests or where QEMU could be asked under KVM
      // (the caps' kvm part: tests/integration/cpu-kvm.test.ts), and is refused with the probe's reason elsewhere.
      const kvmData = await expectedKvmCpuData();
      const kvmDc = await vk(d.root, ['domcapabilities', '--virttype', 'kvm']);
      assert.equal(kvmDc.code, kvm.usable || kvmData.present ? 0 : 1, `${kvm.why}; ${kvmData.why}: ${kvmDc.stderr}`);
      if (kvmDc.code !== 0 && kvm.reason !== undefined) assert.match(kvmDc.stderr, new RegExp(kvm.reason.source.replace(/^\^|\$$/g, '')));
      const dc = await vk(d.root, ['domcapabilities', '--machine', 'q35', '--virttype', 'qemu']);
      assert.equal(dc.code, 0, dc.stderr);
      assert.match(dc.stdout, /^<domainCapabilities>\n {2}<path>\/usr\/bin\/qemu-system-x86_64<\/path>\n {2}<domain>qemu<\/domain>\n {2}<machine>pc-q35-7\.2<\/machine>\n {2}<arch>x86_64<\/arch>\n/);
      assert.match(dc.stdout, /<mode name='host-passthrough' supported='no'\/>/);
      assert.match(dc.stdout, /<model usable='yes'>qemu64<\/model>/);
      const bad = await vk(d.root, ['domcapabilities', '--machine', 'nope']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^error: failed to get emulator capabilities\nerror: the machine 'nope' is not supported/);
    } finally {
      await d.close();
    }
  });

  it('setmaxmem/setmem/setvcpus --config, vcpucount, domblklist, domiflist, and dumpxml without aliases', async () => {
    const d = await inProcessDaemon();
    try {
      await writeFile(join(d.root, 'vm1.xml'), xml('vm1'));
      assert.equal((await vk(d.root, ['define', 'vm1.xml'])).code, 0);
      const inactive = (await vk(d.root, ['dumpxml', 'vm1'])).stdout;
      assert.doesNotMatch(inactive, /<alias /);
      assert.match(inactive, /<address type='pci' domain='0x0000' bus='0x00' slot='0x0\d' function='0x0'\/>/);
      assert.equal((await vk(d.root, ['vcpucount', 'vm1'])).stdout, 'maximum      config         2\ncurrent      config         1\n\n');
      assert.equal((await vk(d.root, ['vcpucount', 'vm1', '--maximum', '--config'])).stdout, '2\n\n');
      assert.equal((await vk(d.root, ['setmaxmem', 'vm1', '1G'])).code, 0);
      assert.equal((await vk(d.root, ['setmem', 'vm1', '512M', '--config'])).code, 0);
      assert.equal((await vk(d.root, ['setvcpus', 'vm1', '4', '--maximum', '--config'])).code, 0);
      assert.equal((await vk(d.root, ['vcpucount', 'vm1'])).stdout, 'maximum      config         4\ncurrent      config         1\n\n', '--maximum keeps the current count');
      assert.equal((await vk(d.root, ['setvcpus', 'vm1', '3'])).code, 0);
      const after = (await vk(d.root, ['dumpxml', '--inactive', 'vm1'])).stdout;
      assert.match(after, /<memory unit='KiB'>1048576<\/memory>\n {2}<currentMemory unit='KiB'>524288<\/currentMemory>\n {2}<vcpu current='3'>4<\/vcpu>/);
      assert.equal((await vk(d.root, ['vcpucount', 'vm1'])).stdout, 'maximum      config         4\ncurrent      config         3\n\n');
      const tooMuch = await vk(d.root, ['setmem', 'vm1', '2G']);
      assert.deepEqual([tooMuch.code, tooMuch.stderr], [1, 'error: cannot set memory higher than max memory (2097152 KiB > 1048576 KiB)\n']);
      const live = await vk(d.root, ['setmem', 'vm1', '100M', '--live']);
      assert.deepEqual([live.code, live.stderr], [1, "error: domain 'vm1' is not running: use --config to change its definition\n"]);
      assert.equal((await vk(d.root, ['domblklist', 'vm1'])).stdout,
        ` Target   Source\n${'-'.repeat(31)}\n vda      /var/lib/x, y.qcow2\n hdc      -\n\n`);
      assert.equal((await vk(d.root, ['domblklist', 'vm1', '--details'])).stdout, [
        ' Type   Device   Target   Source', '-'.repeat(47),
        ' file   disk     vda      /var/lib/x, y.qcow2', ' file   cdrom    hdc      -', '', '',
      ].join('\n'));
      assert.equal((await vk(d.root, ['domiflist', 'vm1'])).stdout, [
        ' Interface   Type       Source   Model    MAC', '-'.repeat(61),
        ' -           user       -        virtio   52:54:00:11:22:33', ' vk-tap9     ethernet   -        e1000    52:54:00:11:22:34', '', '',
      ].join('\n'));
    } finally {
      await d.close();
    }
  });

  it('edit: $EDITOR on the inactive XML; unchanged, edited, and invalid (not a TTY: nothing redefined, exit 1)', async () => {
    const d = await inProcessDaemon();
    try {
      await writeFile(join(d.root, 'vm1.xml'), xml('vm1'));
      await vk(d.root, ['define', 'vm1.xml']);
      const editor = join(d.root, 'ed.sh');
      await writeFile(editor, '#!/bin/sh\n# $1: the file; FROM/TO: what to replace\nsed -i "s|$FROM|$TO|" "$1"\n');
      await chmod(editor, 0o755);
      assert.deepEqual(await vk(d.root, ['edit', 'vm1'], { EDITOR: 'true' }), { code: 0, stdout: "Domain 'vm1' XML configuration not changed.\n\n", stderr: '' });
      assert.deepEqual(await vk(d.root, ['edit', 'vm1'], { EDITOR: editor, FROM: '<acpi/>', TO: '<acpi/><pae/>' }),
        { code: 0, stdout: "Domain 'vm1' XML configuration edited.\n\n", stderr: '' });
      assert.match((await vk(d.root, ['dumpxml', 'vm1'])).stdout, /<features>\n {4}<pae\/>\n {4}<acpi\/>\n {2}<\/features>/);
      const before = (await vk(d.root, ['dumpxml', 'vm1'])).stdout;
      const bad = await vk(d.root, ['edit', 'vm1'], { VISUAL: editor, FROM: '<pae/>', TO: '<pae/><warp/>' });
      assert.deepEqual([bad.code, bad.stderr.split('\n')], [1, [
        "error: the edited XML of domain 'vm1' is invalid",
        'error: /domain/features/warp: unsupported element <warp> in <features>; virtkit refuses configuration it would otherwise ignore',
        'error: the definition was not changed', '',
      ]]);
      assert.equal((await vk(d.root, ['dumpxml', 'vm1'])).stdout, before);
      const broken = await vk(d.root, ['edit', 'vm1'], { EDITOR: 'false' });
      assert.deepEqual([broken.code, broken.stderr], [1, "error: the editor 'false' failed (exit status 1)\n"]);
    } finally {
      await d.close();
    }
  });

  it('help lists the new commands', async () => {
    const h = await vk('/nonexistent', ['help']);
    for (const c of ['domxml-to-native', 'validate', 'edit', 'domstats', 'domblklist', 'domiflist', 'vcpuinfo', 'vcpucount', 'setmem', 'setmaxmem', 'setvcpus', 'capabilities', 'domcapabilities']) {
      assert.match(h.stdout, new RegExp(`\\n    ${c} `), c);
    }
  });
});
