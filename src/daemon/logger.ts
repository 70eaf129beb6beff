/**
 * The daemon's log: one line per message, on stderr, or (--log-to-file, as
 * the client starts it) appended to log/virtkitd.log, with start-up errors
 * also on stderr where the starting client reads them.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from './engine/context.js';

type Sink = (line: string) => void;

function logger(sink: Sink, now: () => Date): Logger {
  const line = (level: string) => (message: string): void => {
    sink(`${now().toISOString()} virtkitd[${process.pid}]: ${level}: ${message}\n`);
  };
  return { info: line('info'), warn: line('warning'), error: line('error') };
}

const toStderr: Sink = (l) => {
  process.stderr.write(l);
};

export function stderrLogger(now: () => Date = () => new Date()): Logger {
  return logger(toStderr, now);
}

export interface FileLogger extends Logger {
  /** Stop copying errors to stderr (the client that started us has gone). */
  detachStderr(): void;
}

export function fileLogger(path: string, dirMode: number, now: () => Date = () => new Date()): FileLogger {
  mkdirSync(dirname(path), { recursive: true, mode: dirMode });
  // Nobody may read our stderr any more; a write to a closed pipe must not kill the daemon.
  process.stderr.on('error', () => undefined);
  let stderr = true;
  // Synchronous appends: a log line is rare, and it must be on disk before a crash.
  const file: Sink = (l) => {
    try {
      appendFileSync(path, l, { mode: 0o600 });
    } catch {
      // A full or read-only disk must not stop the daemon.
    }
  };
  const base = logger(file, now);
  const both = logger((l) => {
    file(l);
    if (stderr) toStderr(l);
  }, now);
  return { info: base.info, warn: base.warn, error: both.error, detachStderr: () => { stderr = false; } };
}
