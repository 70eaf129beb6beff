/**
 * Runs the probe firmware (src/core/qemu/kvm-probe-rom.ts) in a throwaway
 * QEMU under a given accelerator, with a hard time limit, and reports how
 * far it got: QEMU's exit status, the stage markers it wrote to debugcon,
 * and whether it had to be killed. QEMU is gone and the temp dir removed
 * before this resolves ("gone" is the child's exit event).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import { buildProbeRom, PROBE_DEBUGCON_PORT, PROBE_EXIT_PORT } from '../../core/qemu/kvm-probe-rom.js';

export interface ProbeGuestRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The stage markers the guest wrote ('', 'R', 'RP', 'RPL'). */
  readonly stages: string;
  /** It did not exit by itself within the time limit and was killed. */
  readonly timedOut: boolean;
  readonly stderr: string;
  readonly ms: number;
}

const esc = (path: string) => path.replace(/,/g, ',,');

export function probeGuestArgs(accel: string, rom: string, debugcon: string): string[] {
  return [
    '-accel', accel, '-machine', 'pc', '-m', '16', '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    '-bios', rom,
    '-device', `isa-debug-exit,iobase=${PROBE_EXIT_PORT},iosize=0x04`,
    '-chardev', `file,id=probe,path=${esc(debugcon)}`,
    '-device', `isa-debugcon,iobase=${PROBE_DEBUGCON_PORT},chardev=probe`,
  ];
}

export async function runProbeGuest(binary: string, accel: string, opts: { timeoutMs: number; tmpDir?: string }): Promise<ProbeGuestRun> {
  const dir = await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'virtkit-kvm-probe-'));
  try {
    const rom = join(dir, 'probe.rom');
    const debugcon = join(dir, 'debugcon.out');
    await writeFile(rom, buildProbeRom());
    const started = performance.now();
    const child = spawn(binary, probeGuestArgs(accel, rom, debugcon), {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { LC_ALL: 'C', PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => { stderr = (stderr + c.toString()).slice(-4000); });
    let timedOut = false;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    // A vCPU stuck in the kernel still lets QEMU's main thread take SIGTERM; SIGKILL if not.
    const term = setTimeout(() => { timedOut = true; child.kill('SIGTERM'); }, opts.timeoutMs);
    const kill = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs + 2_000);
    let exit: { code: number | null; signal: NodeJS.Signals | null };
    try {
      exit = await exited;
    } catch (err) {
      throw new VirtkitError('QEMU_NOT_FOUND', `cannot run ${binary}: ${(err as Error).message}; install QEMU (apt install qemu-system-x86)`, { cause: err });
    } finally {
      clearTimeout(term);
      clearTimeout(kill);
    }
    const ms = Math.round(performance.now() - started);
    const stages = await readFile(debugcon, 'latin1').catch(() => '');
    return { ...exit, stages, timedOut, stderr: stderr.trim(), ms };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
