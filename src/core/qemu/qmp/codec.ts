/**
 * QMP framing: QEMU writes one JSON object per line ("\r\n" or "\n"), and a
 * socket hands them over in arbitrary chunks: half a message, or several at
 * once, or a UTF-8 character split between two reads. `QmpDecoder` keeps the
 * incomplete tail between pushes (../line-decoder.ts, shared with the guest
 * agent's codec). Commands go the other way as one line each.
 */
import { LineDecoder } from '../line-decoder.js';
import { classifyMessage } from './messages.js';
import type { QmpId, QmpMessage } from './messages.js';

/** query-qmp-schema is ~200 KiB on QEMU 7.2; a line 64 times that is not QMP. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

export class QmpDecoder {
  readonly #lines: LineDecoder<QmpMessage>;

  constructor(opts: { maxLineBytes?: number } = {}) {
    const maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.#lines = new LineDecoder<QmpMessage>({
      classify: classifyMessage, maxLineBytes,
      tooLong: (line) => ({ kind: 'invalid', line, reason: `a line longer than ${maxLineBytes} bytes` }),
    });
  }

  /** Feeds one chunk; returns the messages it completed, in order. */
  push(chunk: Uint8Array | string): QmpMessage[] {
    return this.#lines.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  }

  /** Bytes of an unfinished message still waiting for its newline. */
  get pending(): number {
    return this.#lines.pending;
  }
}

/** One command line, ready to write to the socket. */
export function encodeCommand(id: QmpId, execute: string, args?: Readonly<Record<string, unknown>>): string {
  const msg = args === undefined ? { execute, id } : { execute, arguments: args, id };
  return `${JSON.stringify(msg)}\n`;
}
