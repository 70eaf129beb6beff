/**
 * The run-time values of a pretend run (virsh domxml-to-native): what `start`
 * would get from the host (opened taps, allocated ports, the numad answer,
 * hugetlbfs dirs, CD-ROM drives) made up in one place, without creating or
 * reserving anything. Stable: the same definition and host facts always give
 * the same values. docs/cli.md (domxml-to-native) documents each one.
 */
import type { RuntimePaths, TapFds } from '../../core/qemu/argv/index.js';
import type { DomainDef } from '../../core/xml/domain/index.js';
import type { HostMemoryFacts } from '../../host/memory-facts.js';

/** The first port of QEMU's VNC/SPICE range: an autoport display gets it (and the next ones). */
export const FIRST_GRAPHICS_PORT = 5900;

/** The tap fd placeholders of interface ALIAS, one per queue. */
export function tapPlaceholders(alias: string, queues: number, vhost: boolean): TapFds {
  const names = (kind: string): string[] =>
    queues <= 1 ? [`@${kind}-${alias}@`] : Array.from({ length: queues }, (_, q) => `@${kind}-${alias}-${q}@`);
  return vhost ? { fds: names('tapfd'), vhostfds: names('vhostfd') } : { fds: names('tapfd') };
}

/** libvirt's name of the per-domain dir on a hugetlbfs mount, for the domain id -1 of a domain that does not run. */
const hugepageSubdir = (name: string): string => `libvirt/qemu/-1-${name.slice(0, 20)}`;

/** "2M", "1G": how /dev/hugepages<SIZE> mounts are usually named. */
function sizeLabel(kib: number): string {
  if (kib % (1024 * 1024) === 0) return `${kib / (1024 * 1024)}G`;
  if (kib % 1024 === 0) return `${kib / 1024}M`;
  return `${kib}K`;
}

/**
 * The hugetlbfs mount for each page size the domain asks for: the host's mount
 * of that size (not one virtkit made), else the usual default (/dev/hugepages for the default size,
 * /dev/hugepages<SIZE> for others).
 */
function hugepageDirs(def: DomainDef, host: HostMemoryFacts): RuntimePaths['hugepages'] {
  const hp = def.memoryBacking?.hugepages;
  if (hp === undefined) return undefined;
  const sizes = new Set([host.defaultHugepageKiB, ...(hp.page ?? []).map((p) => p.size)]);
  return [...sizes].map((sizeKiB) => {
    const isDefault = sizeKiB === host.defaultHugepageKiB;
    // A mount virtkit made (some instance's RUN/hugepages-SIZEkB) is not one libvirt would know of.
    const mount = host.hugetlbfs.find((m) => m.sizeKiB === sizeKiB && m.virtkit !== true)?.path ?? (isDefault ? '/dev/hugepages' : `/dev/hugepages${sizeLabel(sizeKiB)}`);
    return { sizeKiB, dir: `${mount}/${hugepageSubdir(def.name)}`, ...(isDefault ? { default: true } : {}) };
  });
}

/** Node ids as a cpuset string: [0,1,2,5] -> "0-2,5". */
export function nodeset(ids: readonly number[]): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    out.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

/** Block devices the kernel (sr*) and udev (cdrom, dvd) name as CD-ROM drives. */
const CDROM_NAME = /^\/dev\/(cdrom\d*|dvd\d*|sr\d+)$/;

/**
 * The RuntimePaths fields that depend on the run, for a prepared definition
 * (its interfaces have their aliases). Everything else (libDir, monitor,
 * channelDir) comes from the instance's run paths as for `start`.
 */
export function pretendRuntimePaths(def: DomainDef, host: HostMemoryFacts): Partial<RuntimePaths> {
  const taps: Record<string, TapFds> = {};
  for (const n of def.devices?.interface ?? []) {
    const alias = n.alias?.name;
    // A network that does not exist yet is printed as a tap, as one that does (virtkit's networks are bridges).
    if (alias === undefined || !['ethernet', 'bridge', 'network', 'direct'].includes(n.type)) continue;
    // A macvtap's fds are passed without vhost (docs/networking.md), at start as here.
    const vhost = n.type !== 'direct' && (n.model?.type ?? 'virtio').startsWith('virtio') && n.driver?.name !== 'qemu';
    taps[alias] = tapPlaceholders(alias, n.driver?.queues ?? 1, vhost);
  }
  let nextPort = FIRST_GRAPHICS_PORT;
  const graphicsPorts = (def.devices?.graphics ?? []).map((g) => {
    const auto = g.autoport === true || g.port === undefined || g.port === -1;
    return auto ? nextPort++ : (g.port as number);
  });
  const hostCdroms = (def.devices?.disk ?? []).flatMap((d) => {
    const dev = d.type === 'block' && d.device === 'cdrom' ? d.source?.dev : undefined;
    return dev !== undefined && CDROM_NAME.test(dev) ? [dev] : [];
  });
  const hugepages = hugepageDirs(def, host);
  return {
    taps, graphicsPorts, hostCdroms, autoNodeset: nodeset(host.numaNodes),
    ...(hugepages === undefined ? {} : { hugepages }),
  };
}
