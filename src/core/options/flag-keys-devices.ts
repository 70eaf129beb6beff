/**
 * Sub-option grammar of virt-install's device flags (--disk, --network, --graphics...). See flag-keys.ts.
 */
import type { FlagGrammar } from './flag-keys.js';

const words = (s: string): string[] => s.split(/\s+/).filter((w) => w !== '');

/** Keys every device parser of virt-install accepts (its `_add_common_device_args`). */
export const DEVICE_COMMON = words('address.type address.domain address.bus address.slot address.function ' +
  'address.multifunction address.controller address.unit address.port address.target alias.name');

/** Keys that also take a boot order (virt-install adds `boot.order` to disks, NICs, hostdevs, redirdevs). */
const BOOTABLE = words('boot.order boot.loadparm');

/** Character devices (--serial, --console, --channel): virt-install's ParserChar. */
export const CHAR_KEYS = words('type path mode host bind_host protocol name target.type target.name target.address ' +
  'target.port target.model.name source.mode source.path source.master source.slave source.host source.service ' +
  'source.bind_host source.bind_service source.connect_host source.connect_service log.file log.append');

const CHAR: FlagGrammar = {
  first: 'type',
  keys: [...CHAR_KEYS, ...DEVICE_COMMON],
  aliases: [[/^char_type$/, 'type'], [/^target_type$/, 'target.type'], [/^target_address$/, 'target.address'],
    [/^target_port$/, 'target.port'], [/^source_mode$/, 'source.mode'], [/^source_path$/, 'source.path']],
};

