/**
 * attach-device / detach-device of an <interface> (attach-interface and detach-interface build
 * that XML in the CLI), and domif-setlink, with virsh's --live / --config / --persistent /
 * --current as for disks (disk-ops.ts): a live change goes through the driver's LiveNics, a
 * config change rewrites the persistent definition. With both, the definition is prepared
 * first, so the guest gets the MAC the definition records.
 */
import { VirtkitError } from '../../core/errors.js';
import type { InterfaceDef } from '../../core/xml/domain/schema/interface.js';
import type { DomainDef } from '../domain-xml.js';
import type { LiveNics } from '../driver.js';
import type { ActionOf, DispatchOptions, DomainInfo } from './actions.js';
import type { EngineContext } from './context.js';
import { attachDevice, detachDevice, nextConfig, onDomainJob, saveConfig, scope } from './disk-ops.js';
import { afterLive, refreshLive } from './domain-config.js';
import type { DomainRecord } from './registry.js';

function liveNics(ctx: EngineContext, rec: DomainRecord): LiveNics {
  const nics = ctx.requireHandle(rec).nics;
  if (nics === undefined) throw new VirtkitError('UNSUPPORTED_OPERATION', `the hypervisor driver cannot change the network interfaces of running domain '${rec.name}'`);
  return nics;
}

/**
 * The interface of `def` that `want` names, as libvirt's virDomainNetFindIdx: by MAC when it has
 * one, else the only interface of its type (an error when there are several).
 */
export function matchNic(def: DomainDef, want: InterfaceDef, where: string): InterfaceDef {
  const list = def.devices?.interface ?? [];
  const mac = want.mac?.address.toLowerCase();
  const found = list.filter((n) => (mac === undefined || n.mac?.address.toLowerCase() === mac) && (want.type === undefined || mac !== undefined || n.type === want.type));
  if (found.length === 1 && found[0] !== undefined) return found[0];
  const what = mac !== undefined ? `MAC ${mac}` : `type '${want.type}'`;
  if (found.length === 0) {
    throw new VirtkitError('NOT_FOUND', `domain '${def.name}' has no interface with ${what} in its ${where}`, { details: { domain: def.name, ...(mac === undefined ? {} : { mac }) } });
  }
  throw new VirtkitError('OPERATION_INVALID', `domain '${def.name}' has ${found.length} interfaces with ${what} in its ${where}: name one by its MAC (--mac)`, { details: { domain: def.name } });
}

async function isInterface(xml: string): Promise<boolean> {
  const { deviceXmlRoot } = await import('../../core/xml/domain/interface-xml.js');
  return deviceXmlRoot(xml) === 'interface';
}

async function parseIface(xml: string): Promise<InterfaceDef> {
  const { parseInterfaceXml } = await import('../../core/xml/domain/interface-xml.js');
  return parseInterfaceXml(xml);
}

const attachInterface = (ctx: EngineContext, a: ActionOf<'attachDevice'>, opts: DispatchOptions): Promise<DomainInfo> =>
  onDomainJob(ctx, a.name, 'attach-device', opts, async (rec) => {
    const iface = await parseIface(a.xml);
    const to = scope(rec, a);
    let config;
    if (to.config) {
      const mac = iface.mac?.address.toLowerCase();
      if (mac !== undefined && (await ctx.defOf(rec)).devices?.interface?.some((n) => n.mac?.address.toLowerCase() === mac) === true) {
        throw new VirtkitError('XML_DUPLICATE', `the definition of domain '${rec.name}' already has an interface with MAC ${mac}`, { details: { mac } });
      }
      config = await nextConfig(ctx, rec, (def) => { (def.devices ??= {}).interface = [...(def.devices.interface ?? []), structuredClone(iface)]; });
      // The guest gets the MAC the definition now records.
      const added = config.def.devices?.interface?.at(-1)?.mac;
      if (added !== undefined) iface.mac = added;
    }
    if (to.live) {
      // The status file is written while the tap is made and QEMU runs the hot-plug, with the NIC (ahead); after a failure,
      // written again without it before the error answers. Either way it is on disk before the answer.
      let ahead = false;
      try {
        await liveNics(ctx, rec).attach(iface, (next) => {
          ahead = true;
          return ctx.writeStatusAhead(rec, next);
        });
      } catch (e) {
        ctx.statusBehind(rec);
        if (ahead) await afterLive(ctx, rec);
        throw e;
      }
      // The record first: a status write that starts in between must not record the old definition.
      await refreshLive(ctx, rec);
      ctx.statusBehind(rec);
    }
    if (config) await saveConfig(ctx, rec, config);
  });

