import type { ShutdownMode } from '../../client/types.js';
import { usageError } from '../framework.js';

/** The --mode of shutdown and reboot: acpi or agent (virsh also knows initctl/signal/paravirt, for other drivers). */
export function shutdownMode(mode: string | undefined): { mode?: ShutdownMode } {
  if (mode === undefined) return {};
  if (mode === 'acpi' || mode === 'agent') return { mode };
  throw usageError(`Unknown mode ${mode} value, expecting 'acpi' or 'agent'`);
}
