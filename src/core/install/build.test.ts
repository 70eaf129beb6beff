import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtkitError } from '../errors.js';
import { parseInstallArgv } from '../options/install-argv.js';
import { buildInstallPlan } from './build.js';
import type { HostFacts, InstallPlan, InstallRandom, OsInfo } from './types.js';

const V = (id: string): string => `http://pcisig.com/pci/1af4/${id}`;
/** A modern Linux as osinfo-db describes one: q35, virtio 1.0 devices, qemu-xhci. */
const linux: OsInfo = {
  id: 'http://example.org/linux/1', shortId: 'examplelinux1', shortIds: ['examplelinux1'], name: 'Example Linux 1',
  family: 'linux', distro: 'example', version: '1', generic: false,
  devices: ['http://qemu.org/chipset/x86/q35', V('1041'), V('1042'), V('1043'), V('1044'), V('1045'), V('1048'), V('1050'), 'http://pcisig.com/pci/1b36/000d'],
  minimumResources: [], recommendedResources: [{ arch: 'all', ram: 2 * 1024 ** 3, storage: null, cpu: null, nCpus: 2 }],
  trees: [{ arch: 'x86_64', url: null, kernel: 'images/pxeboot/vmlinuz', initrd: 'images/pxeboot/initrd.img' }],
  media: [{ arch: 'x86_64', volumeId: 'EX', kernel: 'isolinux/vmlinuz', initrd: 'isolinux/initrd.img' }], eol: null,
};
const oldOs: OsInfo = { ...linux, id: 'http://example.org/old', shortId: 'old', devices: [] };

function host(over: Partial<HostFacts> = {}): HostFacts {
  return {
    emulator: '/usr/bin/qemu-system-x86_64', arch: 'x86_64', machines: ['pc-i440fx-7.2', 'pc-q35-7.2', 'pc', 'q35'],
    machineAliases: { pc: 'pc-i440fx-7.2', q35: 'pc-q35-7.2' }, virtTypes: ['qemu'],
    pools: [{ name: 'default', type: 'dir', path: '/pool', active: true }],
    volumes: [{ pool: 'default', name: 'base.qcow2', path: '/pool/base.qcow2', format: 'qcow2', capacity: 1024 ** 3 },
      { pool: 'default', name: 'vm.qcow2', path: '/pool/vm.qcow2', format: 'qcow2', capacity: 1024 ** 3 }],
    networks: [{ name: 'default', active: true }], firmware: [], bootDir: '/boot-dir', ...over,
  };
}

const rand = (): InstallRandom => {
  let n = 0;
  return { uuid: () => 'uuid-1', mac: () => `52:54:00:00:00:0${++n}`, int: (bound: number) => 7 % bound, token: () => `tok${++n}` };
};

const plan = (argv: string[], os: OsInfo = linux, h: HostFacts = host()): InstallPlan =>
  buildInstallPlan(parseInstallArgv(['--name', 'vm', '--memory', '512', ...argv]), os, h, rand());

function fails(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof VirtkitError && e.code === code && message.test(e.message));
}

test('--import of a pool volume: one phase, q35, virtio everything, defaults from the OS', () => {
  const p = plan(['--import', '--disk', '/pool/base.qcow2', '--graphics', 'none']);
  assert.equal(p.phases.length, 1);
  const x = p.phases[0] ?? '';
  assert.match(x, /<domain type="qemu">/);
  assert.match(x, /machine="q35"/);
  assert.match(x, /<target dev="vda" bus="virtio"\/>/);
  assert.match(x, /<model type="virtio"\/>/);
  assert.match(x, /<vcpu>2<\/vcpu>/);
  assert.equal((x.match(/pcie-root-port/g) ?? []).length, 14);
  assert.deepEqual(p.volumes, []);
  assert.equal(p.autoconsole, 'text');
  assert.equal(p.start, true);
});

