/** Inputs and output of the argv builder (see index.ts and docs/argv.md). */
import type { DomainDef } from '../../xml/domain/index.js';

/** A socket QEMU listens on: a path it creates, or an fd the caller pre-opened and passes. */
export type SocketSpec = { path: string } | { fd: number | string };

export interface HugepageDir {
  /** Page size in KiB (2048, 1048576). */
  sizeKiB: number;
  /** Per-domain directory on that hugetlbfs mount (libvirt: MOUNT/libvirt/qemu/ID-SHORTNAME). */
  dir: string;
  /** The mount used for <hugepages/> without a size. */
  default?: boolean;
}

export interface TapFds {
  /** Tap fds the caller opened and will pass (several for multiqueue). */
  fds: readonly (number | string)[];
  /** /dev/vhost-net fds; present means vhost is used. */
  vhostfds?: readonly (number | string)[];
}

/**
 * Everything the builder needs that depends on the host or on the run rather
 * than on the domain: paths, pre-opened fds, allocated ports. The caller (host
 * layer) creates these things; the builder only names them.
 */
export interface RuntimePaths {
  /** Per-domain state dir (libvirt: /var/lib/libvirt/qemu/domain-ID-SHORTNAME): HOME and XDG_* for QEMU. */
  libDir: string;
  /** QMP monitor socket. */
  monitor: SocketSpec;
  /** Master key file for the secret object; omitted when undefined. */
  masterKeyPath?: string;
  /** Dir for unix channel sockets that have no path in the XML (socket = DIR/TARGETNAME). */
  channelDir?: string;
  /** Pre-opened listening sockets for channels, by device alias (libvirt passes fds). */
  channelSockets?: Readonly<Record<string, SocketSpec>>;
  /** hugetlbfs per-domain dirs. */
  hugepages?: readonly HugepageDir[];
  /** Tap fds for ethernet/bridge/network interfaces, by interface alias. Without them, a tap is opened by name. */
  taps?: Readonly<Record<string, TapFds>>;
  /** TCP ports allocated for graphics with autoport, in <graphics> order. */
  graphicsPorts?: readonly number[];
  /** Host NUMA nodes chosen for placement='auto' (libvirt asks numad). */
  autoNodeset?: string;
  /**
   * Host block devices that are CD-ROM drives (the host layer asks the kernel);
   * a <disk type='block' device='cdrom'> on one of them opens as host_cdrom.
   */
  hostCdroms?: readonly string[];
  /**
   * The key file of each LUKS-encrypted disk (<disk><encryption format='luks'>), by target dev:
   * QEMU reads it through `-object secret,id=libvirt-N-format-encryption-secret0,file=PATH`.
   * The caller writes it (0600, in the domain's private run dir) and removes it once QEMU runs.
   */
  diskSecretFiles?: Readonly<Record<string, string>>;
  /**
   * The key file of each network disk with <source><auth> (an rbd disk's cephx key, as bytes:
   * QEMU base64-encodes it for librados), by target dev: `-object secret,id=libvirt-N-storage-secret0,file=PATH`.
   */
  diskAuthFiles?: Readonly<Record<string, string>>;
  /** Passed through to QEMU's environment (libvirt keeps PATH, USER, LOGNAME). */
  passEnv?: Readonly<Record<string, string>>;
  /** The binary; default: the domain's <emulator>, else caps' binary. */
  binary?: string;
}

export interface QemuArgv {
  binary: string;
  args: string[];
  env: Record<string, string>;
}

/** A prepared domain: prepareDomain() has set every device's address and alias. */
export type PreparedDomain = DomainDef;
