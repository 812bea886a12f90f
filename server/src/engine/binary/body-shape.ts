/**
 * The shape of one function body without disassembling it: instruction count, deepest block nesting
 * and an estimate of the text a disassembler prints (it indents every line by the nesting depth).
 * Decodes opcodes and skips their immediates; used to refuse bodies whose text would be huge before
 * handing them to wabt, which cannot be interrupted once started.
 */
import { ByteReader, WasmFormatError } from './byte-reader';
import { readHeapType, readValType } from './value-types';

export interface BodyShape {
  instructions: number;
  maxDepth: number;
  /** about how many characters a flat (unfolded) disassembly takes */
  textEstimate: number;
}

/** Bytes of text per instruction besides indentation (mnemonic, immediates, newline). */
const CHARS_PER_INSTRUCTION = 20;

function memarg(r: ByteReader): void {
  const align = r.u32('alignment');
  if (align & 0x40) r.u32('memory index');
  r.u64('offset');
}

function blockType(r: ByteReader): void {
  const b = r.peek();
  if (b === 0x40) r.u8();
  else if ((b >= 0x68 && b <= 0x7f) || b === 0x63 || b === 0x64) readValType(r);
  else r.sleb(33, 'block type');
}

/**
 * Measures the body in [start, end) (after its size prefix). Returns undefined when the body uses an
 * opcode this scanner does not know or is malformed; the caller then falls back to size limits.
 */
export function measureBody(bytes: Uint8Array, start: number, end: number): BodyShape | undefined {
  const r = new ByteReader(bytes, start, end);
  let depth = 1;
  let maxDepth = 1;
  let instructions = 0;
  let textEstimate = 0;
  try {
    const groups = r.count('local group', 2);
    for (let i = 0; i < groups; i++) {
      r.u32('local count');
      readValType(r);
    }
    while (!r.atEnd()) {
      const op = r.u8();
      instructions++;
      textEstimate += 2 * depth + CHARS_PER_INSTRUCTION;
      switch (op) {
        case 0x02: // block
        case 0x03: // loop
        case 0x04: // if
        case 0x06: // try (legacy)
          blockType(r);
          if (++depth > maxDepth) maxDepth = depth;
          break;
        case 0x1f: {
          // try_table
          blockType(r);
          const n = r.count('catch clause', 2);
          for (let i = 0; i < n; i++) {
            const kind = r.u8();
            if (kind < 2) r.u32('tag index');
            r.u32('label');
          }
          if (++depth > maxDepth) maxDepth = depth;
          break;
        }
        case 0x0b: // end
          depth--;
          if (depth === 0) return r.atEnd() ? { instructions, maxDepth, textEstimate } : undefined;
          break;
        case 0x05: // else
        case 0x00:
        case 0x01:
        case 0x0f:
        case 0x0a: // throw_ref
        case 0x19: // catch_all
        case 0x1a:
        case 0x1b:
        case 0xd1:
        case 0xd3:
        case 0xd4:
          break;
        case 0x07: // catch
        case 0x08: // throw
        case 0x09: // rethrow
        case 0x18: // delegate
          if (op === 0x18) depth--;
          r.u32();
          break;
        case 0x0c:
        case 0x0d:
        case 0x10:
        case 0x12:
        case 0x14:
        case 0x15:
        case 0xd2:
        case 0xd5:
        case 0xd6:
          r.u32();
          break;
        case 0x0e: {
          const n = r.count('br_table target');
          for (let i = 0; i <= n; i++) r.u32();
          break;
        }
        case 0x11:
        case 0x13:
          r.u32();
          r.u32();
          break;
        case 0x1c: {
          const n = r.count('select type');
          for (let i = 0; i < n; i++) readValType(r);
          break;
        }
        case 0xd0:
          readHeapType(r);
          break;
        case 0x41:
          r.sleb(32);
          break;
        case 0x42:
          r.sleb(64);
          break;
        case 0x43:
          r.skip(4);
          break;
        case 0x44:
          r.skip(8);
          break;
        case 0xfc:
          miscPrefix(r);
          break;
        case 0xfd:
          simdPrefix(r);
          break;
        case 0xfe: {
          const sub = r.u32();
          if (sub === 3) r.u8();
          else memarg(r);
          break;
        }
        case 0xfb:
          gcPrefix(r);
          break;
        default:
          if (op >= 0x20 && op <= 0x26) r.u32();
          else if (op >= 0x28 && op <= 0x3e) memarg(r);
          else if (op === 0x3f || op === 0x40) r.u32('memory index');
          else if (op >= 0x45 && op <= 0xc4) break;
          else return undefined;
      }
    }
    return undefined; // no final `end`
  } catch (e) {
    if (e instanceof WasmFormatError) return undefined;
    throw e;
  }
}

function miscPrefix(r: ByteReader): void {
  const sub = r.u32();
  if (sub <= 7) return;
  switch (sub) {
    case 8:
    case 10:
    case 12:
    case 14:
      r.u32();
      r.u32();
      return;
    case 9:
    case 11:
    case 13:
    case 15:
    case 16:
    case 17:
      r.u32();
      return;
    default:
      r.fail(`unknown 0xfc opcode ${sub}`);
  }
}

function simdPrefix(r: ByteReader): void {
  const sub = r.u32();
  if (sub <= 11 || sub === 92 || sub === 93) memarg(r);
  else if (sub === 12 || sub === 13) r.skip(16);
  else if (sub >= 21 && sub <= 34) r.u8();
  else if (sub >= 84 && sub <= 91) {
    memarg(r);
    r.u8();
  } else if (sub > 0x113) r.fail(`unknown 0xfd opcode ${sub}`);
}

function gcPrefix(r: ByteReader): void {
  const sub = r.u32();
  switch (sub) {
    case 0:
    case 1:
    case 6:
    case 7:
    case 11:
    case 12:
    case 13:
    case 14:
    case 16:
      r.u32();
      return;
    case 2:
    case 3:
    case 4:
    case 5:
    case 8:
    case 9:
    case 10:
    case 17:
    case 18:
    case 19:
      r.u32();
      r.u32();
      return;
    case 20:
    case 21:
    case 22:
    case 23:
      readHeapType(r);
      return;
    case 24:
    case 25:
      r.u8();
      r.u32();
      readHeapType(r);
      readHeapType(r);
      return;
    case 15:
    case 26:
    case 27:
    case 28:
    case 29:
    case 30:
      return;
    default:
      r.fail(`unknown 0xfb opcode ${sub}`);
  }
}
