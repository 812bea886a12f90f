/**
 * The shape of one function body without disassembling it: instruction count, deepest block nesting
 * and an estimate of the text a disassembler prints (it indents every line by the nesting depth).
 * Walks the body with the code decoder (`code-decoder.ts`, driven by the instruction-set table: the
 * instruction set is described once); used to refuse bodies whose text would be huge before handing
 * them to wabt, which cannot be interrupted once started.
 */
import { CodeDecoder } from './code-decoder';
import { INSTRUCTION_SET } from '../isa/instruction-set';

export interface BodyShape {
  instructions: number;
  maxDepth: number;
  /** about how many characters a flat (unfolded) disassembly takes */
  textEstimate: number;
}

/** Bytes of text per instruction besides indentation (mnemonic, immediates, newline). */
const CHARS_PER_INSTRUCTION = 20;

/** Per instruction: +1 opens a block (block, loop, if, try, try_table), -1 closes one (end, delegate), else 0. */
const NESTING = Int8Array.from(INSTRUCTION_SET, (d) =>
  d.rule === 'block' || d.rule === 'loop' || d.rule === 'if' || d.rule === 'try' || d.rule === 'try_table' ? 1 : d.rule === 'end' || d.rule === 'delegate' ? -1 : 0,
);

/**
 * Measures the body in [start, end) (after its size prefix). Returns undefined when the body is
 * malformed (an unknown opcode, a truncated immediate, no final `end`, bytes after it); the caller
 * then falls back to size limits.
 */
export function measureBody(bytes: Uint8Array, start: number, end: number): BodyShape | undefined {
  const dec = new CodeDecoder(bytes, start, end);
  if (!dec.readLocals(() => {})) return undefined;
  let depth = 1;
  let maxDepth = 1;
  let instructions = 0;
  let textEstimate = 0;
  while (dec.next()) {
    instructions++;
    textEstimate += 2 * depth + CHARS_PER_INSTRUCTION;
    const n = NESTING[dec.def.id];
    if (n > 0) {
      if (++depth > maxDepth) maxDepth = depth;
    } else if (n < 0) {
      depth--;
      if (depth === 0) return dec.def.rule === 'end' && dec.atEnd() ? { instructions, maxDepth, textEstimate } : undefined;
    }
  }
  return undefined; // malformed, or no final `end`
}
