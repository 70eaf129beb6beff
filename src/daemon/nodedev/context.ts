/**
 * The engine's host devices: the PCI host (sysfs under a root; tests give a fake tree and its
 * "kernel" writer), where USB devices are read, the ip runner for SR-IOV VF settings, and one queue for every change, since
 * an IOMMU group check reads devices that another detach may be moving.
 */
import { SerialQueue } from '../../core/serial-queue.js';
import type { IpRunner } from '../../host/net/ip-runner.js';
import { runIp } from '../../host/net/ip-runner.js';
import { PciHost } from '../../host/pci/bind.js';

export interface NodedevDeps {
  readonly pci: PciHost;
  readonly ip: IpRunner;
  /** The root under which sys/bus/usb is read; the PCI host's root unless given. */
  readonly usbRoot?: string;
}

export function defaultNodedevDeps(root = '/'): NodedevDeps {
  return { pci: new PciHost({ root }), ip: runIp };
}

export class NodedevContext {
  readonly pci: PciHost;
  readonly ip: IpRunner;
  /** PCI devices held by a domain from its start (before it counts as running) to its release. */
  readonly claims = new Map<string, string>();
  readonly usbRoot: string;
  /** USB devices ("001:002") held by a domain from its start to its release, as `claims`. */
  readonly usbClaims = new Map<string, string>();
  readonly #queue = new SerialQueue();

  constructor(deps: NodedevDeps) {
    this.pci = deps.pci;
    this.ip = deps.ip;
    this.usbRoot = deps.usbRoot ?? deps.pci.root;
  }

  /** Runs `fn` after every change queued before it. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    return this.#queue.run(fn);
  }
}