test('an OS without q35 or virtio gets i440fx (expanded), ide, e1000, ich9 USB and vga', () => {
  const x = plan(['--import', '--disk', '/pool/base.qcow2', '--graphics', 'vnc'], oldOs).phases[0] ?? '';
  assert.match(x, /machine="pc-i440fx-7.2"/);
  assert.match(x, /<target dev="hda" bus="ide"\/>/);
  assert.match(x, /<model type="e1000"\/>/);
  assert.match(x, /ich9-uhci3/);
  assert.match(x, /<model type="vga"\/>/);
  assert.doesNotMatch(x, /memballoon|<rng|guest_agent/);
  // on q35 the non-virtio NIC is e1000e (virt-install's default_model)
  assert.match(plan(['--import', '--disk', '/pool/base.qcow2', '--machine', 'q35'], oldOs).phases[0] ?? '', /<model type="e1000e"\/>/);
});

test('size= volumes are named after the VM, skipping names taken; raw ones are .img; backing_store plans an overlay', () => {
  const p = plan(['--import', '--disk', 'size=2', '--disk', 'size=1,format=raw', '--disk', 'size=1,backing_store=/pool/base.qcow2']);
  assert.deepEqual(p.volumes.map((v) => [v.name, v.format, v.capacity, v.backing?.format ?? null]), [
    ['vm-1.qcow2', 'qcow2', 2 * 1024 ** 3, null], ['vm.img', 'raw', 1024 ** 3, null], ['vm-2.qcow2', 'qcow2', 1024 ** 3, 'qcow2'],
  ]);
  assert.match(p.phases[0] ?? '', /<source file="\/pool\/vm-1.qcow2"\/>/);
});

test('disks that do not exist, volumes and pools that are missing are refused', () => {
  fails(() => plan(['--import', '--disk', '/nowhere/x.qcow2']), 'INVALID_ARGUMENT', /Size must be specified for non existent volumes/);
  fails(() => plan(['--import', '--disk', '/nowhere/x.qcow2,size=1']), 'INVALID_ARGUMENT', /not a storage pool/);
  fails(() => plan(['--import', '--disk', 'vol=default/none.qcow2']), 'VOLUME_NOT_FOUND', /no volume 'none.qcow2' in pool 'default'/);
  fails(() => plan(['--import', '--disk', 'size=1'], linux, host({ pools: [] })), 'POOL_NOT_FOUND', /no storage pool 'default'/);
  fails(() => plan(['--import', '--disk', '/pool/base.qcow2', '--virt-type', 'kvm']), 'KVM_UNAVAILABLE', /this host offers qemu/);
  fails(() => plan(['--import', '--disk', '/pool/base.qcow2', '--arch', 'aarch64']), 'HOST_UNSUPPORTED', /--arch aarch64: /);
  fails(() => plan(['--import', '--disk', '/pool/base.qcow2', '--machine', 'virt']), 'INVALID_ARGUMENT', /no such machine type/);
});

test('without a default network the NIC uses user networking; --network none has none and cannot be combined', () => {
  assert.match(plan(['--import', '--disk', '/pool/base.qcow2'], linux, host({ networks: [] })).phases[0] ?? '', /<interface type="user">/);
  assert.doesNotMatch(plan(['--import', '--disk', '/pool/base.qcow2', '--network', 'none']).phases[0] ?? '', /<interface/);
  fails(() => plan(['--import', '--disk', '/pool/base.qcow2', '--network', 'none', '--network', 'user']), 'INVALID_ARGUMENT', /cannot be combined/);
  const x = plan(['--import', '--disk', '/pool/base.qcow2', '--network', 'bridge:br7', '--network', 'type=direct,source=eth0',
    '--network', 'network=ovs,virtualport.type=openvswitch,driver.queues=4']).phases[0] ?? '';
  assert.match(x, /<source bridge="br7"\/>/);
  assert.match(x, /<source dev="eth0" mode="vepa"\/>/);
  assert.match(x, /<virtualport type="openvswitch"\/>/);
  assert.match(x, /<driver queues="4"\/>/);
});

