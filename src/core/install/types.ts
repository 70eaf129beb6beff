/**
 * The contracts between the parts of `virtkit install` (virt-install's flags):
 *
 *   argv --(core/options: parseInstallArgv)--> InstallArgs
 *   InstallArgs + OsInfo + HostFacts --(core/install: buildInstallPlan)--> InstallPlan
 *   InstallPlan --(daemon/install: carried out, undone on failure)--> a defined (and started) domain
 *
 * OsInfo is read from Debian's osinfo-db (libosinfo's XML data) by src/host/osinfo; HostFacts are
 * gathered by the daemon (pools, networks, QEMU capabilities). Everything here is plain JSON data, so a plan
 * can be printed (`--dry-run --json`), compared in golden tests and sent over the API.
 */

/** One sub-option of one flag use, after the positional word was given its key and aliases were resolved. */
export interface SubOption {
  /** Canonical key as virt-install names it, e.g. `path`, `boot.order`, `numa.cell0.cpus`. */
  key: string;
  /** The value with quotes and escapes removed; null for a bare word (`readonly`, `+aes` is mapped by --cpu). */
  value: string | null;
}

/** One use of a flag on the command line: `--disk path=/x,bus=sata` is { raw: 'path=/x,bus=sata', opts: [...] }. */
export interface FlagUse {
  raw: string;
  opts: SubOption[];
}

/**
 * The parsed command line: flag name without dashes and with aliases resolved (`os-variant` -> `osinfo`)
 * -> its uses in command-line order. A switch (`--import`, `--print-xml`) is present with one use whose
 * opts are empty.
 */
export type InstallArgs = Record<string, FlagUse[]>;

/** One OS from libosinfo's database, with what it inherits (derives-from, clones) already merged in. */
export interface OsInfo {
  /** libosinfo id URI, e.g. `http://debian.org/debian/11`. */
  id: string;
  /** e.g. `debian11`; the first short-id when the OS has several. */
  shortId: string;
  shortIds: string[];
  name: string;
  /** `linux`, `winnt`, `freebsd`... */
  family: string;
  distro: string | null;
  version: string | null;
  /** True for virt-install's generic OS (no osinfo entry): `generic`, or nothing detected. */
  generic: boolean;
  /** Device ids the OS supports (`http://pcisig.com/pci/1af4/1041`, `http://qemu.org/chipset/x86/q35`...),
   * inherited ones included and those marked supported="false" removed. */
  devices: string[];
  /** Per architecture (`all`, `x86_64`): ram and storage in bytes, cpu in Hz, n-cpus. */
  minimumResources: ResourceSet[];
  recommendedResources: ResourceSet[];
  /** Install trees (for --location): per arch, the kernel and initrd paths inside the tree or ISO. */
  trees: Array<{ arch: string; url: string | null; kernel: string | null; initrd: string | null }>;
  /** Media (ISO) with the kernel/initrd paths inside them, for --location of an ISO. */
  media: Array<{ arch: string; volumeId: string | null; kernel: string | null; initrd: string | null }>;
  /** End of life date (YYYY-MM-DD) or null. */
  eol: string | null;
}

export interface ResourceSet {
  arch: string;
  ram: number | null;
  storage: number | null;
  cpu: number | null;
  nCpus: number | null;
}

/** What the host has, gathered by the daemon before a plan is built. */
export interface HostFacts {
  /** `/usr/bin/qemu-system-x86_64` */
  emulator: string;
  arch: string;
  /** Machine types of the emulator, and what `pc`/`q35` expand to (`pc-i440fx-7.2`, `pc-q35-7.2`). */
  machines: string[];
  machineAliases: Record<string, string>;
  /** Virt types that work: `qemu`, and `kvm` when the KVM probe passed. */
  virtTypes: string[];
  /** Storage pools: name -> target path, type, active. */
  pools: Array<{ name: string; type: string; path: string | null; active: boolean }>;
  /** Volumes that the command names (--disk vol=POOL/VOL, or a path inside a pool): path -> format and pool. */
  volumes: Array<{ pool: string; name: string; path: string; format: string; capacity: number }>;
  /** Virtual networks: name -> active. */
  networks: Array<{ name: string; active: boolean }>;
  /** Firmware descriptors (for --boot uefi): the code and vars template paths, features. */
  firmware: Array<{ code: string; varsTemplate: string | null; features: string[] }>;
  /** Directory for files the install makes (cloud-init ISO, copied kernels): virt-install's /var/lib/libvirt/boot. */
  bootDir: string;
  /** Whether the emulator has spice: then spice is the default graphics (virt-install's rule), else vnc. Absent: no. */
  spice?: boolean;
}

/** The randomness a plan needs, injected so that building stays pure and tests can fix it. */
export interface InstallRandom {
  uuid(): string;
  /** A MAC address in QEMU's 52:54:00 range. */
  mac(): string;
  /** An integer in [0, bound): cloud-init's generated root password draws its characters with it. */
  int(bound: number): number;
  /** 8 characters [a-z0-9_] for temporary file names (virt-install's `virtinst-XXXXXXXX-`). */
  token(): string;
}

/** A volume the install creates. Removed again if anything later fails. */
export interface PlannedVolume {
  pool: string;
  name: string;
  /** Full path it will have. */
  path: string;
  format: 'qcow2' | 'raw';
  capacity: number;
  /** Linked clone / overlay: the backing file and its format. */
  backing: { path: string; format: string } | null;
  /** Full copy of an existing volume instead of an empty one (virt-install `--disk clone`-like uses). */
  cloneFrom: string | null;
  sparse: boolean;
}

/** A NoCloud seed the install builds (xorriso) before phase 1, detached after the first boot. */
export interface PlannedCloudInit {
  /** Path of the ISO it will write under bootDir. */
  path: string;
  userData: string;
  metaData: string;
  networkConfig: string | null;
  /** A generated root password to print once to the user (never logged), or null. */
  generatedRootPassword: string | null;
}

export interface InstallPlan {
  name: string;
  /** One domain XML per phase: the install phase (cdrom, kernel, cloud-init) then the final definition;
   * just one for --import without cloud-init. The last one is what stays defined. */
  phases: string[];
  volumes: PlannedVolume[];
  cloudInit: PlannedCloudInit | null;
  /** Files copied for the install phase (--location kernel/initrd out of the media). */
  copies: Array<{ from: string; to: string; isoPath: string | null }>;
  autostart: boolean;
  transient: boolean;
  /** Console/wait behaviour the CLI applies after starting. */
  autoconsole: 'text' | 'graphical' | 'none';
  /** --wait in minutes; -1 waits forever; null without --wait. */
  waitMinutes: number | null;
  noreboot: boolean;
  /** Start the domain at all (false for --print-xml, --dry-run, --boot ... with --noreboot etc.). */
  start: boolean;
  /** Warnings virt-install would print (not with --print-xml). */
  warnings: string[];
}
