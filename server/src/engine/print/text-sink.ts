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
  private buffer = '';
  /** characters written so far (flushed or buffered) */
  written = 0;

  constructor(
    private readonly flush: (chunk: string) => void,
    private readonly chunkChars = DEFAULT_CHUNK_CHARS,
  ) {}

  write(text: string): void {
    this.buffer += text;
    this.written += text.length;
    if (this.buffer.length >= this.chunkChars) {
      const chunk = this.buffer;
      this.buffer = '';
      this.flush(chunk);
    }
  }

  /** Passes on what is buffered. */
  end(): void {
    if (this.buffer.length) {
      const chunk = this.buffer;
      this.buffer = '';
      this.flush(chunk);
    }
  }
}

/** Collects the chunks into one string (the editor's view and tests: texts they hold anyway). */
export class StringSink implements TextSink {
  private readonly parts: string[] = [];
  private pending = '';
  written = 0;

  write(text: string): void {
    this.pending += text;
    this.written += text.length;
    if (this.pending.length >= DEFAULT_CHUNK_CHARS) {
      this.parts.push(this.pending);
      this.pending = '';
    }
  }

  text(): string {
    if (this.pending) {
      this.parts.push(this.pending);
      this.pending = '';
    }
    return this.parts.length === 1 ? this.parts[0] : this.parts.join('');
  }
}
