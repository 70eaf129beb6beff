/**
 * The install bench's stopwatch, the same for virtkit and libvirt: spawns an install command (a CLI
 * process, `PATH` and what the caller adds as its whole environment) and times, from spawn(), three
 * phases: the command's exit, the guest's QEMU seen (the daemon's pid file for the guest names a
 * process whose executable is qemu-system-* with `guest=NAME` on its command line: libvirt writes
 * its pid file before the exec, virtkit right after it, and the exec is waited for either way), and
 * the guest's MAC in the network's lease file; and on the way, the guest's ready marker on its serial
 * console (opened as soon as QEMU is seen: both daemons start QEMU with its CPUs stopped, so nothing
 * the guest prints goes by unread). The pid files and the lease file are polled every
 * POLL_MS (10 ms): that is the phases' resolution. (Not a scan of /proc: pids wrap around on this
 * busy machine, and a pid judged "not QEMU" once can come back as the guest's.)
 */
import { spawn } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { GUEST_READY_MARKER } from './guest.js';
import { now, sleep } from './proc.js';

export const POLL_MS = 10;

export interface InstallPhases {
  /** spawn -> the install command exited (0). */
  returned: number;
  /** spawn -> QEMU's process seen. */
  qemu: number;
  /** spawn -> the MAC in the lease file. */
  lease: number;
  /** spawn -> the guest's ready marker on its serial console (undefined: the console was not opened in time). */
  marker: number | undefined;
}

/** A guest's serial console, as the bench reads it. */
export interface GuestConsole {
  onData(listener: (data: Buffer) => void): void;
  close(): void;
}

export interface InstallRun {
  cmd: string;
  args: readonly string[];
  env: Record<string, string>;
  /** The domain's name: unique to the run, found as `guest=NAME` in QEMU's command line. */
  name: string;
  /** The pid files where the daemon may write the guest's QEMU pid. */
  pidFiles: () => readonly string[];
  /** The guest's serial console once QEMU runs (tried at each poll until it gives one; a throw is "not yet"). */
  openConsole: () => Promise<GuestConsole | undefined>;
  /** The network's lease file (dnsmasq's, or libvirt's `BRIDGE.status`) and the guest's MAC. */
  leaseFile: string;
  mac: string;
  timeoutMs?: number;
}

/** The pid is a QEMU (exec done) with `guest=NAME` on its command line. */
export function isGuestQemu(pid: number, name: string): boolean {
  if (!/\/qemu-system-[^/]*$/.test(exe(String(pid)))) return false;
  return readOr(`/proc/${pid}/cmdline`).split('\0').some((a) => a === `guest=${name}` || a.startsWith(`guest=${name},`));
}

/** The pids in the files given, those that exist and are numbers. */
export function pidsFrom(files: readonly string[]): number[] {
  return files.map((f) => Number(readOr(f).trim())).filter((p) => Number.isInteger(p) && p > 0);
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
  let con: GuestConsole | undefined;
  let text = '';
  let marker: number | undefined;
  const onData = (d: Buffer): void => {
    if (marker !== undefined) return;
    text = (text + d.toString('latin1')).slice(-200);
    if (text.includes(GUEST_READY_MARKER)) marker = now() - t0;
  };
  try {
    return await poll();
  } finally {
    con?.close();
  }

  async function poll(): Promise<InstallPhases> {
    for (;;) {
      if (failed !== undefined) throw new Error(`${run.cmd} ${run.args.join(' ')}: ${failed}`);
      if (qemu === undefined && pidsFrom(run.pidFiles()).some((p) => isGuestQemu(p, run.name))) qemu = now() - t0;
      if (qemu !== undefined && con === undefined) {
        con = await run.openConsole().catch(() => undefined);
        con?.onData(onData);
      }
      if (qemu !== undefined && (await readFile(run.leaseFile, 'utf8').catch(() => '')).toLowerCase().includes(mac)) {
        const lease = now() - t0;
        while (returned === undefined) {
          if (failed !== undefined) break;
          await sleep(POLL_MS);
        }
        if (failed !== undefined) throw new Error(`${run.cmd} ${run.args.join(' ')}: ${failed}`);
        return { returned: returned as number, qemu, lease, marker };
      }
      if (now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${run.name}: no ${qemu === undefined ? 'QEMU process' : `lease for ${mac} in ${run.leaseFile}`} within ${run.timeoutMs ?? 180_000} ms (command output: ${out.trim().slice(-400)})`);
      }
      await sleep(POLL_MS);
    }
  }
}