test('--location of a URL copies the tree\'s kernel and initrd; --pxe boots the network first', () => {
  // the NIC's MAC takes the first random value, then the two copies
  const p = plan(['--location', 'http://mirror/ex/', '--disk', 'size=1', '--extra-args', 'console=ttyS0']);
  assert.deepEqual(p.copies, [
    { from: 'http://mirror/ex/images/pxeboot/vmlinuz', to: '/boot-dir/virtinst-tok2-vmlinuz', isoPath: null },
    { from: 'http://mirror/ex/images/pxeboot/initrd.img', to: '/boot-dir/virtinst-tok3-initrd.img', isoPath: null },
  ]);
  assert.match(p.phases[0] ?? '', /<cmdline>console=ttyS0<\/cmdline>/);
  assert.doesNotMatch(p.phases[0] ?? '', /device="cdrom"/);
  const pxe = plan(['--pxe', '--disk', 'size=1']);
  assert.match(pxe.phases[0] ?? '', /<boot dev="network"\/>/);
  assert.match(pxe.phases[1] ?? '', /<boot dev="hd"\/>/);
});

test('--cloud-init: the seed ISO goes under the boot directory and adds an install phase; its content is cloud-init.ts\'s', () => {
  const files = new Map([['/k.pub', new TextEncoder().encode('ssh-ed25519 AAAAkey user@host\n')]]);
  const args = parseInstallArgv(['--name', 'vm1', '--memory', '512', '--osinfo', 'linux2020', '--import', '--disk', '/pool/base.qcow2', '--cloud-init', 'root-ssh-key=/k.pub']);
  const p = buildInstallPlan(args, linux, host(), rand(), files);
  assert.match(p.cloudInit?.userData ?? '', /ssh-ed25519 AAAAkey user@host/);
  assert.equal(p.cloudInit?.generatedRootPassword, null);
  // Nothing but root-ssh-key given: no password is generated, and the seed is the last --cloud-init's.
  assert.throws(() => buildInstallPlan(args, linux, host(), rand()), /k\.pub/);
  assert.match(p.cloudInit?.path ?? '', /^\/boot-dir\/virtinst-tok[0-9]-cloudinit\.iso$/);
  assert.equal(p.phases.length, 2);
  assert.match(p.phases[0] ?? '', /<entry name="serial">ds=nocloud<\/entry>/);
  assert.doesNotMatch(p.phases[1] ?? '', /cloudinit\.iso|ds=nocloud/);
});

test('KVM hosts get type="kvm" and host-passthrough; explicit --cpu wins', () => {
  const h = host({ virtTypes: ['qemu', 'kvm'] });
  const x = plan(['--import', '--disk', '/pool/base.qcow2'], linux, h).phases[0] ?? '';
  assert.match(x, /<domain type="kvm">/);
  assert.match(x, /<cpu mode="host-passthrough"\/>/);
  assert.match(plan(['--import', '--disk', '/pool/base.qcow2', '--cpu', 'host-model'], linux, h).phases[0] ?? '', /<cpu mode="host-model"\/>/);
});

test('--cpu policy=dedicated asks for automatic placement: <vcpu placement=auto> and numatune placement=auto', () => {
  const h = host({ virtTypes: ['qemu', 'kvm'] });
  const x = plan(['--import', '--disk', '/pool/base.qcow2', '--vcpus', '4', '--memorybacking', 'hugepages=on', '--cpu', 'policy=dedicated'], linux, h).phases[0] ?? '';
  assert.match(x, /<vcpu placement="auto">4<\/vcpu>/);
  assert.match(x, /<numatune>\s*<memory mode="strict" placement="auto"\/>\s*<\/numatune>/);
  assert.match(x, /<cpu mode="host-passthrough"\/>/);
  assert.match(x, /<hugepages\/>/);
  const withModel = plan(['--import', '--disk', '/pool/base.qcow2', '--cpu', 'host-model,policy=dedicated', '--numatune', 'memory.mode=strict,memory.placement=auto'], linux, h).phases[0] ?? '';
  assert.match(withModel, /<cpu mode="host-model"\/>/);
  assert.match(withModel, /<vcpu placement="auto">2<\/vcpu>/);
  fails(() => plan(['--import', '--disk', '/pool/base.qcow2', '--cpu', 'policy=shared']), 'INVALID_ARGUMENT', /policy=shared is not a CPU policy/);
  const iso = plan(['--import', '--disk', '/pool/base.qcow2', '--cpu', 'policy=dedicated,smt=isolate'], linux, h).phases[0] ?? '';
  assert.match(iso, /<metadata>\s*<libosinfo:libosinfo[^]*<\/libosinfo:libosinfo>\s*<virtkit:placement xmlns:virtkit="https:\/\/virtkit.dev\/xmlns\/placement\/1" smt="isolate"\/>\s*<\/metadata>/);
  assert.match(iso, /<cpu mode="host-passthrough"\/>/);
  fails(() => plan(['--import', '--disk', '/pool/base.qcow2', '--cpu', 'smt=isolate']), 'INVALID_ARGUMENT', /smt=isolate goes with policy=dedicated/);
  fails(() => plan(['--import', '--disk', '/pool/base.qcow2', '--vcpus', '2,cpuset=1', '--cpu', 'policy=dedicated']), 'INVALID_ARGUMENT', /places the vCPUs itself/);
});

