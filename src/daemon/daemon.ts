/**
 * The composition root: builds the stores, the engine and the API server for
 * one instance and returns a handle that stops them. main.ts calls it with
 * the command line's options; tests call it directly.
 */
import { access, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readNodeInfo } from '../host/nodeinfo.js';
import { hostReader } from '../host/sysfs/host-reader.js';
import { defaultNodedevDeps, type NodedevDeps } from './nodedev/context.js';
import { ApiServer, type TcpOptions } from './api/server.js';
import type { HypervisorLoader } from './driver.js';
import { errorText, type Logger } from './engine/context.js';
import { Engine } from './engine/engine.js';
import type { LoadReport } from './engine/load.js';
import { loadQemuHypervisor } from './driver-loader.js';
import type { NetworkResolver } from './qemu-driver/net-taps.js';
import { checkSocketPath, makeInstanceDirs, type InstanceLayout } from './paths.js';
import { acquirePidfile } from './pidfile.js';
import { FileConfigStore } from './store/file-config-store.js';
import { FileStatusStore } from './store/file-status-store.js';
import { FileSummaryCache } from './store/summary-cache.js';
import { VIRTKIT_VERSION } from '../core/version.js';

export interface DaemonOptions {
  readonly layout: InstanceLayout;
  readonly tcp?: TcpOptions;
  readonly log: Logger;
  /** Default: the QEMU driver, loaded on first use. */
  readonly loadDriver?: HypervisorLoader;
  /** Prefix for /proc and /sys: node facts, and the QEMU driver's host facts (tests point it at a fake tree). */
  readonly hostRoot?: string;
  /** Host PCI devices and the ip runner for SR-IOV VFs (default: the real ones under hostRoot or '/'). */
  readonly nodedevs?: NodedevDeps;
  /** Start autostart domains (once per boot of the run dir). Default true. */
  readonly autostart?: boolean;
}

export interface RunningDaemon {
  readonly layout: InstanceLayout;
  readonly engine: Engine;
  readonly server: ApiServer;
  readonly report: LoadReport;
  /** Milliseconds from startDaemon() to answering on the socket. */
  readonly readyMs: number;
  /**
   * The autostart pass, started once the API listens: how many domains it started, or
   * 'skipped' (disabled, or already done in this boot). Never rejects; close() waits for it.
   */
  readonly autostart: Promise<number | 'skipped'>;
  /** Stops serving and lets go of guests (they keep running). */
  close(): Promise<void>;
}

export async function startDaemon(opts: DaemonOptions): Promise<RunningDaemon> {
  const t0 = performance.now();
  const { layout, log } = opts;
  checkSocketPath(layout.socket);
  makeInstanceDirs(layout);
  const releasePid = await acquirePidfile(layout.pidfile);
  try {
    // The driver is loaded lazily, after the engine exists: the resolver reaches it then.
    const ready: { engine?: Engine } = {};
    const resolveNetwork: NetworkResolver = (name, portgroup) => {
      if (ready.engine === undefined) throw new Error('the engine is not ready');
      return ready.engine.resolveNetwork(name, portgroup);
    };
    const engine = new Engine({
      layout,
      config: new FileConfigStore(layout.domainsDir, layout.autostartDir, layout.dirMode),
      status: new FileStatusStore(layout.statusDir, (m) => log.warn(m)),
      // Keyed by version: a new virtkit (a new XML model) recomputes every summary once.
      summaries: new FileSummaryCache(join(layout.stateDir, 'cache', 'domain-summaries.json'), VIRTKIT_VERSION),
      loadDriver: opts.loadDriver ?? (() => loadQemuHypervisor(log, opts.hostRoot, resolveNetwork)),
      nodeInfo: () => readNodeInfo(opts.hostRoot === undefined ? {} : { root: opts.hostRoot }),
      host: hostReader(opts.hostRoot),
      hostname,
      nodedevs: opts.nodedevs ?? defaultNodedevDeps(opts.hostRoot ?? '/'),
      version: VIRTKIT_VERSION,
      log,
    });
    ready.engine = engine;
    const report = await engine.load();
    const server = new ApiServer({ engine, socket: layout.socket, socketMode: 0o600, log, ...(opts.tcp ? { tcp: opts.tcp } : {}) });
    await server.listen();
    const readyMs = performance.now() - t0;
    const autostart = opts.autostart ?? true ? autostartOnce(engine, layout, log) : Promise.resolve('skipped' as const);
    let closing: Promise<void> | undefined;
    return {
      layout, engine, server, report, readyMs, autostart,
      close: () => {
        closing ??= (async () => {
          await server.close();
          // A start in flight finishes (and records its status) before the engine lets go of guests.
          await autostart;
          await engine.close();
          await releasePid();
        })();
        return closing;
      },
    };
  } catch (e) {
    await releasePid();
    throw e;
  }
}

/**
 * libvirt autostarts once per host boot, not at every daemon restart: the marker lives in the
 * run dir (emptied by a reboot). It is written after the pass, so a daemon that dies half-way
 * leaves no marker and the next one starts the rest (those already running are re-attached,
 * not started twice). A domain that failed to start is not retried until the next boot.
 */
async function autostartOnce(engine: Engine, layout: InstanceLayout, log: Logger): Promise<number | 'skipped'> {
  if (await access(layout.autostartedMarker).then(() => true, () => false)) return 'skipped';
  let n = 0;
  try {
    n = await engine.autostartAll();
    if (n > 0) log.info(`autostarted ${n} domain(s)`);
  } catch (e) {
    log.error(`autostart: ${errorText(e)}`);
  }
  try {
    await writeFile(layout.autostartedMarker, '');
  } catch (e) {
    log.error(`autostart: cannot write ${layout.autostartedMarker} (the next daemon will autostart again): ${errorText(e)}`);
  }
  return n;
}