const detachInterface = (ctx: EngineContext, a: ActionOf<'detachDevice'>, opts: DispatchOptions): Promise<DomainInfo> =>
  onDomainJob(ctx, a.name, 'detach-device', opts, async (rec) => {
    const want = await parseIface(a.xml);
    const to = scope(rec, a);
    let config;
    if (to.config) {
      const mac = matchNic(await ctx.defOf(rec), want, 'persistent definition').mac?.address.toLowerCase();
      config = await nextConfig(ctx, rec, (def) => {
        if (def.devices) def.devices.interface = (def.devices.interface ?? []).filter((n) => n.mac?.address.toLowerCase() !== mac);
      });
    }
    if (to.live) {
      const live = rec.runtime?.liveDef;
      const mac = live === undefined ? want.mac?.address : matchNic(live, want, 'live definition').mac?.address;
      if (mac === undefined) throw new VirtkitError('INVALID_ARGUMENT', 'name the interface to detach by its MAC');
      await liveNics(ctx, rec).detach(mac, () => {
        afterLive(ctx, rec).catch((e: unknown) => ctx.log.error(`cannot record the late removal of interface ${mac} of domain '${rec.name}': ${(e as Error).message}`));
      });
      await afterLive(ctx, rec);
    }
    if (config) await saveConfig(ctx, rec, config);
  });

/** attach-device: an <interface> here, anything else (a <disk>) in disk-ops.ts. */
export const attachDeviceXml = async (ctx: EngineContext, a: ActionOf<'attachDevice'>, opts: DispatchOptions): Promise<DomainInfo> =>
  (await isInterface(a.xml)) ? attachInterface(ctx, a, opts) : attachDevice(ctx, a, opts);

export const detachDeviceXml = async (ctx: EngineContext, a: ActionOf<'detachDevice'>, opts: DispatchOptions): Promise<DomainInfo> =>
  (await isInterface(a.xml)) ? detachInterface(ctx, a, opts) : detachDevice(ctx, a, opts);

/**
 * virsh domif-setlink: the running guest's NIC (QMP set_link, <link state> in the live XML), or
 * with `config` the definition's <link state>, applied at the next start.
 */
export const ifSetLink = (ctx: EngineContext, a: ActionOf<'ifSetLink'>, opts: DispatchOptions): Promise<DomainInfo> =>
  onDomainJob(ctx, a.name, 'domif-setlink', opts, async (rec) => {
    const byRef = (def: DomainDef, where: string): InterfaceDef => {
      const ref = a.iface.toLowerCase();
      const list = def.devices?.interface ?? [];
      const n = list.find((x) => x.mac?.address.toLowerCase() === ref) ?? list.find((x) => x.target?.dev === a.iface) ?? list.find((x) => x.alias?.name === a.iface);
      if (n === undefined) throw new VirtkitError('NOT_FOUND', `domain '${rec.name}' has no interface whose MAC, target dev or alias is '${a.iface}' in its ${where}`, { details: { domain: rec.name, interface: a.iface } });
      return n;
    };
    if (a.config === true) {
      const mac = byRef(await ctx.defOf(rec), 'persistent definition').mac?.address;
      const next = await nextConfig(ctx, rec, (def) => {
        const n = (def.devices?.interface ?? []).find((x) => x.mac?.address === mac);
        if (n !== undefined) n.link = { state: a.state };
      });
      await saveConfig(ctx, rec, next);
      return;
    }
    if (rec.runtime?.liveDef === undefined) throw new VirtkitError('OPERATION_INVALID', `domain '${rec.name}' is not running; use --config to change its definition`);
    byRef(rec.runtime.liveDef, 'live definition');
    await liveNics(ctx, rec).setLink(a.iface, a.state === 'up');
    await afterLive(ctx, rec);
  });