test('--boot order words, per-device boot.order, menu and explicit graphics ports', () => {
  const x = plan(['--import', '--disk', '/pool/base.qcow2', '--boot', 'network,hd,menu=on', '--graphics', 'spice,port=5930']).phases[0] ?? '';
  assert.match(x, /<boot dev="network"\/>\s*<boot dev="hd"\/>\s*<bootmenu enable="yes"\/>/);
  assert.match(x, /<graphics type="spice" port="5930">/);
  fails(() => plan(['--import', '--disk', '/pool/base.qcow2', '--vcpus', '6,sockets=4,cores=2']), 'INVALID_ARGUMENT', /does not give 6 vcpus/);
});

test('plan switches: --print-xml and --dry-run do not start, --wait, --autostart, --transient', () => {
  const p = plan(['--import', '--disk', '/pool/base.qcow2', '--print-xml', '--wait', '5', '--autostart', '--noautoconsole']);
  assert.deepEqual([p.start, p.waitMinutes, p.autostart, p.transient, p.autoconsole], [false, 5, true, false, 'none']);
  assert.equal(plan(['--import', '--disk', '/pool/base.qcow2', '--wait']).waitMinutes, -1);
});

test('a key virt-install accepts but the builder does not write is refused, never dropped', () => {
  fails(() => plan(['--import', '--disk', '/pool/base.qcow2,transient.shareBacking=on', '--graphics', 'vnc,mouse.mode=client']), 'INVALID_ARGUMENT',
    /^not supported by virtkit yet: --disk transient.shareBacking, --graphics mouse.mode /);
  // --cloud-init's keys are the seed's content (cloud-init.ts), not the builder's
  const args = parseInstallArgv(['--name', 'vm', '--memory', '512', '--import', '--disk', '/pool/base.qcow2', '--cloud-init', 'user-data=/u.yaml']);
  const files = new Map([['/u.yaml', new TextEncoder().encode('#cloud-config\n')]]);
  assert.equal(buildInstallPlan(args, linux, host(), rand(), files).cloudInit?.userData, '#cloud-config\n');
});

test('device keys every flag shares: alias, address, boot.loadparm; disk geometry, queue size, rotation rate', () => {
  const x = plan(['--import', '--disk', '/pool/base.qcow2,alias.name=ua-root,address.type=pci,address.slot=0x07,geometry.cyls=16,geometry.heads=4,geometry.secs=32,driver.queue_size=256,target.rotation_rate=1',
    '--watchdog', 'i6300esb,alias.name=ua-wd']).phases[0] ?? '';
  assert.match(x, /<driver name="qemu" type="qcow2" queue_size="256"\/>/);
  assert.match(x, /<target dev="vda" bus="virtio" rotation_rate="1"\/>\s*<geometry cyls="16" heads="4" secs="32"\/>\s*<alias name="ua-root"\/>\s*<address type="pci" slot="0x07"\/>/);
  assert.match(x, /<watchdog model="i6300esb">\s*<alias name="ua-wd"\/>/);
});