export const DEVICE_FLAG_KEYS: Record<string, FlagGrammar> = {
  disk: {
    first: 'path',
    keys: [...words('backing_store backing_format pool vol size format sparse type bus cache source.dir source.file ' +
      'source.dev source.pool source.volume source.name source.protocol source.startupPolicy ' +
      'source.host[0-9]*.name source.host[0-9]*.port source.host[0-9]*.transport path device snapshot sgio rawio serial ' +
      'wwn readonly shareable transient transient.shareBacking target.bus target.removable target.dev ' +
      'target.rotation_rate driver.cache driver.discard driver.detect_zeroes driver.name driver.type ' +
      'driver.copy_on_read driver.io driver.iothread driver.queues driver.error_policy driver.queue_size ' +
      'iotune.read_bytes_sec iotune.write_bytes_sec iotune.total_bytes_sec iotune.read_iops_sec ' +
      'iotune.write_iops_sec iotune.total_iops_sec blockio.logical_block_size blockio.physical_block_size ' +
      'geometry.cyls geometry.heads geometry.secs geometry.trans'), ...BOOTABLE, ...DEVICE_COMMON],
    bare: ['readonly', 'shareable', 'transient', 'sparse'],
    // `cache=`, `io=`, `discard=`... are virt-install's short names of the driver.* keys
    aliases: [[/^cache$/, 'driver.cache'], [/^io$/, 'driver.io'], [/^discard$/, 'driver.discard'],
      [/^detect_zeroes$/, 'driver.detect_zeroes'], [/^error_policy$/, 'driver.error_policy'],
      [/^driver_name$/, 'driver.name'], [/^driver_type$/, 'driver.type'], [/^driver_queues$/, 'driver.queues'],
      [/^startup_policy$/, 'source.startupPolicy'], [/^snapshot_policy$/, 'snapshot'], [/^bus$/, 'target.bus'],
      [/^removable$/, 'target.removable'], [/^target$/, 'target.dev'], [/^bootorder$/, 'boot.order'],
      [/^(read|write|total)_(bytes|iops)_sec$/, 'iotune.$1_$2_sec'], [/^logical_block_size$/, 'blockio.logical_block_size'],
      [/^physical_block_size$/, 'blockio.physical_block_size']],
  },
  network: {
    first: 'type',
    keys: [...words('type network bridge model mac backend.type trustGuestRxFilters source source.mode source.type ' +
      'source.path source.portgroup source.address.type source.address.domain source.address.bus source.address.slot ' +
      'source.address.function target.dev model.type mac.address filterref.filter link.state driver.name ' +
      'driver.queues rom.file rom.bar mtu.size virtualport.type virtualport.parameters.managerid ' +
      'virtualport.parameters.typeid virtualport.parameters.typeidversion virtualport.parameters.instanceid ' +
      'virtualport.parameters.profileid virtualport.parameters.interfaceid'), ...BOOTABLE, ...DEVICE_COMMON],
    aliases: [[/^model$/, 'model.type'], [/^mac$/, 'mac.address'], [/^source_mode$/, 'source.mode'],
      [/^source_path$/, 'source.path'], [/^trust_guest_rx_filters$/, 'trustGuestRxFilters'],
      [/^virtualport_type$/, 'virtualport.type'], [/^filterref$/, 'filterref.filter'], [/^link_state$/, 'link.state'],
      [/^driver_name$/, 'driver.name'], [/^driver_queues$/, 'driver.queues']],
  },
  graphics: {
    first: 'type',
    keys: [...words('type port tlsPort websocket listen keymap password passwordValidTo connected defaultMode ' +
      'listens[0-9]*.type listens[0-9]*.address listens[0-9]*.network listens[0-9]*.socket image.compression ' +
      'streaming.mode clipboard.copypaste mouse.mode filetransfer.enable zlib.compression gl.enable gl.rendernode'),
    ...DEVICE_COMMON],
    aliases: [[/^tlsport$/, 'tlsPort'], [/^passwordvalidto$/, 'passwordValidTo'], [/^defaultmode$/, 'defaultMode'],
      [/^gl$/, 'gl.enable'], [/^rendernode$/, 'gl.rendernode']],
  },
  video: { first: 'model.type', keys: [...words('model.type model.acceleration.accel3d model.heads model.ram model.vram ' +
    'model.vram64 model.vgamem model.blob'), ...DEVICE_COMMON],
  aliases: [[/^model$/, 'model.type'], [/^accel3d$/, 'model.acceleration.accel3d'], [/^heads$/, 'model.heads'],
    [/^ram$/, 'model.ram'], [/^vram$/, 'model.vram'], [/^vram64$/, 'model.vram64'], [/^vgamem$/, 'model.vgamem']] },
  console: CHAR,
  serial: CHAR,
  channel: CHAR,
  controller: { first: 'type', keys: [...words('type model index maxGrantFrames vectors master.startport driver.iothread ' +
    'driver.queues target.chassisNr target.chassis target.port target.hotplug target.busNr target.index target.node ' +
    'pcihole64 pcihole64.unit address ports num_pcie_root_ports'), ...DEVICE_COMMON],
  aliases: [[/^master$/, 'master.startport']] },
  input: { first: 'type', keys: [...words('type bus model source.evdev source.dev source.repeat source.grab source.grabToggle'),
    ...DEVICE_COMMON] },
  hostdev: { first: 'name', keys: [...words('type name driver.name rom.bar acpi.nodeset source.startupPolicy'),
    ...BOOTABLE, ...DEVICE_COMMON], aliases: [[/^driver_name$/, 'driver.name'], [/^rom_bar$/, 'rom.bar']] },
  rng: { first: 'type', keys: [...words('type device model backend backend.model backend.type ' +
    'backend.source.mode backend.source.host backend.source.service backend.source.connect_host ' +
    'backend.source.connect_service backend.source.bind_host backend.source.bind_service rate.bytes rate.period'),
  ...DEVICE_COMMON], aliases: [[/^backend_type$/, 'backend.type'], [/^backend_mode$/, 'backend.source.mode'],
    [/^rate_bytes$/, 'rate.bytes'], [/^rate_period$/, 'rate.period']] },
  watchdog: { first: 'model', keys: [...words('model action'), ...DEVICE_COMMON] },
  memballoon: { first: 'model', keys: [...words('model autodeflate stats.period freePageReporting'), ...DEVICE_COMMON],
    bare: ['autodeflate', 'freePageReporting'] },
  tpm: { first: 'backend.type', keys: [...words('model backend.type backend.version backend.device.path ' +
    'backend.encryption.secret backend.persistent_state backend.active_pcr_banks.sha1 backend.active_pcr_banks.sha256 ' +
    'backend.active_pcr_banks.sha384 backend.active_pcr_banks.sha512'), ...DEVICE_COMMON],
  aliases: [[/^type$/, 'backend.type'], [/^path$/, 'backend.device.path'], [/^version$/, 'backend.version']] },
};
