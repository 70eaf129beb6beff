/**
 * QMP framing: QEMU writes one JSON object per line ("\r\n" or "\n"), and a
 * socket hands them over in arbitrary chunks: half a message, or several at
 * once, or a UTF-8 character split between two reads. `QmpDecoder` keeps the
 * incomplete tail between pushes. Commands go the other way as one line each.
 */
import { classifyMessage } from './messages.js';
import type { QmpId, QmpMessage } from './messages.js';

/** query-qmp-schema is ~200 KiB on QEMU 7.2; a line 64 times that is not QMP. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

export class QmpDecoder {
  private readonly utf8 = new TextDecoder('utf-8');
  private buffer = '';
  private readonly maxLine: number;

  constructor(opts: { maxLineBytes?: number } = {}) {
    this.maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  /** Feeds one chunk; returns the messages it completed, in order. */
  push(chunk: Uint8Array | string): QmpMessage[] {
    this.buffer += typeof chunk === 'string' ? chunk : this.utf8.decode(chunk, { stream: true });
    const out: QmpMessage[] = [];
    let start = 0;
    for (let nl = this.buffer.indexOf('\n'); nl !== -1; nl = this.buffer.indexOf('\n', start)) {
      const line = this.buffer.slice(start, nl).trim();
      start = nl + 1;
      if (line !== '') out.push(classifyMessage(line));
    }
    this.buffer = this.buffer.slice(start);
    // Counted in UTF-16 units: close enough for a guard against a runaway line.
    if (this.buffer.length > this.maxLine) {
      out.push({ kind: 'invalid', line: this.buffer.slice(0, 200), reason: `a line longer than ${this.maxLine} bytes` });
      this.buffer = '';
    }
    return out;
  }

  /** Bytes of an unfinished message still waiting for its newline. */
  get pending(): number {
    return this.buffer.length;
  }
}

/** One command line, ready to write to the socket. */
export function encodeCommand(id: QmpId, execute: string, args?: Readonly<Record<string, unknown>>): string {
  const msg = args === undefined ? { execute, id } : { execute, arguments: args, id };
  return `${JSON.stringify(msg)}\n`;
}
