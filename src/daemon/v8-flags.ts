/**
 * V8 settings for the virtkitd process, applied by bin/virtkitd before it loads
 * the daemon (flags set later miss the optimizing of start-up's code). The
 * daemon idles most of the time and its hot paths wait on I/O; V8's
 * optimizing tiers (TurboFan, Sparkplug) and a young generation that grows to
 * 16 MiB buy it no measurable speed but cost RSS: with these flags the daemon
 * with the QEMU driver loaded idles at ~53 MiB instead of ~66 MiB, guest start
 * and list take as long, start-up with 500 domains ~10 ms more (docs/bench.md).
 * Set at run time (v8.setFlagsFromString), each was checked to take effect:
 * no optimized code, and the young generation stays at 1 MiB.
 * VIRTKITD_V8_DEFAULTS=1 keeps V8's defaults (to compare).
 */
import { setFlagsFromString } from 'node:v8';

export const DAEMON_V8_FLAGS = ['--no-opt', '--no-sparkplug', '--optimize-for-size', '--max-semi-space-size=1'] as const;

export function applyDaemonV8Flags(env: NodeJS.ProcessEnv): void {
  if (env['VIRTKITD_V8_DEFAULTS'] === '1') return;
  for (const f of DAEMON_V8_FLAGS) setFlagsFromString(f);
}
