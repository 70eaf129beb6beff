/**
 * Carrying out a network's start plan on the host, and taking a network off it. Start walks
 * the plan (bridge, addresses, up, veth links; dnsmasq's files; the firewall; dnsmasq) and on any failure
 * undoes the steps done so far, newest first, so that nothing of a failed start is left.
 * Stop removes all of it and is safe to repeat: what is already gone is skipped, which is what
 * reconcile after a crash needs.
 */
import { chmod, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import type { NetworkFiles, NetworkStartPlan } from '../../core/network/start-plan.js';
import { runIpCommands } from '../../host/net/ip-batch.js';
import { applyFirewall, removeFirewall } from '../../host/net/nft.js';
import { ensureDir, writeFileAtomic } from '../store/atomic.js';
import type { NetworkContext } from './context.js';
import { findDnsmasq, startDnsmasq, stopDnsmasq } from './dnsmasq-proc.js';
import { removeLinks } from './net-links.js';
import type { DnsmasqHandle } from './records.js';

export const logFileOf = (files: NetworkFiles): string => files.confFile.replace(/\.conf$/, '.log');

export const confArgOf = (files: NetworkFiles): string => `--conf-file=${files.confFile}`;

/**
 * dnsmasq drops to an unprivileged user and rereads the hosts files as it (at start and on
 * SIGHUP): every directory above them must let others through (x), else it would serve no host.
 */
async function checkTraversable(dir: string): Promise<void> {
  for (let d = dir; ; d = dirname(d)) {
    const s = await stat(d);
    if ((s.mode & 0o001) === 0) {
      throw new VirtkitError('HOST_UNSUPPORTED', `dnsmasq (running as an unprivileged user) cannot reach ${dir}: directory ${d} has mode ${(s.mode & 0o777).toString(8)}; ` +
        `let others through it (chmod o+x ${d})`, { details: { path: d } });
    }
    if (dirname(d) === d) return;
  }
}

export async function writeHostFiles(ctx: NetworkContext, plan: Pick<NetworkStartPlan, 'files' | 'hostsFile' | 'addnHosts'>): Promise<void> {
  const dir = ctx.deps.stateDir;
  if (plan.hostsFile !== null) await writeFileAtomic(dir, basename(plan.files.hostsFile), plan.hostsFile, 0o644);
  if (plan.addnHosts !== null) await writeFileAtomic(dir, basename(plan.files.addnHostsFile), plan.addnHosts, 0o644);
}

async function removeFiles(files: NetworkFiles): Promise<void> {
  for (const f of [files.confFile, files.pidFile, files.hostsFile, files.addnHostsFile, files.leaseFile, logFileOf(files)]) await rm(f, { force: true });
}

/** Runs `argv`: 'ip ...' through the ip runner; 'sysctl -w KEY=VALUE' written to /proc/sys. */
async function ip(ctx: NetworkContext, argv: readonly string[]): Promise<string> {
  if (argv[0] === 'sysctl') {
    const [key = '', value = ''] = (argv[2] ?? '').split('=');
    if (!/^net\.[a-z0-9_.]+$/.test(key)) throw new VirtkitError('INTERNAL_ERROR', `not a sysctl virtkit sets: ${key}`);
    const set = ctx.deps.setSysctl ?? ((k: string, v: string) => writeFile(`/proc/sys/${k.replace(/\./g, '/')}`, v));
    await set(key, value).catch((e: unknown) => {
      throw new VirtkitError('HOST_NET_FAILED', `cannot set ${key}=${value}: ${(e as Error).message}`, { details: { command: argv }, cause: e });
    });
    return '';
  }
  return ctx.deps.ip(argv.slice(1));
}

/** Carries out `plan`; returns dnsmasq. Nothing is left when it throws. */
export async function makeNetwork(ctx: NetworkContext, plan: NetworkStartPlan, onDnsmasqExit: (code: number | null, signal: string | null) => void): Promise<DnsmasqHandle> {
  const undo: (() => Promise<unknown>)[] = [];
  try {
    await ensureDir(ctx.deps.stateDir, 0o755);
    // Made 0700 with the status store below it, maybe: this directory is virtkit's own.
    await chmod(ctx.deps.stateDir, 0o755);
    await checkTraversable(ctx.deps.stateDir);
    // The firewall (listing the ruleset, then one transaction) while the bridge, the files and
    // dnsmasq are made: its rules name the bridge (iifname/oifname), which need not exist yet.
    // Its undo waits for it to settle, so that a failed start never leaves a table made late.
    const fw = plan.firewall;
    const wall = fw === null ? Promise.resolve() : applyFirewall(fw, ctx.deps.nft).then(() => undefined);
    wall.catch(() => undefined);
    if (fw !== null) undo.push(() => wall.catch(() => undefined).then(() => removeFirewall(fw.name, ctx.deps.nft)));
    const [add, ...rest] = plan.commands;
    const up = rest.findIndex((c) => c.join(' ') === `ip link set dev ${plan.bridge} up`) + 1;
    const undoBridge = (): Promise<unknown> => Promise.all(plan.undoCommands.map((c) => ip(ctx, c)));
    if (add !== undefined && ctx.warmIp !== undefined) {
      // The bridge, its addresses and `up` in one `ip` started ahead of time (host/net/ip-warm.ts).
      // Its error says which step failed: a bridge whose own making failed (its name taken meanwhile)
      // is someone else's and is never undone.
      try {
        await ctx.warmIp.steps([add, ...rest.slice(0, up)].map((c) => c.slice(1)));
      } catch (e) {
        const step = e instanceof VirtkitError ? e.details?.['step'] : undefined;
        if (typeof step === 'number' && step > 0) undo.push(undoBridge);
        throw e;
      }
      undo.push(undoBridge);
    } else {
      if (add !== undefined) {
        await ip(ctx, add);
        undo.push(undoBridge);
      }
      // The bridge's addresses and `up` in one `ip -batch` process.
      await runIpCommands(ctx.deps.ip, rest.slice(0, up), plan.files.confFile.replace(/\.conf$/, '.ip'));
    }
    if (plan.links.length > 0) undo.push(() => removeLinks(ctx, plan.links));
    // Then, one by one, the sysctls and the links (their `ip -n NS` commands cannot go in a batch).
    for (const c of rest.slice(up)) await ip(ctx, c);
    undo.push(() => removeFiles(plan.files));
    // Run-time files, written anew at every start before dnsmasq reads them: no fsync needed.
    await writeFile(plan.files.confFile, plan.dnsmasqConf, { mode: 0o644 });
    if (plan.hostsFile !== null) await writeFile(plan.files.hostsFile, plan.hostsFile, { mode: 0o644 });
    if (plan.addnHosts !== null) await writeFile(plan.files.addnHostsFile, plan.addnHosts, { mode: 0o644 });
    // dnsmasq, once its interface has its addresses; the start waits for it and the firewall.
    const [walled, dns] = await Promise.allSettled([
      wall,
      startDnsmasq(plan.dnsmasqArgv, plan.files.pidFile, logFileOf(plan.files), onDnsmasqExit),
    ]);
    if (dns.status === 'rejected') throw dns.reason;
    if (walled.status === 'rejected') {
      await stopDnsmasq(dns.value, confArgOf(plan.files));
      throw walled.reason;
    }
    return dns.value;
  } catch (e) {
    for (const u of undo.reverse()) {
      await u().catch((err: unknown) => ctx.deps.log.error(`network '${plan.network}': undoing a failed start: ${(err as Error).message}`));
    }
    throw e;
  }
}

export interface Teardown {
  readonly network: string;
  readonly bridge: string;
  readonly files: NetworkFiles;
  readonly dnsmasq: DnsmasqHandle | undefined;
  /** Whether the network had a firewall table (all but 'open'); removal is tried anyway when unknown. */
  readonly firewall: boolean;
  /** The host ends of its veth links (those not there are skipped). */
  readonly links: readonly string[];
}

/** Removes dnsmasq, the firewall, the bridge and the files of a network; what is gone already is skipped. */
export async function unmakeNetwork(ctx: NetworkContext, t: Teardown): Promise<void> {
  const confArg = confArgOf(t.files);
  // The links first (a veth in the bridge goes with it, but one into a namespace would stay), then
  // dnsmasq, the firewall and the bridge at once. The bridge is not waited for: the kernel takes
  // ~45 ms to delete one, so it is renamed to a grave that is deleted in the background.
  await removeLinks(ctx, t.links);
  const steps = await Promise.allSettled([
    (async () => {
      const pid = t.dnsmasq?.pid ?? (await findDnsmasq(t.files.pidFile, confArg));
      if (pid !== undefined) await stopDnsmasq(t.dnsmasq ?? { pid, child: undefined }, confArg);
    })(),
    t.firewall ? removeFirewall(t.network, ctx.deps.nft) : Promise.resolve(''),
    // Down and renamed (~3 ms), its name free at once; the kernel's deletion runs in the background.
    ctx.graveyard.bury(t.bridge),
  ]);
  const failed = steps.find((r) => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  await removeFiles(t.files);
}