test('--boot uefi needs firmware on the host; --autoconsole and --wait values are checked', () => {
  fails(() => plan(['--import', '--disk', '/pool/base.qcow2', '--boot', 'uefi']), 'HOST_UNSUPPORTED', /Did not find any UEFI binary path for arch 'x86_64'/);
  const h = host({ firmware: [{ code: '/ovmf/CODE.fd', varsTemplate: '/ovmf/VARS.fd', features: [] }] });
  assert.match(plan(['--import', '--disk', '/pool/base.qcow2', '--boot', 'uefi'], linux, h).phases[0] ?? '', /<os firmware="efi">/);
  fails(() => plan(['--import', '--disk', '/pool/base.qcow2', '--autoconsole', 'web']), 'INVALID_ARGUMENT', /one of text, graphical, none/);
  fails(() => plan(['--import', '--disk', '/pool/base.qcow2', '--wait', 'soon']), 'INVALID_ARGUMENT', /a number of minutes/);
});

test('block devices are raw; an empty cdrom drive has no source; a --location directory is a tree, not a cdrom', () => {
  const x = plan(['--import', '--disk', '/dev/vg0/lv1', '--disk', 'device=cdrom']).phases[0] ?? '';
  assert.match(x, /<disk type="block" device="disk">\s*<driver name="qemu" type="raw"\/>\s*<source dev="\/dev\/vg0\/lv1"\/>/);
  assert.match(x, /<disk type="file" device="cdrom">\s*<target dev="sda" bus="sata"\/>\s*<readonly\/>\s*<\/disk>/);
  const t = plan(['--location', '/mnt/tree/', '--disk', 'size=1']);
  assert.equal(t.copies[0]?.from, '/mnt/tree/images/pxeboot/vmlinuz');
  assert.doesNotMatch(t.phases[0] ?? '', /device="cdrom"/);
});

test('--sysinfo host and emulate set the smbios mode only; smbios data adds <sysinfo>', () => {
  const x = plan(['--import', '--disk', '/pool/base.qcow2', '--sysinfo', 'host']).phases[0] ?? '';
  assert.match(x, /<smbios mode="host"\/>/);
  assert.doesNotMatch(x, /<sysinfo/);
  const y = plan(['--import', '--disk', '/pool/base.qcow2', '--sysinfo', 'bios.vendor=Acme,oemStrings.entry0=a=b']).phases[0] ?? '';
  assert.match(y, /<sysinfo type="smbios">\s*<bios>\s*<entry name="vendor">Acme<\/entry>\s*<\/bios>\s*<oemStrings>\s*<entry>a=b<\/entry>/);
  assert.match(y, /<smbios mode="sysinfo"\/>/);
  fails(() => plan(['--import', '--disk', '/pool/base.qcow2', '--sysinfo', 'bogus']), 'INVALID_ARGUMENT', /one of smbios, host, emulate/);
});

test('--disk vol=POOL/VOL,linked=on: a qcow2 overlay named after the VM in that pool, backed by the volume (virtkit extension)', () => {
  const p = plan(['--import', '--disk', 'vol=default/base.qcow2,linked=on']);
  assert.deepEqual(p.volumes, [{
    // vm.qcow2 exists in the test host's pool: the next free name, as for size=
    pool: 'default', name: 'vm-1.qcow2', path: '/pool/vm-1.qcow2', format: 'qcow2', capacity: 1024 ** 3,
    backing: { path: '/pool/base.qcow2', format: 'qcow2' }, cloneFrom: null, sparse: true,
  }]);
  assert.match(p.phases[0] ?? '', /<driver name="qemu" type="qcow2" discard="unmap"\/>\s*<source file="\/pool\/vm-1\.qcow2"\/>/);
  // the bare word, and the volume's path instead of vol=
  assert.equal(plan(['--import', '--disk', '/pool/base.qcow2,linked']).volumes[0]?.backing?.path, '/pool/base.qcow2');
  fails(() => plan(['--import', '--disk', 'size=2,linked=on']), 'INVALID_ARGUMENT', /linked=on: name an existing volume/);
});
