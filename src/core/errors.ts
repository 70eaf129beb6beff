/**
 * One error type for the whole project. Every error carries a stable `code`
 * that scripts can match on, a message that says what failed, why and what to
 * do, optional structured `details`, and the `cause` it wraps.
 * The HTTP status is chosen only at the API edge (daemon/api), from the code.
 */
export const ERROR_CODES = [
  'INTERNAL_ERROR',
  'INVALID_ARGUMENT',
  'INVALID_XML', // not well-formed, DOCTYPE/entities, wrong root
  'XML_UNSUPPORTED', // well-formed, but an element/attribute virtkit does not understand
  'XML_INVALID_VALUE', // an attribute or text value that does not parse (bad number, bad enum)
  'XML_INVALID_UNIT', // a unit= that is not a size unit
  'XML_DUPLICATE', // duplicate name, target, alias, address...
  'XML_CONFLICT', // impossible combination of settings
  'XML_MISSING', // a required element or attribute is absent
  'ADDRESS_CONFLICT', // two devices at one address / no room on a bus
  'QEMU_UNSUPPORTED', // the installed QEMU lacks what the domain needs
  'CPU_INCOMPATIBLE', // the accelerator cannot provide the guest CPU's model or required features
  'QEMU_FAILED', // QEMU exited or refused to start
  'QEMU_NOT_FOUND',
  'QMP_DISCONNECTED',
  'QMP_TIMEOUT',
  'QMP_COMMAND_FAILED',
  'KVM_UNAVAILABLE',
  'DOMAIN_NOT_FOUND',
  'DOMAIN_EXISTS',
  'OPERATION_INVALID', // valid request, wrong state (start a running domain)
  'OPERATION_IN_PROGRESS', // another job holds the domain
  'OPERATION_TIMEOUT',
  'DAEMON_UNREACHABLE',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'IO_ERROR',
  'UNSUPPORTED_OPERATION', // the daemon (or its hypervisor driver) cannot do this at all
  'METHOD_NOT_ALLOWED', // an API path that exists, called with a method it does not accept
  'POOL_NOT_FOUND',
  'POOL_EXISTS', // a pool with that name or UUID, or another pool on the same target path
  'VOLUME_NOT_FOUND',
  'VOLUME_EXISTS',
  'INVALID_NAME', // an object name that cannot be a file name ('/', '..', a leading '.', control characters)
  'NO_SPACE', // the pool (its file system) has no room for what was asked; nothing was left behind
  'STORAGE_FAILED', // a storage tool (mount, umount, qemu-img, mke2fs) failed; the message quotes it
  'HOST_TUNING_FAILED', // pinning a QEMU thread (taskset, chrt) or writing the domain's cgroup failed; the message quotes it
  'HOST_UNSUPPORTED', // this host lacks what the request needs (a kernel file system such as nfs)
  'IMAGE_INVALID', // a disk image whose header or tables are malformed or point past the end of the file
  'IMAGE_NOT_IN_CHAIN', // blockcommit --top/--base naming an image that is not in the disk's backing chain (or not beneath --top)
  'IMAGE_UNSUPPORTED', // a well-formed image using something virtkit does not read (version, feature, protocol)
  'BACKING_FORMAT_MISSING', // a backing file whose format is neither recorded in the image nor given
  'BACKING_FORMAT_MISMATCH', // the format recorded in the image differs from the one given
  'BACKING_CHAIN_LOOP', // a backing chain that comes back to an image already in it
  'BACKING_CHAIN_TOO_DEEP', // a backing chain longer than the bound
  'BACKING_NOT_ALLOWED', // a backing (or external data) file outside what the policy allows
  'QEMU_IMG_FAILED', // qemu-img exited with an error; the message quotes it
  'VOLUME_SHRINK_REFUSED', // a resize below the volume's capacity without --shrink (shrink=true)
  'VOLUME_RANGE_INVALID', // an upload or download range outside the volume (a raw upload past its capacity, an offset past the end)
  'SECRET_NOT_FOUND', // no secret has that UUID (or usage)
  'SNAPSHOT_NOT_FOUND', // no domain snapshot of that name
  'SNAPSHOT_EXISTS', // a domain snapshot of that name exists already
  'OPERATION_ABORTED', // a long operation (a block job) was cancelled before it ended
  'FIREWALL_ERROR', // nft failed to apply, remove or list a network's rules; the message quotes it
  'IFACE_NAME_INVALID', // a network interface name the kernel refuses (over 15 bytes, '/', ':', whitespace)
  'IFACE_EXISTS', // a host network interface of that name exists already (a <target dev> in use)
  'IFACE_NOT_FOUND', // an interface's <source dev> (type='direct') names no network interface on the host
  'BRIDGE_NOT_FOUND', // an interface's <source bridge> names no bridge on the host
  'MAC_IN_USE', // another tap on the same bridge carries that guest MAC (another running domain's interface)
  'HOST_NET_FAILED', // an iproute2 command (ip link/addr/tuntap/netns) failed; the message quotes it
  'NETWORK_NOT_FOUND', // no virtual network has that name or UUID
  'NETWORK_EXISTS', // a virtual network with that name or UUID exists already
  'NETWORK_INACTIVE', // a domain interface names a virtual network that is not active (libvirt: network 'x' is not active)
  'DNSMASQ_FAILED', // a network's dnsmasq could not be started (the message quotes its output)
  'PLACEMENT_NO_FIT', // automatic placement found no NUMA node with the CPUs, memory and huge pages asked for; details say what each node is short of
  'HUGEPAGES_INSUFFICIENT', // a domain's <hugepages> needs more free huge pages than the host's pools have on the nodes it may use; nothing was started; details.shortages says what is missing
  'HUGEPAGES_SHORT', // allocpages: the kernel gave fewer huge pages than asked; the pool was put back to its previous size
  'IMAGE_BUILD_FAILED', // scripts/build-tiny-image.sh (virtkit image build) failed; the message quotes its last line
  'CLONE_TARGET_EXISTS', // virtkit clone would write a disk file or volume that exists (without --preserve-data)
  'CLONE_TARGET_MISSING', // virtkit clone --preserve-data names a disk file or volume that does not exist
  'NODEDEV_NOT_FOUND', // no host (PCI) device of that name or address
  'NODEDEV_FAILED', // a sysfs write to bind, unbind or reset a host PCI device failed, or the kernel did not bind it as asked
  'IOMMU_GROUP_BUSY', // another device of a PCI device's IOMMU group is bound to a host driver; details.blockers names each
  'VF_POOL_EXHAUSTED', // every VF of a <forward mode='hostdev'> network is in use
  'USB_DEVICE_AMBIGUOUS', // a USB host device given by vendor/product matches several host devices; add <address bus= device=>
  'VCPU_COUNT_INVALID', // setvcpus --live below 1 or above the domain's maximum vCPU count
  'VCPU_NOT_HOTPLUGGABLE', // setvcpus --live would have to unplug a vCPU QEMU made at start (hotpluggable='no')
  'AGENT_UNAVAILABLE', // the domain has no guest agent channel, or no agent has opened it in the guest
  'AGENT_UNRESPONSIVE', // the guest agent's port is open but it did not answer (the sync or a command) in time
  'AGENT_COMMAND_FAILED', // the guest agent answered a command with an error (details.class, details.desc)
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export type ErrorDetails = Record<string, unknown>;

export class VirtkitError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, message: string, options?: { details?: ErrorDetails; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VirtkitError';
    this.code = code;
    this.details = options?.details;
  }

  /** The one JSON shape errors take everywhere (API bodies, `--json` output). */
  toJSON(): { error: { code: ErrorCode; message: string; details?: ErrorDetails } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export function isVirtkitError(e: unknown): e is VirtkitError {
  return e instanceof VirtkitError;
}

/** Wraps anything thrown into a VirtkitError, keeping the original as cause. */
export function asVirtkitError(e: unknown, fallback: ErrorCode = 'INTERNAL_ERROR'): VirtkitError {
  if (e instanceof VirtkitError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new VirtkitError(fallback, msg, { cause: e });
}
