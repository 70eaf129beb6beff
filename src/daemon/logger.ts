/** The daemon's log: one line per message on stderr (the client points it at log/virtkitd.log). */
import type { Logger } from './engine/context.js';

export function stderrLogger(now: () => Date = () => new Date()): Logger {
  const line = (level: string) => (message: string): void => {
    process.stderr.write(`${now().toISOString()} virtkitd[${process.pid}]: ${level}: ${message}\n`);
  };
  return { info: line('info'), warn: line('warning'), error: line('error') };
}
