/**
 * HostFacts (src/core/install/types.ts) from what the daemon knows, as virt-install learns them
 * from libvirt: the capabilities XML (emulator, machines and their aliases, the domain types that
 * work), the storage pools and the volumes the command line names, the virtual networks, QEMU's
 * firmware descriptors (firmware.ts), and the instance's boot dir.
 */
import { join } from 'node:path';
import type { HostFacts, InstallArgs } from '../../core/install/types.js';
import { parseXmlTree, type XmlElement } from '../../core/xml/tree.js';
import { dispatch } from '../engine/actions.js';
import type { EngineContext } from '../engine/context.js';
import type { VolumeInfo } from '../storage/records.js';
import { readFirmwareDescriptors, FIRMWARE_DIRS } from './firmware.js';

/** virt-install's /var/lib/libvirt/boot, per instance: the cloud-init seeds and copied kernels. */
export const installBootDir = (ctx: EngineContext): string => join(ctx.deps.layout.stateDir, 'boot');

const attr = (el: XmlElement, name: string): string | undefined => el.attrs.find(([k]) => k === name)?.[1];
const kids = (el: XmlElement | undefined, name: string): XmlElement[] => el?.children.filter((c) => c.name === name) ?? [];

/** The x86_64 guest of libvirt's capabilities XML: emulator, machines, aliases, domain types. */
export function capabilityFacts(xml: string): Pick<HostFacts, 'emulator' | 'arch' | 'machines' | 'machineAliases' | 'virtTypes'> {
  const root = parseXmlTree(xml);
  const hostArch = kids(kids(root, 'host')[0], 'cpu').flatMap((c) => kids(c, 'arch'))[0]?.text.trim() ?? 'x86_64';
  const arch = kids(root, 'guest').flatMap((g) => kids(g, 'arch')).find((a) => attr(a, 'name') === hostArch)
    ?? kids(root, 'guest').flatMap((g) => kids(g, 'arch'))[0];
  const machines: string[] = [];
  const machineAliases: Record<string, string> = {};
  for (const m of kids(arch, 'machine')) {
    const name = m.text.trim();
    const canonical = attr(m, 'canonical');
    if (canonical === undefined) machines.push(name);
    else machineAliases[name] = canonical;
  }
  return {
    emulator: kids(arch, 'emulator')[0]?.text.trim() ?? '',
    arch: attr(arch ?? root, 'name') ?? hostArch,
    machines, machineAliases,
    virtTypes: kids(arch, 'domain').map((d) => attr(d, 'type') ?? '').filter((t) => t !== ''),
  };
}

/** Paths and pool/volume names the command line's --disk (and --cdrom) uses name. */
export function namedStorage(args: InstallArgs): { paths: string[]; vols: string[] } {
  const paths: string[] = [];
  const vols: string[] = [];
  for (const use of args['disk'] ?? []) {
    for (const [i, o] of use.opts.entries()) {
      // The positional word (`--disk /a.qcow2,...`), before the option grammar names it `path`.
      if (o.value === null && i === 0 && o.key.startsWith('/')) paths.push(o.key);
      if (o.value === null) continue;
      if (o.key === 'vol') vols.push(o.value);
      if (o.key === 'path' || o.key === 'backing_store' || o.key === 'source.file') paths.push(o.value);
    }
  }
  for (const use of args['cdrom'] ?? []) if (use.raw !== '') paths.push(use.raw);
  return { paths, vols };
}

function volumeFact(v: VolumeInfo): HostFacts['volumes'][number] {
  return { pool: v.pool, name: v.name, path: v.path, format: v.format, capacity: v.capacity };
}

export async function gatherHostFacts(ctx: EngineContext, args: InstallArgs, firmwareDirs: readonly string[] = FIRMWARE_DIRS): Promise<HostFacts> {
  const [caps, firmware] = await Promise.all([dispatch(ctx, { kind: 'capabilities' }), readFirmwareDescriptors(firmwareDirs)]);
  // As virt-install (StoragePool.build_default_pool): the `default` pool is made on first need, so
  // that `--disk size=N` has a pool to plan in.
  await dispatch(ctx, { kind: 'poolGet', pool: 'default' }).catch(() => undefined);
  const pools = ctx.storage.pools.all().map((p) => ({
    name: p.name, type: p.def.type, path: p.def.target?.path ?? null, active: p.state === 'running',
  }));
  const { paths, vols } = namedStorage(args);
  const volumes = new Map<string, HostFacts['volumes'][number]>();
  for (const ref of vols) {
    const slash = ref.indexOf('/');
    if (slash < 0) continue; // the builder reports the malformed vol= itself
    const v = await dispatch(ctx, { kind: 'volGet', pool: ref.slice(0, slash), volume: ref.slice(slash + 1) }).catch(() => undefined);
    if (v) volumes.set(v.path, volumeFact(v));
  }
  for (const path of paths) {
    const v = await dispatch(ctx, { kind: 'volFind', keyOrPath: path }).catch(() => undefined);
    if (v) volumes.set(v.path, volumeFact(v));
  }
  return {
    ...capabilityFacts(caps),
    pools,
    volumes: [...volumes.values()],
    networks: ctx.networks.networks.all().map((n) => ({ name: n.name, active: n.active })),
    firmware,
    bootDir: installBootDir(ctx),
    // virt-install picks spice when QEMU has it; its spice defaults (spicevmc channel, sound, USB redirection, qxl)
    // are devices virtkit's domains do not run yet, so the default is VNC, as virt-install's on a QEMU without spice.
    spice: false,
  };
}
