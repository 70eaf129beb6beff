/**
 * The install bench's stopwatch, the same for virtkit and libvirt: spawns an install command (a CLI
 * process, `PATH` and what the caller adds as its whole environment) and times, from spawn(), three
 * phases: the command's exit, the guest's QEMU seen in /proc (a process whose executable is
 * qemu-system-* with `guest=NAME` on its command line), and the guest's MAC in the network's lease
 * file. /proc and the lease file are polled every POLL_MS (10 ms): that is the phases' resolution.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { now, sleep } from './proc.js';

export const POLL_MS = 10;

export interface InstallPhases {
  /** spawn -> the install command exited (0). */
  returned: number;
  /** spawn -> QEMU's process seen. */
  qemu: number;
  /** spawn -> the MAC in the lease file. */
  lease: number;
}

export interface InstallRun {
  cmd: string;
  args: readonly string[];
  env: Record<string, string>;
  /** The domain's name: unique to the run, found as `guest=NAME` in QEMU's command line. */
  name: string;
  /** The network's lease file (dnsmasq's, or libvirt's `BRIDGE.status`) and the guest's MAC. */
  leaseFile: string;
  mac: string;
  timeoutMs?: number;
}

/**
 * Processes that may still exec QEMU: a fork of a daemon has its parent's executable until its
 * exec, so these are looked at again at every poll; any other pid is judged once.
 */
const MAY_EXEC = /\/(node|libvirtd|virtqemud)( \(deleted\))?$/;

class QemuSpotter {
  readonly #judged = new Set<string>();

  constructor(readonly name: string) {
    // Everything already running is not the new guest's QEMU.
    for (const p of readdirSync('/proc')) if (/^\d+$/.test(p) && !MAY_EXEC.test(exe(p))) this.#judged.add(p);
  }

  /** True once a QEMU with `guest=NAME` on its command line runs. */
  seen(): boolean {
    for (const p of readdirSync('/proc')) {
      if (!/^\d+$/.test(p) || this.#judged.has(p)) continue;
      const x = exe(p);
      if (x === '' || MAY_EXEC.test(x)) continue;
      this.#judged.add(p);
      if (!/\/qemu-system-[^/]*$/.test(x)) continue;
      const cmdline = readOr(`/proc/${p}/cmdline`).split('\0');
      if (cmdline.some((a) => a === `guest=${this.name}` || a.startsWith(`guest=${this.name},`))) return true;
    }
    return false;
  }
}

function exe(pid: string): string {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '';
  }
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Runs the install command and resolves with its phases once the lease is there; throws on a failed command or a timeout. */
export async function timeInstall(run: InstallRun): Promise<InstallPhases> {
  const spotter = new QemuSpotter(run.name);
  const mac = run.mac.toLowerCase();
  const deadline = now() + (run.timeoutMs ?? 180_000);
  const t0 = now();
  const child = spawn(run.cmd, [...run.args], { env: run.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out = (out + d).slice(-4000); });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { out = (out + d).slice(-4000); });
  let returned: number | undefined;
  let failed: string | undefined;
  child.once('error', (e) => { failed = e.message; });
  child.once('close', (code) => {
    returned = now() - t0;
    if (code !== 0) failed = `exited with ${code}: ${out.trim().slice(-800)}`;
  });
  let qemu: number | undefined;
  for (;;) {
    if (failed !== undefined) throw new Error(`${run.cmd} ${run.args.join(' ')}: ${failed}`);
    if (qemu === undefined && spotter.seen()) qemu = now() - t0;
    if (qemu !== undefined && (await readFile(run.leaseFile, 'utf8').catch(() => '')).toLowerCase().includes(mac)) {
      const lease = now() - t0;
      while (returned === undefined) {
        if (failed !== undefined) break;
        await sleep(POLL_MS);
      }
      if (failed !== undefined) throw new Error(`${run.cmd} ${run.args.join(' ')}: ${failed}`);
      return { returned: returned as number, qemu, lease };
    }
    if (now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${run.name}: no ${qemu === undefined ? 'QEMU process' : `lease for ${mac} in ${run.leaseFile}`} within ${run.timeoutMs ?? 180_000} ms (command output: ${out.trim().slice(-400)})`);
    }
    await sleep(POLL_MS);
  }
}
