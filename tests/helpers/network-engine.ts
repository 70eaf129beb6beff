/**
 * The engine the network integration tests build: file config and status stores in the instance
 * layout, no hypervisor (networks only), this host's name and node info, and the network deps of
 * `defaultNetworkDeps` with the test's own overrides (an `ip` in a namespace, a fake dnsmasq...).
 * `log`, when given, collects the engine's and the networks' messages.
 */
import { hostname } from 'node:os';
import { NoHypervisor } from '../../src/daemon/driver-none.js';
import { Engine } from '../../src/daemon/engine/engine.js';
import { defaultNetworkDeps, type NetworkDeps } from '../../src/daemon/networks/context.js';
import type { InstanceLayout } from '../../src/daemon/paths.js';
import { FileConfigStore } from '../../src/daemon/store/file-config-store.js';
import { FileStatusStore } from '../../src/daemon/store/file-status-store.js';
import { readNodeInfo } from '../../src/host/nodeinfo.js';

export function networkEngine(layout: InstanceLayout, networks: Partial<NetworkDeps> = {}, log?: string[]): Engine {
  const push = (m: string): void => {
    log?.push(m);
  };
  return new Engine({
    layout,
    config: new FileConfigStore(layout.domainsDir, layout.autostartDir),
    status: new FileStatusStore(layout.statusDir),
    loadDriver: () => Promise.resolve(new NoHypervisor('no domains in this test')),
    nodeInfo: () => readNodeInfo(),
    hostname,
    version: 'test',
    ...(log !== undefined ? { log: { info: push, warn: push, error: push } } : {}),
    networks: { ...defaultNetworkDeps(layout, { warn: push }), ...networks },
  });
}
