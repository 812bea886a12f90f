/**
 * Where printed WAT goes: a sink takes text in pieces and passes it on in chunks of about
 * `chunkChars` characters, so a printer never holds more than one chunk of a module's text however
 * large the module (a file, the CLI's stdout, the editor's view all take chunks).
 */

/** Receives text in pieces, in order. */
export interface TextSink {
  write(text: string): void;
  /** characters written so far (the printer's text offsets for offset maps) */
  readonly written: number;
}

/** Default chunk size: large enough that writes are few, small enough to stay out of the old space. */
export const DEFAULT_CHUNK_CHARS = 256 * 1024;

/**
 * Buffers pieces and hands them to `flush` in chunks. Counts the characters written (the printer's
 * text offsets) so offset maps need no second pass.
 */
export class ChunkedSink implements TextSink {
  /** the pieces of the current chunk, joined when it is full (a join makes one flat string at once;
   *  appending piece by piece makes a rope that costs more to flatten than to print) */
  private parts: string[] = [];
  private pending = 0;
  /** characters written so far (flushed or buffered) */
  written = 0;

  constructor(
    private readonly flush: (chunk: string) => void,
    private readonly chunkChars = DEFAULT_CHUNK_CHARS,
  ) {}

  write(text: string): void {
    this.parts.push(text);
    this.pending += text.length;
    this.written += text.length;
    if (this.pending >= this.chunkChars) this.emit();
  }

  /** Passes on what is buffered. */
  end(): void {
    if (this.pending) this.emit();
  }

  private emit(): void {
    const chunk = this.parts.join('');
    this.parts = [];
    this.pending = 0;
    this.flush(chunk);
  }
}

/** Collects the chunks into one string (the editor's view and tests: texts they hold anyway). */
export class StringSink implements TextSink {
  private readonly chunks: string[] = [];
  private readonly sink = new ChunkedSink((c) => this.chunks.push(c));

  get written(): number {
    return this.sink.written;
  }

  write(text: string): void {
    this.sink.write(text);
  }

  text(): string {
    this.sink.end();
    if (this.chunks.length > 1) this.chunks.splice(0, this.chunks.length, this.chunks.join(''));
    return this.chunks[0] ?? '';
  }
}

/** Thrown by a `PageSink` once it holds its page: the printer stops there (it catches only format errors). */
export class PageFull extends Error {
  constructor() {
    super('the page is full');
  }
}

/**
 * The first page of a text, printed no further than needed: keeps the first `pageChars` characters
 * (or more, up to the end of the line the page ends in) and stops the printer with `PageFull` once it
 * has them. A page is always a prefix of the whole text (the printer is deterministic), cut after a
 * line end unless one line is longer than the page.
 */
export class PageSink implements TextSink {
  private readonly parts: string[] = [];
  written = 0;

  constructor(private readonly pageChars: number) {}

  write(text: string): void {
    this.parts.push(text);
    this.written += text.length;
    if (this.written > this.pageChars && text.indexOf('\n') >= 0) throw new PageFull();
  }

  /** The page: everything up to the last line end after `pageChars` (or all of it, when the printer ended first). */
  page(complete: boolean): string {
    const all = this.parts.join('');
    if (complete) return all;
    let end = all.indexOf('\n', this.pageChars - 1);
    if (end < 0) end = all.lastIndexOf('\n');
    return end < 0 ? all : all.slice(0, end + 1);
  }
}

/** The first page of what `print` writes, and whether that is all of it. */
export function firstPage(pageChars: number, print: (sink: TextSink) => void): { text: string; complete: boolean } {
  const sink = new PageSink(Math.max(1, pageChars));
  try {
    print(sink);
  } catch (e) {
    if (!(e instanceof PageFull)) throw e;
    return { text: sink.page(false), complete: false };
  }
  return { text: sink.page(true), complete: true };
}

/** Rows of 1..256 spaces (indentation up to 128 levels), for `ByteSink.spaces`. */
const SPACE_ROWS: Uint8Array[] = Array.from({ length: 256 }, (_, i) => new Uint8Array(i + 1).fill(0x20));

/** Default size of a `ByteSink`'s buffer. */
export const DEFAULT_BYTE_CHUNK = 1024 * 1024;

/**
 * Writes the text as bytes (UTF-8) into one reused buffer and hands it to `flush` when full: no
 * string is joined or encoded per chunk. The printer's text is ASCII almost always (names and strings
 * are escaped), so a piece is copied byte for byte (short pieces by a loop, long ones by a latin1
 * write); a piece with another character is encoded as UTF-8. `flush` gets a view of the buffer that
 * is valid until it returns (write it out or copy it).
 */
export class ByteSink implements TextSink {
  private readonly buf: Buffer;
  private pos = 0;
  /** characters written so far */
  written = 0;
  /** bytes passed on so far (flushed) */
  flushedBytes = 0;

  constructor(
    private readonly flush: (bytes: Buffer) => void,
    size = DEFAULT_BYTE_CHUNK,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(4096, size));
  }

  write(text: string): void {
    const n = text.length;
    this.written += n;
    let pos = this.pos;
    const buf = this.buf;
    if (pos + n * 3 > buf.length) {
      this.emit();
      pos = 0;
      if (n * 3 > buf.length) {
        // a piece larger than the buffer goes out on its own
        const big = Buffer.from(text, 'utf8');
        this.flushedBytes += big.length;
        this.flush(big);
        return;
      }
    }
    if (n > 256) {
      this.pos = pos + buf.write(text, pos, 'utf8');
      return;
    }
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c > 0x7f) {
        // not ASCII: this piece as UTF-8
        this.pos = pos - i + buf.write(text, pos - i, 'utf8');
        return;
      }
      buf[pos++] = c;
    }
    this.pos = pos;
  }

  /** `count` spaces (an indentation), without a string: copied from a row of spaces made once. */
  spaces(count: number): void {
    this.written += count;
    if (this.pos + count > this.buf.length) this.emit();
    if (count <= 8) {
      const buf = this.buf;
      let pos = this.pos;
      for (const end = pos + count; pos < end; pos++) buf[pos] = 0x20;
      this.pos = pos;
      return;
    }
    this.buf.set(count <= SPACE_ROWS.length ? SPACE_ROWS[count - 1] : Buffer.alloc(count, 0x20), this.pos);
    this.pos += count;
  }

  /** Bytes of ASCII text made once (an instruction's name), copied as they are. */
  asciiBytes(bytes: Uint8Array): void {
    const n = bytes.length;
    this.written += n;
    if (this.pos + n > this.buf.length) this.emit();
    if (n <= 8) {
      const buf = this.buf;
      let pos = this.pos;
      for (let i = 0; i < n; i++) buf[pos++] = bytes[i];
      this.pos = pos;
      return;
    }
    this.buf.set(bytes, this.pos);
    this.pos += n;
  }

  /** One ASCII character by its code (a newline, a space), without a string. */
  ascii(code: number): void {
    this.written++;
    if (this.pos >= this.buf.length) this.emit();
    this.buf[this.pos++] = code;
  }

  /** Passes on what is buffered. */
  end(): void {
    if (this.pos) this.emit();
  }

  private emit(): void {
    const n = this.pos;
    this.pos = 0;
    if (!n) return;
    this.flushedBytes += n;
    this.flush(this.buf.subarray(0, n));
  }
}
