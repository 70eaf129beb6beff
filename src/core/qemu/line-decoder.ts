/**
 * One JSON message per line over a byte stream, as QMP and the guest agent speak: a socket hands
 * the lines over in arbitrary chunks (half a line, several at once, a UTF-8 character split
 * between two reads), so the unfinished tail is kept, as bytes, between pushes. A line ends at
 * "\n" (0x0A is never inside a multi-byte UTF-8 character), is trimmed ("\r\n" too) and given to
 * `classify`; blank lines are skipped. A tail longer than `maxLineBytes` without its newline is
 * reported through `tooLong` (with its first 200 bytes) and dropped: the stream goes on after it.
 */
export interface LineDecoderOptions<T> {
  readonly classify: (line: string) => T;
  readonly maxLineBytes: number;
  readonly tooLong: (head: string) => T;
}

export class LineDecoder<T> {
  #rest: Buffer = Buffer.alloc(0);

  constructor(private readonly o: LineDecoderOptions<T>) {}

  /** Feeds one chunk; returns what the lines it completed classify as, in order. */
  push(chunk: Uint8Array): T[] {
    // The kept tail has no newline: the search starts in the new bytes.
    const from = this.#rest.length;
    const all = Buffer.concat([this.#rest, chunk]);
    const out: T[] = [];
    let start = 0;
    for (let nl = all.indexOf(0x0a, from); nl !== -1; nl = all.indexOf(0x0a, start)) {
      const line = all.subarray(start, nl).toString('utf8').trim();
      start = nl + 1;
      if (line !== '') out.push(this.o.classify(line));
    }
    this.#rest = all.subarray(start);
    if (this.#rest.length > this.o.maxLineBytes) {
      out.push(this.o.tooLong(this.#rest.subarray(0, 200).toString('utf8')));
      this.#rest = Buffer.alloc(0);
    }
    return out;
  }

  /** Drops the unfinished tail. */
  reset(): void {
    this.#rest = Buffer.alloc(0);
  }

  /** Bytes of an unfinished line still waiting for its newline. */
  get pending(): number {
    return this.#rest.length;
  }
}
