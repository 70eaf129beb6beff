/**
 * The QEMU guest agent's wire protocol (qga/qapi-schema.json): JSON commands one per line, answers
 * one per line, no greeting, no ids. A client cannot tell a stale answer (from a command that timed
 * out, or from a client before it) from a fresh one, so each use starts with guest-sync-delimited:
 * the client writes 0xFF (the agent's JSON parser drops its partial input on that byte), then the
 * sync with a random id; the agent answers with 0xFF followed by {"return": id}. Everything before
 * that 0xFF is stale and dropped, and answers with another id are older syncs'.
 */
import { LineDecoder } from '../line-decoder.js';

/** The byte that resets the agent's parser (client to agent) and marks a sync answer (agent to client). */
export const QGA_SENTINEL = 0xff;

/** An answer line: a success, an error, or a line that is not an agent answer. */
export type QgaAnswer =
  | { readonly kind: 'return'; readonly value: unknown }
  | { readonly kind: 'error'; readonly class: string; readonly desc: string }
  | { readonly kind: 'invalid'; readonly line: string };

/** A guest agent line is small; a megabyte of one without a newline is not the agent. */
export const QGA_MAX_LINE_BYTES = 1024 * 1024;

export function classifyAnswer(line: string): QgaAnswer {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { kind: 'invalid', line: line.slice(0, 200) };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { kind: 'invalid', line: line.slice(0, 200) };
  const o = v as Record<string, unknown>;
  if ('return' in o) return { kind: 'return', value: o['return'] };
  const e = o['error'];
  if (typeof e === 'object' && e !== null) {
    const err = e as Record<string, unknown>;
    return { kind: 'error', class: String(err['class'] ?? 'GenericError'), desc: String(err['desc'] ?? '') };
  }
  return { kind: 'invalid', line: line.slice(0, 200) };
}

/**
 * Splits the agent's byte stream into answers. After `awaitSentinel()` it drops every byte up to
 * and including the next 0xFF (the sync answer follows it); otherwise it splits on newlines
 * (../line-decoder.ts, as QMP's).
 */
export class QgaDecoder {
  readonly #lines = new LineDecoder<QgaAnswer>({
    classify: classifyAnswer, maxLineBytes: QGA_MAX_LINE_BYTES, tooLong: (line) => ({ kind: 'invalid', line }),
  });
  #skipping = false;

  /** Drop everything until the next sentinel byte: called when a sync is written. */
  awaitSentinel(): void {
    this.#skipping = true;
    this.#lines.reset();
  }

  get awaitingSentinel(): boolean {
    return this.#skipping;
  }

  push(chunk: Uint8Array): QgaAnswer[] {
    let data = chunk;
    if (this.#skipping) {
      const at = data.indexOf(QGA_SENTINEL);
      if (at === -1) return [];
      this.#skipping = false;
      data = data.subarray(at + 1);
    }
    return this.#lines.push(data);
  }

  /** Bytes of an unfinished answer. */
  get pending(): number {
    return this.#lines.pending;
  }
}

/** A command line for the agent. */
export function encodeQgaCommand(execute: string, args?: Readonly<Record<string, unknown>>): Buffer {
  return Buffer.from(`${JSON.stringify(args === undefined ? { execute } : { execute, arguments: args })}\n`, 'utf8');
}

/** The sentinel and the sync with `id`, as one write. */
export function encodeQgaSync(id: number): Buffer {
  return Buffer.concat([Buffer.from([QGA_SENTINEL]), encodeQgaCommand('guest-sync-delimited', { id })]);
}

/** A raw command given by the user (virsh qemu-agent-command): one JSON object with a string `execute`. */
export function parseRawAgentCommand(text: string): { execute: string; arguments?: Record<string, unknown> } | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return `not JSON: ${(e as Error).message}`;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  const o = v as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => k !== 'execute' && k !== 'arguments');
  if (typeof o['execute'] !== 'string' || o['execute'] === '') return "it has no string 'execute'";
  if (extra.length > 0) return `unknown keys: ${extra.join(', ')} (want 'execute' and 'arguments')`;
  const a = o['arguments'];
  if (a === undefined) return { execute: o['execute'] };
  if (typeof a !== 'object' || a === null || Array.isArray(a)) return "'arguments' is not a JSON object";
  return { execute: o['execute'], arguments: a as Record<string, unknown> };
}
