/**
 * Which hypervisor driver the daemon uses: the QEMU driver. The engine calls
 * this lazily (on the first start, or at start-up when guests are running),
 * so the driver's modules cost nothing to a daemon that only lists
 * definitions. Tests pass their own loader to startDaemon instead.
 */
import type { Hypervisor } from './driver.js';
import type { Logger } from './engine/context.js';

export async function loadQemuHypervisor(log: Logger): Promise<Hypervisor> {
  const m = await import('./qemu-driver/index.js');
  return m.createQemuDriver({ warn: (message) => log.warn(message) });
}
