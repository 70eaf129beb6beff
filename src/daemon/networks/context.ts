/**
 * What every network action works with: the network registry (generic, ../objects), per-network
 * job locks, the network event bus, the stores (definitions as the pools' are kept, status files
 * of started networks), and the host: iproute2, nft, dnsmasq. Files of a running network
 * (dnsmasq's conf, pid, leases, hosts files, log) live in `stateDir` (run/network).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runIp, type IpRunner } from '../../host/net/ip-runner.js';
import { WarmIp } from '../../host/net/ip-warm.js';
import { nftRunner, type NftRunner } from '../../host/net/nft-run.js';
import { WarmNft } from '../../host/net/nft-warm.js';
import type { InstanceLayout } from '../paths.js';
import { JobLocks } from '../engine/job-lock.js';
import { ObjectEventBus } from '../objects/object-events.js';
import { ObjectRegistry } from '../objects/object-registry.js';
import { FileConfigStore } from '../store/file-config-store.js';
import { FileRecordStore, type RecordStore } from '../store/file-record-store.js';
import type { ConfigStore } from '../store/types.js';
import { BridgeGraveyard } from './bridge-graveyard.js';
import { networkView, parseNetworkStatus, type NetworkInfo, type NetworkRecord, type NetworkStatus } from './records.js';

/** libvirt's network lifecycle events (virNetworkEventLifecycleType), and virtkit's dnsmasq restart. */
export type NetworkEventName = 'defined' | 'undefined' | 'started' | 'stopped' | 'dnsmasq-restarted';

export interface NetworkDeps {
  readonly config: ConfigStore;
  readonly status: RecordStore<NetworkStatus>;
  /** Where running networks keep their dnsmasq files (readable by dnsmasq's unprivileged user). */
  readonly stateDir: string;
  readonly ip: IpRunner;
  readonly nft: NftRunner;
  /** The nft processes started ahead of time that `nft` uses, if any (closed with the context). */
  readonly warmNft?: WarmNft;
  readonly dnsmasqBin: string;
  /** Sets a net.* sysctl (forwarding); default: written to /proc/sys of the daemon's namespace. */
  readonly setSysctl?: (key: string, value: string) => Promise<void>;
  readonly now?: () => number;
  readonly log: { info(m: string): void; warn(m: string): void; error(m: string): void };
}

export class NetworkContext {
  readonly networks = new ObjectRegistry<NetworkRecord>({ noun: 'network', notFound: 'NETWORK_NOT_FOUND', exists: 'NETWORK_EXISTS' });
  readonly locks: JobLocks;
  readonly events: ObjectEventBus<'network', NetworkEventName>;
  /**
   * `ip` processes started ahead of time for the bridge's making and renaming (host/net/ip-warm.ts):
   * only for the host's own `ip`; an injected runner (a namespace's, a test's) runs every command itself.
   */
  readonly warmIp: WarmIp | undefined;
  /** Whether `ip` is the host's own (the daemon's namespace): then routes and link names are read from /proc (host/net/proc-net.ts). */
  readonly onHost: boolean;
  /** Destroyed networks' bridges, deleted in the background (bridge-graveyard.ts). */
  readonly graveyard: BridgeGraveyard;
  #dnsmasqVersion: Promise<string> | undefined;

  constructor(readonly deps: NetworkDeps) {
    const now = deps.now ?? Date.now;
    this.onHost = deps.ip === runIp;
    this.warmIp = this.onHost ? new WarmIp() : undefined;
    this.graveyard = new BridgeGraveyard({ dir: join(deps.stateDir, 'graves'), change: this.warmIp?.run ?? deps.ip, ip: deps.ip, log: deps.log });
    this.locks = new JobLocks(now, 'network');
    this.events = new ObjectEventBus('network', now, (e, ev) => deps.log.error(`dropped a network event subscriber that threw on ${ev.event}: ${String(e)}`));
  }

  job<T>(name: string, job: string, wait: number | undefined, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(name, job, wait ?? 0, async () => {
      // No waiting nft is started while a job runs (host/net/nft-warm.ts).
      const release = this.deps.warmNft?.hold();
      try {
        return await fn();
      } finally {
        release?.();
      }
    });
  }

  /** The daemon's stop: waits for the bridges' deletions under way; ends the waiting `ip` processes. */
  async close(): Promise<void> {
    await this.graveyard.drain();
    this.warmIp?.close();
    this.deps.warmNft?.close();
  }

  view(n: NetworkRecord): NetworkInfo {
    return networkView(n);
  }

  /** `dnsmasq --version`'s number, asked once. */
  dnsmasqVersion(): Promise<string> {
    this.#dnsmasqVersion ??= promisify(execFile)(this.deps.dnsmasqBin, ['--version']).then(({ stdout }) => {
      const v = /Dnsmasq version ([0-9.]+)/.exec(stdout)?.[1];
      if (v === undefined) throw new Error(`cannot read dnsmasq's version from: ${stdout.split('\n')[0] ?? ''}`);
      return v;
    }).catch((e: unknown) => {
      this.#dnsmasqVersion = undefined;
      throw e;
    });
    return this.#dnsmasqVersion;
  }
}

/** The instance's network files: definitions in etc/network, status and dnsmasq files in run/network. */
export function defaultNetworkDeps(layout: InstanceLayout, log: { warn(m: string): void }): Omit<NetworkDeps, 'log' | 'now'> {
  const stateDir = join(layout.runDir, 'network');
  // The firewall's listing and transactions through nft processes started ahead of time (host/net/nft-warm.ts).
  const warmNft = new WarmNft();
  return {
    config: new FileConfigStore(join(layout.configDir, 'network'), join(layout.configDir, 'network', 'autostart'), layout.dirMode, 'network'),
    // Without fsync: a status file describes the bridge, table and dnsmasq, which live only in the
    // running kernel. kill -9 of the daemon keeps the page cache (the file is found); a power cut
    // that lost the file also took all that it describes.
    status: new FileRecordStore(join(stateDir, 'status'), 'network', parseNetworkStatus, (m) => log.warn(m), layout.dirMode, { syncFile: false }),
    stateDir,
    ip: runIp,
    nft: warmNft.runner(nftRunner()),
    warmNft,
    dnsmasqBin: 'dnsmasq',
  };
}
