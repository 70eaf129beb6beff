import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtkitError } from '../errors.js';
import { flagKeys, parseInstallArgv, parseInstallCommand, resolveOptions } from './install-argv.js';
import { checkInstallConflicts } from './install-conflicts.js';
import { splitSubOptions } from './suboptions.js';

function refused(fn: () => unknown, message: RegExp | string): VirtkitError {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof VirtkitError, `expected a VirtkitError, got ${String(err)}`);
  assert.equal(err.code, 'INVALID_ARGUMENT');
  if (typeof message === 'string') assert.equal(err.message, message);
  else assert.match(err.message, message);
  return err;
}

const kv = (flag: string, raw: string): string[] => resolveOptions(flag, raw).map((o) => (o.value === null ? o.key : `${o.key}=${o.value}`));

test('quotes keep commas in a value and do not reach it; a backslash escapes a comma', () => {
  assert.deepEqual(kv('boot', 'kernel=/k,cmdline="console=ttyS0,115200n8 root=/dev/vda rw"'), ['kernel=/k', 'cmdline=console=ttyS0,115200n8 root=/dev/vda rw']);
  assert.deepEqual(kv('boot', "cmdline='a,b'"), ['cmdline=a,b']);
  assert.deepEqual(kv('disk', 'path=/srv/a\\,b.qcow2,bus=sata'), ['path=/srv/a,b.qcow2', 'target.bus=sata']);
  assert.deepEqual(splitSubOptions('a="x\\"y",,b', 'f'), [{ key: 'a', value: 'x"y' }, { key: 'b', value: null }]);
  refused(() => splitSubOptions('a="x', 'disk'), /double quote is not closed/);
  refused(() => splitSubOptions('a=x\\', 'disk'), /lone backslash/);
});

test('the positional word gets the flag\'s first key', () => {
  assert.deepEqual(kv('disk', '/var/lib/libvirt/images/base.qcow2,boot.order=1'), ['path=/var/lib/libvirt/images/base.qcow2', 'boot.order=1']);
  assert.deepEqual(kv('vcpus', '8,sockets=1,cores=4,threads=2'), ['vcpus=8', 'sockets=1', 'cores=4', 'threads=2']);
  assert.deepEqual(kv('graphics', 'vnc,listen=127.0.0.1'), ['type=vnc', 'listen=127.0.0.1']);
  assert.deepEqual(kv('watchdog', 'i6300esb,action=reset'), ['model=i6300esb', 'action=reset']);
  assert.deepEqual(kv('osinfo', 'debian11'), ['name=debian11']);
  assert.deepEqual(kv('memory', '2048,maxmemory=4096'), ['memory=2048', 'maxmemory=4096']);
  assert.deepEqual(kv('video', 'vga'), ['model.type=vga']);
  assert.deepEqual(kv('tpm', 'emulator'), ['backend.type=emulator']);
});

test('old names and indexed keys resolve to the canonical keys', () => {
  assert.deepEqual(kv('cpu', 'Westmere,+aes,-vme,cell0.cpus=0-1,cell1.memory=2097152'),
    ['model=Westmere', 'force=aes', 'disable=vme', 'numa.cell0.cpus=0-1', 'numa.cell1.memory=2097152']);
  assert.deepEqual(kv('network', 'network=default,model=e1000,mac=52:54:00:12:34:57'), ['network=default', 'model.type=e1000', 'mac.address=52:54:00:12:34:57']);
  assert.deepEqual(kv('disk', 'vol=default/base.qcow2,bus=scsi,cache=none,io=native,discard=unmap'),
    ['vol=default/base.qcow2', 'target.bus=scsi', 'driver.cache=none', 'driver.io=native', 'driver.discard=unmap']);
  assert.deepEqual(kv('cputune', 'vcpupin12.vcpu=0,vcpupin12.cpuset=3'), ['vcpupin12.vcpu=0', 'vcpupin12.cpuset=3']);
  assert.deepEqual(kv('console', 'pty,target_type=virtio'), ['type=pty', 'target.type=virtio']);
  assert.deepEqual(parseInstallArgv(['--os-variant', 'debian11']), { osinfo: [{ raw: 'debian11', opts: [{ key: 'name', value: 'debian11' }] }] });
});

