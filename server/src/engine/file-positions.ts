/**
 * Line/column of a few offsets in a file too large to hold as one string (a segmented compile's
 * diagnostics: segmented-assembly.ts): one pass over the file's bytes up to the last offset asked
 * for, counting lines and UTF-16 units as LineIndex does on the text (`\n`, `\r\n` and a lone `\r`
 * end a line; a 4-byte UTF-8 sequence is two units). Offsets are UTF-16 units of the file's text.
 *
 *   const at = new FilePositions(bytes, offsets)
 *   at.positionAt(offset)    // one of `offsets`; another one throws
 */
import { isAscii } from 'buffer';
import type { Position } from './span';

export class FilePositions {
  private readonly positions = new Map<number, Position>();

  constructor(bytes: Uint8Array, offsets: number[]) {
    const wanted = [...new Set(offsets)].sort((a, b) => a - b);
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (isAscii(buf) && buf.indexOf(13) < 0) {
      // bytes are UTF-16 units: hop from line end to line end
      let line = 0;
      let lineStart = 0;
      for (const o of wanted) {
        const at = Math.min(Math.max(0, o), buf.length);
        for (let nl = buf.indexOf(10, lineStart); nl !== -1 && nl < at; nl = buf.indexOf(10, lineStart)) {
          line++;
          lineStart = nl + 1;
        }
        this.positions.set(o, { line, character: at - lineStart });
      }
      return;
    }
    let line = 0;
    let lineStart = 0;
    let chars = 0;
    let i = 0;
    for (const o of wanted) {
      while (i < buf.length && chars < o) {
        const c = buf[i++];
        if ((c & 0xc0) !== 0x80) chars += c >= 0xf0 ? 2 : 1;
        if (c === 10 || (c === 13 && buf[i] !== 10)) {
          line++;
          lineStart = chars;
        }
      }
      this.positions.set(o, { line, character: Math.max(0, Math.min(o, chars) - lineStart) });
    }
  }

  positionAt(offset: number): Position {
    const p = this.positions.get(offset);
    if (p === undefined) throw new Error(`offset ${offset} was not asked for`);
    return p;
  }
}
