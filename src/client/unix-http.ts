/**
 * One HTTP/1.1 request and its answer on a connection of its own to a UNIX socket, spoken with
 * node:net alone. For short-lived clients (the CLI: a few requests, then exit): loading node:http
 * and going through its agent and ClientRequest costs a fresh process ~3 ms, more than anything the
 * exchange itself does. The request says `Connection: close`; the answer is read up to its
 * Content-Length (virtkitd's JSON answers always have one), else as chunks
 * (`Transfer-Encoding: chunked`), else up to the end of the connection.
 *
 * Errors are the socket's own (ENOENT, ECONNREFUSED, ECONNRESET... with their `code`, as node:http
 * reports them, a connection closed without an answer included), or an Error with code
 * `ERR_HTTP_ANSWER` when the answer is cut short or is not HTTP.
 */
import { connect } from 'node:net';

export interface PlainAnswer {
  readonly status: number;
  readonly body: Buffer;
}

const CRLF2 = Buffer.from('\r\n\r\n');

export function answerError(message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code: 'ERR_HTTP_ANSWER' });
}

/** `headers` without Host, Connection and Content-Length: those are written here. */
export function plainRequest(socketPath: string, method: string, path: string,
  headers: Readonly<Record<string, string>>, payload?: string): Promise<PlainAnswer> {
  return new Promise<PlainAnswer>((resolve, reject) => {
    // What node:http refuses too (its checks): a path or header that would split the request.
    const fields = Object.entries(headers);
    if (/[^\x21-\xff]/.test(path) || fields.some(([k, v]) => !/^[\w!#$%&'*+.^`|~-]+$/.test(k) || /[^\t\x20-\x7e\x80-\xff]/.test(v))) {
      reject(Object.assign(new TypeError(`invalid characters in the request ${method} ${JSON.stringify(path)} or its headers`),
        { code: 'ERR_INVALID_CHAR' }));
      return;
    }
    const body = payload === undefined ? undefined : Buffer.from(payload, 'utf8');
    const head0 = [`${method} ${path} HTTP/1.1`, 'Host: localhost', 'Connection: close', ...fields.map(([k, v]) => `${k}: ${v}`),
      ...(body === undefined ? [] : [`Content-Length: ${body.length}`]), '', ''].join('\r\n');
    const sock = connect(socketPath);
    let chunks: Buffer[] = [];
    let got = 0;
    let head: Head | Error | undefined;
    let settled = false;
    const finish = (a: PlainAnswer | Error) => {
      if (settled) return;
      settled = true;
      sock.destroy();
      if (a instanceof Error) reject(a);
      else resolve(a);
    };
    // Before the answer's headers, the socket's own error (ENOENT, ECONNREFUSED, ECONNRESET: the
    // daemon is not there, or went away); after them, an answer cut short.
    sock.on('error', (e) => finish(head === undefined ? e : answerError(`virtkitd's answer was cut short: ${e.message}`)));
    sock.on('data', (c: Buffer) => {
      chunks.push(c);
      got += c.length;
      if (head === undefined) {
        chunks = [Buffer.concat(chunks, got)];
        head = parseHead(chunks[0] as Buffer);
      }
      if (head instanceof Error) finish(head);
      // Complete once its Content-Length is in: no need to wait for the daemon to close.
      else if (head?.length !== undefined && got >= head.start + head.length) finish(answerOf(Buffer.concat(chunks, got), head));
    });
    sock.on('end', () => {
      const buf = Buffer.concat(chunks, got);
      const h = head ?? parseHead(buf);
      // As node:http says it: a connection closed with no answer is a hang-up (ECONNRESET).
      finish(h === undefined ? Object.assign(new Error('socket hang up: virtkitd closed the connection without an answer'), { code: 'ECONNRESET' })
        : h instanceof Error ? h : answerOf(buf, h));
    });
    sock.write(body === undefined ? Buffer.from(head0, 'latin1') : Buffer.concat([Buffer.from(head0, 'latin1'), body]));
  });
}

interface Head {
  readonly status: number;
  /** Where the body starts. */
  readonly start: number;
  readonly length: number | undefined;
  readonly chunked: boolean;
}

/** The status line and headers, once all of them are in `buf`. */
export function parseHead(buf: Buffer): Head | Error | undefined {
  const end = buf.indexOf(CRLF2);
  if (end < 0) return undefined;
  const lines = buf.toString('latin1', 0, end).split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!m) return answerError(`not an HTTP answer: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  // No 1xx answers come: these requests send no Expect header.
  const header = (name: string) => {
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      if (i > 0 && l.slice(0, i).trim().toLowerCase() === name) return l.slice(i + 1).trim();
    }
    return undefined;
  };
  const chunked = /\bchunked\b/i.test(header('transfer-encoding') ?? '');
  const length = chunked ? undefined : header('content-length');
  if (length !== undefined && !/^\d+$/.test(length)) return answerError(`a bad Content-Length in virtkitd's answer: ${JSON.stringify(length)}`);
  return { status: Number(m[1]), start: end + CRLF2.length, length: length === undefined ? undefined : Number(length), chunked };
}

/** The answer in `buf`, all of it (or the connection has ended: a body without a length ends there). */
export function answerOf(buf: Buffer, h: Head): PlainAnswer | Error {
  if (h.chunked) return dechunk(buf, h.start, h.status);
  if (h.length === undefined) return { status: h.status, body: buf.subarray(h.start) };
  if (buf.length - h.start >= h.length) return { status: h.status, body: buf.subarray(h.start, h.start + h.length) };
  return answerError(`virtkitd closed the connection after ${buf.length - h.start} of the ${h.length} bytes of its answer`);
}

function dechunk(buf: Buffer, from: number, status: number): PlainAnswer | Error {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    const size = eol < 0 ? null : /^([0-9a-fA-F]+)/.exec(buf.toString('latin1', at, eol));
    if (!size) return answerError('virtkitd closed the connection in the middle of its chunked answer, or sent a bad chunk');
    const n = parseInt(size[1] as string, 16);
    if (n === 0) return { status, body: Buffer.concat(parts) }; // trailers, if any, are not needed
    if (buf.length < eol + 2 + n + 2) return answerError('virtkitd closed the connection in the middle of its chunked answer');
    parts.push(buf.subarray(eol + 2, eol + 2 + n));
    at = eol + 2 + n + 2;
  }
}
