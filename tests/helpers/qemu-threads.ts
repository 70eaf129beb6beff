/**
 * What the guest tests read from a running QEMU: the driver's own QMP connection to it (QEMU's
 * monitor socket takes one client: the driver's) and a thread's allowed CPUs, read from /proc
 * here rather than through src/host/tuning/threads.ts, the code under test.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Engine } from '../../src/daemon/engine/engine.js';
import type { Monitor } from '../../src/daemon/qemu-driver/monitor.js';
import { QemuDomain } from '../../src/daemon/qemu-driver/running.js';

/** The running domain `name`'s QMP monitor, as its QemuDomain holds it. */
export function monitorOf(engine: Engine, name: string): Monitor {
  const handle = engine.ctx.registry.named(name).runtime?.handle;
  assert.ok(handle instanceof QemuDomain);
  return (handle as unknown as { p: { monitor: Monitor } }).p.monitor;
}

/** Cpus_allowed_list of thread `tid` of process `pid` (undefined when the line is missing); throws when the thread is gone. */
export async function allowedCpus(pid: number, tid: number | string): Promise<string | undefined> {
  return /Cpus_allowed_list:\s*(\S+)/.exec(await readFile(`/proc/${pid}/task/${tid}/status`, 'utf8'))?.[1];
}
