/**
 * Shared set-up of the lifecycle integration tests: a daemon engine rooted in
 * a temporary directory with the real QEMU driver, a reader of the serial
 * console, and the leftovers check every test ends with (no QEMU process by
 * pid + start time, no socket, no runtime dir). The guest's XML and until()
 * are the shared ones in tests/helpers (guest.ts, wait.ts).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { Engine } from '../../src/daemon/engine/engine.js';
import { instanceLayout, makeInstanceDirs } from '../../src/daemon/paths.js';
import type { InstanceLayout } from '../../src/daemon/paths.js';
import { defaultQemuDriverDeps, QemuHypervisor } from '../../src/daemon/qemu-driver/index.js';
import type { QemuDriverDeps } from '../../src/daemon/qemu-driver/index.js';
import type { LifecycleEvent } from '../../src/daemon/state.js';
import { FileConfigStore } from '../../src/daemon/store/file-config-store.js';
import { FileStatusStore } from '../../src/daemon/store/file-status-store.js';
import { readNodeInfo } from '../../src/host/nodeinfo.js';
import { isSameProcess } from '../../src/host/qemu/process.js';
import { procStartTicks } from '../../src/host/qemu/process.js';
import { repoRoot } from '../helpers/paths.js';
import { tempRoot } from './daemon-harness.js';

/** QEMU capabilities and the KVM verdict, probed once for all test runs. */
const CACHE_DIR = join(repoRoot, '.cache', 'driver-tests');

export interface Harness {
  readonly root: string;
  readonly layout: InstanceLayout;
  engine: Engine;
  readonly events: LifecycleEvent[];
  /** A fresh engine on the same root (a daemon restart). */
  restart(): Promise<void>;
  /** The QEMUs this harness saw (pid, start ticks), for the leftovers check. */
  readonly seen: { pid: number; ticks: string }[];
  remember(name: string): Promise<void>;
  close(): Promise<void>;
}

/** An engine on a fresh root (daemon-harness' tempRoot: 0711, as the daemon makes a new one). */
export async function createHarness(deps: Partial<QemuDriverDeps> = {}): Promise<Harness> {
  const { root } = await tempRoot('vk-lc-');
  return openHarness(root, deps);
}

/** An engine on an existing root (a second daemon process uses this); its directories made as the daemon does. */
export async function openHarness(root: string, deps: Partial<QemuDriverDeps> = {}): Promise<Harness> {
  const layout = instanceLayout({ kind: 'root', root });
  makeInstanceDirs(layout);
  const events: LifecycleEvent[] = [];
  const make = (): Engine => {
    const e = new Engine({
      layout,
      config: new FileConfigStore(layout.domainsDir, layout.autostartDir),
      status: new FileStatusStore(layout.statusDir),
      loadDriver: () => Promise.resolve(new QemuHypervisor({ ...defaultQemuDriverDeps({ cacheDir: CACHE_DIR }), termTimeoutMs: 3_000, ...deps })),
      nodeInfo: () => readNodeInfo(),
      hostname,
      version: 'test',
    });
    e.subscribe((ev) => events.push(ev));
    return e;
  };
  const h: Harness = {
    root, layout, engine: make(), events, seen: [],
    async restart() {
      await h.engine.close();
      h.engine = make();
      await h.engine.load();
    },
    async remember(name) {
      const info = await h.engine.dispatch({ kind: 'get', name });
      const status = h.engine.ctx.registry.named(info.name).runtime;
      if (status) h.seen.push({ pid: status.pid, ticks: (await procStartTicks(status.pid)) ?? '' });
    },
    async close() {
      for (const r of h.engine.ctx.registry.all()) {
        if (r.runtime?.handle) await r.runtime.handle.destroy({ graceful: false }).catch(() => undefined);
      }
      await h.engine.close();
      await rm(root, { recursive: true, force: true });
    },
  };
  await h.engine.load();
  return h;
}

/** Asserts that nothing of the guests is left: no process, no runtime dir or socket. */
export async function assertNoLeftovers(h: Harness): Promise<void> {
  for (const s of h.seen) {
    assert.ok(!(await isSameProcess(s.pid, s.ticks)), `QEMU ${s.pid} is still running`);
  }
  const d = join(h.layout.runDir, 'd');
  const left = existsSync(d) ? readdirSync(d) : [];
  assert.deepEqual(left, [], `runtime dirs left under ${d}`);
}

/** Collects console output; `waitFor(text, n)` resolves when `text` was seen n times. */
export class ConsoleReader {
  text = '';
  readonly #waiters: { text: string; n: number; resolve: () => void }[] = [];

  constructor(readonly stream: Duplex) {
    stream.on('data', (c: Buffer) => {
      this.text += c.toString('utf8');
      for (const w of [...this.#waiters]) {
        if (this.count(w.text) >= w.n) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    });
  }

  count(text: string): number {
    return this.text.split(text).length - 1;
  }

  waitFor(text: string, n = 1, ms = 60_000): Promise<void> {
    if (this.count(text) >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no '${text}' x${n} on the console within ${ms} ms; output:\n${this.text.slice(-3000)}`)), ms);
      this.#waiters.push({ text, n, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  }
}
