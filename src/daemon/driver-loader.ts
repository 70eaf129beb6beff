/**
 * Which hypervisor driver the daemon uses: the QEMU driver. The engine calls
 * this lazily (on the first start, or at start-up when guests are running),
 * so the driver's modules cost nothing to a daemon that only lists
 * definitions. Tests pass their own loader to startDaemon instead.
 */
import { NoHypervisor } from './driver-none.js';
import type { Hypervisor } from './driver.js';
import type { Logger } from './engine/context.js';
import type { NetworkResolver } from './qemu-driver/net-taps.js';

/** The QEMU driver; when its modules cannot load, a driver that refuses lifecycle actions and says why. */
export async function loadQemuHypervisor(log: Logger, hostRoot?: string, resolveNetwork?: NetworkResolver): Promise<Hypervisor> {
  try {
    const m = await import('./qemu-driver/index.js');
    return m.createQemuDriver({
      warn: (message) => log.warn(message), ...(hostRoot === undefined ? {} : { hostRoot }), ...(resolveNetwork === undefined ? {} : { resolveNetwork }),
    });
  } catch (e) {
    const why = `the QEMU driver failed to load: ${(e as Error).message}`;
    log.error(why);
    return new NoHypervisor(why);
  }
}
