/**
 * Questions about the host and the hypervisor rather than one domain:
 * domxml-to-native, capabilities, domcapabilities. The driver answers them
 * from the real QEMU capabilities and KVM probe.
 */
import { assignNetworkVfs } from '../nodedev/network-vfs.js';
import { domainRuntimePaths } from '../paths.js';
import type { ActionOf, ActionResults } from './actions.js';
import { prepareFor } from './config-ops.js';
import type { EngineContext } from './context.js';

/** The command line `start` would run, with this instance's run paths for the domain. */
export async function domxmlToNative(ctx: EngineContext, a: ActionOf<'domxmlToNative'>): Promise<ActionResults['domxmlToNative']> {
  const { def, summary } = await prepareFor(ctx, a.xml);
  const driver = await ctx.driver();
  // An interface on a hostdev network shows the VF a start would take now (nothing is claimed).
  const withVfs = await assignNetworkVfs(ctx, summary.name, def);
  return driver.nativeArgv(withVfs, domainRuntimePaths(ctx.deps.layout, summary.name, summary.uuid));
}

export async function capabilities(ctx: EngineContext): Promise<ActionResults['capabilities']> {
  const [node, topology, iommu, cpuid, driver] = await Promise.all([ctx.deps.nodeInfo(), ctx.host.topology(), ctx.host.iommu(), ctx.host.cpuId(), ctx.driver()]);
  // x86's system page; virtkit runs x86_64 guests only (the guest part says so too)
  return driver.capabilitiesXml({ arch: node.model, topology, iommu, pageKiB: 4, ...(cpuid === undefined ? {} : { cpuid }) });
}

export async function domainCapabilities(ctx: EngineContext, a: ActionOf<'domcapabilities'>): Promise<ActionResults['domcapabilities']> {
  return (await ctx.driver()).domainCapabilitiesXml(a.query);
}
