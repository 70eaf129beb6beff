/**
 * Questions about the host and the hypervisor rather than one domain:
 * domxml-to-native, capabilities, domcapabilities. The driver answers them
 * from the real QEMU capabilities and KVM probe.
 */
import { machine } from 'node:os';
import { SYSTEM_PAGE_KIB } from '../node/actions.js';
import { assignNetworkVfs } from '../nodedev/network-vfs.js';
import { previewUsbHostdevs } from '../nodedev/usb-hostdevs.js';
import { domainRuntimePaths } from '../paths.js';
import type { ActionOf, ActionResults } from './actions.js';
import { prepareFor } from './config-ops.js';
import type { EngineContext } from './context.js';

/** The command line `start` would run, with this instance's run paths for the domain. */
export async function domxmlToNative(ctx: EngineContext, a: ActionOf<'domxmlToNative'>): Promise<ActionResults['domxmlToNative']> {
  const { def, summary } = await prepareFor(ctx, a.xml);
  const driver = await ctx.driver();
  // An interface on a hostdev network shows the VF a start would take now, a USB host device the
  // host device it would get (nothing is claimed).
  const withVfs = await assignNetworkVfs(ctx, summary.name, await previewUsbHostdevs(ctx, def));
  return driver.nativeArgv(withVfs, domainRuntimePaths(ctx.deps.layout, summary.name, summary.uuid));
}

export async function capabilities(ctx: EngineContext): Promise<ActionResults['capabilities']> {
  // The topology is read once (nodeInfo would read it again only for the arch, which is the machine's).
  const [topology, iommu, cpuid, driver] = await Promise.all([ctx.host.topology(), ctx.host.iommu(), ctx.host.cpuId(), ctx.driver()]);
  return driver.capabilitiesXml({ arch: machine(), topology, iommu, pageKiB: SYSTEM_PAGE_KIB, ...(cpuid === undefined ? {} : { cpuid }) });
}

export async function domainCapabilities(ctx: EngineContext, a: ActionOf<'domcapabilities'>): Promise<ActionResults['domcapabilities']> {
  return (await ctx.driver()).domainCapabilitiesXml(a.query);
}