test('bare words: boot devices, uefi, readonly; a key that needs a value is refused bare', () => {
  assert.deepEqual(kv('boot', 'hd,cdrom,menu=on'), ['boot0.dev=hd', 'boot1.dev=cdrom', 'bootmenu.enable=on']);
  assert.deepEqual(kv('boot', 'uefi'), ['uefi']);
  assert.deepEqual(kv('disk', '/a.raw,readonly'), ['path=/a.raw', 'readonly']);
  // --cloud-init's items go to cloud-init-options.ts as written (it has its own checks and old names)
  assert.deepEqual(kv('cloud-init', 'disable,ssh-key=/k'), ['disable', 'ssh-key=/k']);
  refused(() => kv('disk', '/a.raw,size'), '--disk: size needs a value (size=VALUE)');
});

test('an unknown key is refused with virt-install\'s message and the valid keys in the details', () => {
  const e = refused(() => parseInstallArgv(['--network', 'network=default,modle=virtio']), "Unknown --network options: ['modle']");
  assert.ok(Array.isArray(e.details?.['valid']) && (e.details['valid'] as string[]).includes('model.type'));
  refused(() => kv('disk', 'path=/a,bogus=1,other=2'), "Unknown --disk options: ['bogus', 'other']");
  // indexes are digits only
  refused(() => kv('cpu', 'numa.cellX.cpus=0'), "Unknown --cpu options: ['numa.cellX.cpus']");
});

test('unknown flags, missing values and values given to switches are refused', () => {
  refused(() => parseInstallArgv(['--bogus']), 'unrecognized arguments: --bogus');
  refused(() => parseInstallArgv(['stray']), 'unrecognized arguments: stray');
  refused(() => parseInstallArgv(['--disk']), 'argument --disk: expected one argument');
  refused(() => parseInstallArgv(['--import=yes']), "argument --import: ignored explicit argument 'yes'");
  refused(() => parseInstallArgv(['--noapic']), /old virt-install/);
  // optional values: taken unless the next word is a flag (a negative --wait is a value)
  assert.deepEqual(parseInstallArgv(['--wait', '-1', '--cloud-init', '--import']), { wait: [{ raw: '-1', opts: [] }], 'cloud-init': [{ raw: '', opts: [] }], import: [{ raw: '', opts: [] }] });
});

test('--flag=? and --flag help list the flag\'s keys', () => {
  const a = parseInstallCommand(['--name', 'x', '--disk=?']);
  const b = parseInstallCommand(['--disk', 'help']);
  assert.equal(a.kind, 'help');
  assert.deepEqual(a, b);
  assert.ok(a.kind === 'help' && a.keys.includes('boot.order') && a.keys.includes('source.host[0-9]*.name'));
  assert.deepEqual(flagKeys('watchdog').slice(0, 3), ['action', 'address.bus', 'address.controller']);
  refused(() => parseInstallArgv(['--network=?']), /^--network options: /);
});

test('install-method and kernel-argument conflicts use virt-install\'s messages', () => {
  const base = ['--name', 'x', '--memory', '512'];
  refused(() => checkInstallConflicts(parseInstallArgv([...base, '--cdrom', '/i.iso', '--extra-args', 'console=ttyS0'])),
    'Kernel arguments are only supported with location or kernel installs.');
  refused(() => checkInstallConflicts(parseInstallArgv([...base, '--cdrom', '/i.iso', '--import'])), /^Only one install method/);
  refused(() => checkInstallConflicts(parseInstallArgv([...base])), /^An install method must be specified/);
  refused(() => checkInstallConflicts(parseInstallArgv(['--import', '--memory', 'lots', '--name', 'x'])), /not a whole number/);
  checkInstallConflicts(parseInstallArgv([...base, '--location', '/d.iso', '--extra-args', 'console=ttyS0']));
  checkInstallConflicts(parseInstallArgv([...base, '--import', '--boot', 'kernel=/k,cmdline=x', '--extra-args', 'y']));
});
