/**
 * The engine the daemon's unit tests build: in-memory config and status stores, in-memory
 * storage under `<root>/lib/images`, the FAKE hypervisor (or the `driver` given), a host named
 * 'host', version 0.0.0, and a nodeInfo that refuses (tests that read it pass their own).
 * Every other EngineDeps field, or any of these, can be given; `root` only names the layout's
 * directories (nothing is made there).
 */
import { join } from 'node:path';
import type { Hypervisor } from '../../src/daemon/driver.js';
import type { EngineDeps } from '../../src/daemon/engine/context.js';
import { Engine } from '../../src/daemon/engine/engine.js';
import { FakeHypervisor } from '../../src/daemon/engine/fake-driver.js';
import { instanceLayout } from '../../src/daemon/paths.js';
import { memoryStorageDeps } from '../../src/daemon/storage/context.js';
import { MemoryConfigStore, MemoryStatusStore } from '../../src/daemon/store/memory-stores.js';

export interface FakeEngineOptions extends Partial<Omit<EngineDeps, 'layout'>> {
  /** The instance root (default /tmp/vk-fake-engine). */
  readonly root?: string;
  /** The driver loadDriver hands out (default: a new FakeHypervisor). */
  readonly driver?: Hypervisor;
}

export function fakeEngine(o: FakeEngineOptions = {}): Engine {
  const { root = '/tmp/vk-fake-engine', driver = new FakeHypervisor(), ...deps } = o;
  return new Engine({
    layout: instanceLayout({ kind: 'root', root }),
    storage: memoryStorageDeps(join(root, 'lib', 'images')),
    config: new MemoryConfigStore(),
    status: new MemoryStatusStore(),
    loadDriver: () => Promise.resolve(driver),
    nodeInfo: () => Promise.reject(new Error('unused')),
    hostname: () => 'host',
    version: '0.0.0',
    ...deps,
  });
}
