/**
 * One function body (or constant expression) as WAT, instruction by instruction from the streaming
 * decoder (`binary/code-decoder.ts`), written to a sink as it goes. Flat (like wasm2wat: `block`
 * ... `end`) or folded (blocks, loops, ifs and trys as S-expressions: `(block ...)`, `(if (then ...)
 * (else ...))`; operands stay in order). Every block gets a label (`$label0`, numbered by the order
 * blocks open in the function, as the name section numbers them, or its name from there), and
 * branches name their target.
 *
 * Nesting is a stack of arrays, never the JS stack: 100,000 nested blocks print. Malformed bytes end
 * the body with a comment and a diagnostic, and the open blocks are closed so the text still parses.
 */
import { BlockKind, CodeDecoder } from '../binary/code-decoder';
import { ByteReader, hex } from '../binary/byte-reader';
import { commentText } from '../binary/wat-strings';
import type { InstructionDef } from '../isa/instruction-set';
import { indent, MAX_INDENT_LEVELS } from './indent';
import { f32Text, f64Text, sleb64Text, v128Text } from './number-text';
import type { PrintContext } from './print-context';
import type { IdMap } from './print-names';
import { heapText, refText, valTypeText } from './value-type-text';
import { ByteSink, type TextSink } from './text-sink';
import type { OffsetMap } from './offset-map';

/** Kinds of open blocks. */
const enum Kind {
  Block = 0,
  Loop = 1,
  If = 2,
  Try = 3,
  TryTable = 4,
}

export interface BodyPrintOptions {
  fold?: boolean;
  /** append `;; @0x1234` (the instruction's byte offset) to each instruction */
  offsets?: boolean;
  /** record each instruction's line in this map (text offsets from the sink's `written`) */
  map?: OffsetMap;
}


/** Locals past this many (all groups together) are not printed one by one: the text would be gigabytes. */
export const MAX_PRINTED_LOCALS = 1_000_000;

const EMPTY_IDS: IdMap = new Map();

export class BodyPrinter {
  /** per open block: its kind, its label's text, the indentation level of its content */
  private kinds: number[] = [];
  private labels: string[] = [];
  private levels: number[] = [];
  private depth = 0;
  private blockOrdinal = 0;
  private labelNames: Map<number, string> | undefined;
  private labelIdsFromNames = false;
  private localIds: IdMap = EMPTY_IDS;
  private readonly fold: boolean;
  private readonly offsets: boolean;
  private readonly map: OffsetMap | undefined;
  /** the sink, when it takes bytes: the frequent lines are written into it without strings */
  private readonly bytes: ByteSink | undefined;
  /** problems found, as (offset, message) */
  readonly problems: { offset: number; message: string }[] = [];

  constructor(
    private readonly ctx: PrintContext,
    private readonly sink: TextSink,
    options: BodyPrintOptions = {},
  ) {
    this.fold = options.fold === true;
    this.offsets = options.offsets === true;
    this.bytes = sink instanceof ByteSink ? sink : undefined;
    this.map = options.map;
  }

  /**
   * Prints the body of defined function `func` (its index in the function index space) whose bytes
   * are [start, end): locals, then instructions at `baseLevel`. Does not print the `(func` line or its
   * closing paren. Returns false when the body is malformed (the problem is in `problems`).
   */
  printBody(func: number, start: number, end: number, baseLevel: number): boolean {
    const dec = new CodeDecoder(this.ctx.bytes, start, end);
    this.localIds = this.ctx.names.locals(func);
    const names = this.ctx.names.labels(func);
    this.labelNames = names && names.size ? names : undefined;
    this.labelIdsFromNames = this.labelNames !== undefined;
    const params = this.ctx.funcType(func)?.params.length ?? 0;
    // locals
    const groups: number[] = [];
    const ok = dec.readLocals((count, type) => {
      groups.push(count, type);
    });
    if (!ok) {
      this.problem(dec.errorOffset, `function ${func}: malformed locals: ${dec.error}`);
      return false;
    }
    let total = 0;
    for (let g = 0; g < groups.length; g += 2) total += groups[g];
    if (total > MAX_PRINTED_LOCALS) {
      this.problem(start, `function ${func} declares ${total} locals, more than the ${MAX_PRINTED_LOCALS} printed; its body is not printed`);
      return false;
    }
    let localIndex = params;
    let line = '';
    for (let g = 0; g < groups.length; g += 2) {
      const t = valTypeText(groups[g + 1], this.ctx.names.types);
      for (let k = 0; k < groups[g]; k++, localIndex++) {
        const id = this.localIds.get(localIndex);
        line += id ? ` (local ${id} ${t})` : ` (local ${t})`;
        if (line.length > 200) {
          this.sink.write(indent(baseLevel) + line.slice(1) + '\n');
          line = '';
        }
      }
    }
    if (line) this.sink.write(indent(baseLevel) + line.slice(1) + '\n');
    return this.printInstructions(dec, func, baseLevel);
  }

  /** Prints a constant expression's instructions folded one by one (`(i32.const 1) (i32.add)`) on one line. */
  constExprText(start: number, end: number): { text: string; end: number; error?: string } {
    const dec = new CodeDecoder(this.ctx.bytes, start, end);
    let text = '';
    while (dec.next()) {
      if (dec.def.rule === 'end') return { text, end: dec.pos };
      text += (text ? ' (' : '(') + this.instructionText(dec) + ')';
    }
    return { text, end: dec.pos, error: dec.error ?? `constant expression at ${hex(start)} has no end` };
  }

  private printInstructions(dec: CodeDecoder, func: number, base: number): boolean {
    const fold = this.fold;
    const sink = this.sink;
    const bytes = this.bytes;
    const kinds = this.kinds;
    const levels = this.levels;
    this.depth = 0;
    this.blockOrdinal = 0;
    let ended = false;
    while (dec.next()) {
      const def = dec.def;
      const rule = def.rule;
      const d = this.depth;
      const level = d === 0 ? base : levels[d - 1];
      const lineStart = sink.written;
      let text = '';
      switch (rule) {
        case 'block':
        case 'loop':
        case 'if':
        case 'try':
        case 'try_table': {
          const kind = rule === 'block' ? Kind.Block : rule === 'loop' ? Kind.Loop : rule === 'if' ? Kind.If : rule === 'try' ? Kind.Try : Kind.TryTable;
          // try_table's catch labels are outside the block: resolve them before pushing
          const head = this.instructionText(dec);
          const label = this.newLabel();
          const rest = this.blockTypeText(dec) + (kind === Kind.TryTable ? this.catchesText(dec) : '');
          if (fold) {
            if (kind === Kind.If) text = `${indent(level)}(if ${label}${rest}\n${indent(level + 1)}(then`;
            else if (kind === Kind.Try) text = `${indent(level)}(try ${label}${rest}\n${indent(level + 1)}(do`;
            else text = `${indent(level)}(${head} ${label}${rest}`;
          } else if (bytes && !this.offsets) {
            bytes.spaces(2 * (level < MAX_INDENT_LEVELS ? level : MAX_INDENT_LEVELS));
            bytes.asciiBytes(spacedBytes(def));
            bytes.write(label);
            if (rest) bytes.write(rest);
            bytes.ascii(0x0a);
            this.push(kind, label, level + 1);
            if (this.map) this.map.add(lineStart, sink.written - 1, dec.offset, dec.pos);
            continue;
          } else text = `${indent(level)}${head} ${label}${rest}`;
          this.push(kind, label, fold && (kind === Kind.If || kind === Kind.Try) ? level + 2 : level + 1);
          break;
        }
        case 'else':
        case 'catch':
        case 'catch_all': {
          if (d === 0) {
            this.problem(dec.offset, `'${def.name}' at ${hex(dec.offset)} outside any block`);
            text = `${indent(level)};; ${def.name} (outside any block)`;
            break;
          }
          const outer = levels[d - 1] - (fold ? 2 : 1);
          const word = rule === 'catch' ? `catch ${this.index(this.ctx.names.tags, dec.idx)}` : def.name;
          text = fold ? `${indent(outer + 1)})\n${indent(outer + 1)}(${word}` : `${indent(outer)}${word}`;
          break;
        }
        case 'end': {
          if (d === 0) {
            ended = true;
            break;
          }
          const kind = kinds[d - 1];
          const outer = levels[d - 1] - (fold && (kind === Kind.If || kind === Kind.Try) ? 2 : 1);
          this.pop();
          if (bytes && !fold && !this.offsets) {
            bytes.spaces(2 * (outer < MAX_INDENT_LEVELS ? outer : MAX_INDENT_LEVELS));
            bytes.asciiBytes(END_LINE);
            if (this.map) this.map.add(lineStart, sink.written - 1, dec.offset, dec.pos);
            continue;
          }
          text = fold ? (kind === Kind.If || kind === Kind.Try ? `${indent(outer + 1)}))` : `${indent(outer)})`) : `${indent(outer)}end`;
          break;
        }
        case 'delegate': {
          if (d === 0 || kinds[d - 1] !== Kind.Try) {
            this.problem(dec.offset, `'delegate' at ${hex(dec.offset)} outside a try block`);
            text = `${indent(level)};; delegate (outside a try block)`;
            break;
          }
          const outer = levels[d - 1] - (fold ? 2 : 1);
          this.pop();
          const target = this.labelText(dec.idx);
          text = fold ? `${indent(outer + 1)})\n${indent(outer + 1)}(delegate ${target}))` : `${indent(outer)}delegate ${target}`;
          break;
        }
        default:
          if (def.imm === 'none' && !this.offsets) {
            if (bytes && !fold) {
              bytes.spaces(2 * (level < MAX_INDENT_LEVELS ? level : MAX_INDENT_LEVELS));
              bytes.asciiBytes(NAME_LINES[def.id] ??= Buffer.from(def.name + '\n', 'latin1'));
              if (this.map) this.map.add(lineStart, sink.written - 1, dec.offset, dec.pos);
              continue;
            }
            // the most common lines (`i32.add`, `drop`...) are made once per indentation level
            sink.write(this.plainLine(def, level));
            if (this.map) this.map.add(lineStart, sink.written - 1, dec.offset, dec.pos);
            continue;
          }
          if (bytes && !fold && !this.offsets) {
            // into bytes: the indentation, the name and immediate (strings made once), the newline;
            // no string is made for the line
            bytes.spaces(2 * (level < MAX_INDENT_LEVELS ? level : MAX_INDENT_LEVELS));
            this.writeInstruction(dec, bytes);
            bytes.ascii(0x0a);
            if (this.map) this.map.add(lineStart, sink.written - 1, dec.offset, dec.pos);
            continue;
          }
          text = fold ? `${indent(level)}(${this.instructionText(dec)})` : indent(level) + this.instructionText(dec);
      }
      if (ended) break;
      if (this.offsets) text += ` ;; @${hex(dec.offset)}`;
      sink.write(text + '\n');
      if (this.map) this.map.add(lineStart, sink.written - 1, dec.offset, dec.pos);
    }
    let ok = true;
    if (!ended) {
      ok = false;
      const at = dec.error ? dec.errorOffset : dec.pos;
      const why = dec.error ?? `the body ends at ${hex(dec.pos)} without its final 'end'`;
      this.problem(at, `function ${func}: ${why}`);
      sink.write(`${indent(this.depth === 0 ? base : levels[this.depth - 1])};; error @${hex(at)}: ${commentText(why)}; the rest of the body is not printed\n`);
    } else if (!dec.atEnd()) {
      ok = false;
      this.problem(dec.pos, `function ${func}: ${dec.r.end - dec.pos} bytes after the body's final 'end' at ${hex(dec.pos)}`);
      sink.write(`${indent(base)};; error @${hex(dec.pos)}: ${dec.r.end - dec.pos} bytes after the final 'end' are not printed\n`);
    }
    // close what is open, so the text still parses
    while (this.depth > 0) {
      const kind = kinds[this.depth - 1];
      const outer = levels[this.depth - 1] - (fold && (kind === Kind.If || kind === Kind.Try) ? 2 : 1);
      this.pop();
      sink.write(fold ? (kind === Kind.If || kind === Kind.Try ? `${indent(outer + 1)}))\n` : `${indent(outer)})\n`) : `${indent(outer)}end\n`);
    }
    return ok;
  }

  /** Lines of immediate-free instructions, by indentation level and instruction id. */
  private readonly plainLines: string[][] = [];

  private plainLine(def: InstructionDef, level: number): string {
    const l = level < MAX_INDENT_LEVELS ? level : MAX_INDENT_LEVELS;
    const row = (this.plainLines[l] ??= []);
    return (row[def.id] ??= flat(this.fold ? `${indent(l)}(${def.name})\n` : `${indent(l)}${def.name}\n`));
  }

  private push(kind: number, label: string, level: number): void {
    const d = this.depth++;
    this.kinds[d] = kind;
    this.labels[d] = label;
    this.levels[d] = level;
  }

  private pop(): void {
    this.depth--;
  }

  private newLabel(): string {
    const n = this.blockOrdinal++;
    const name = this.labelNames?.get(n);
    if (name !== undefined) {
      const id = labelId(name);
      if (id) return id;
    }
    return n < NUMBER_TEXTS ? (LABELS[n] ??= flat('$label' + n)) : '$label' + n;
  }

  /** A branch target by depth: the block's label, or the depth itself for the function's own block. */
  private labelText(depth: number): string {
    const d = this.depth;
    if (depth >= d) return String(depth);
    const label = this.labels[d - 1 - depth];
    if (this.labelIdsFromNames) {
      // a name-section label may repeat an inner one's name: then only the depth is right
      for (let k = d - depth; k < d; k++) if (this.labels[k] === label) return String(depth);
    }
    return label;
  }

  private index(ids: IdMap, i: number): string {
    return ids.size ? (ids.get(i) ?? String(i)) : String(i);
  }

  private blockTypeText(dec: CodeDecoder): string {
    if (dec.blockKind === BlockKind.Empty) return '';
    if (dec.blockKind === BlockKind.Value) return ` (result ${valTypeText(dec.blockValue, this.ctx.names.types)})`;
    return ` (type ${this.index(this.ctx.names.types, dec.blockValue)})`;
  }

  private catchesText(dec: CodeDecoder): string {
    let s = '';
    for (let i = 0; i < dec.catchCount; i++) {
      const k = dec.catchKinds[i];
      // the catch labels count from outside the try_table (not pushed yet when this runs)
      const target = this.labelText(dec.catchLabels[i]);
      if (k === 0) s += ` (catch ${this.index(this.ctx.names.tags, dec.catchTags[i])} ${target})`;
      else if (k === 1) s += ` (catch_ref ${this.index(this.ctx.names.tags, dec.catchTags[i])} ${target})`;
      else if (k === 2) s += ` (catch_all ${target})`;
      else s += ` (catch_all_ref ${target})`;
    }
    return s;
  }

  /**
   * `instructionText(dec)` written to the sink in pieces: the frequent instructions as their name and
   * immediate (strings made once: names, ids, small numbers), the others as their text.
   */
  private writeInstruction(dec: CodeDecoder, sink: ByteSink): void {
    const def = dec.def;
    const names = this.ctx.names;
    switch (def.imm) {
      case 'local':
        if (this.localIds.size === 0) {
          sink.asciiBytes(spacedBytes(def));
          return sink.asciiBytes(numberBytes(dec.idx));
        }
        sink.asciiBytes(spacedBytes(def));
        return sink.write(this.index(this.localIds, dec.idx));
      case 'func':
        sink.asciiBytes(spacedBytes(def));
        return this.writeIndex(sink, names.funcs, this.funcIds, dec.idx);
      case 'global':
        sink.asciiBytes(spacedBytes(def));
        return this.writeIndex(sink, names.globals, this.globalIds, dec.idx);
      case 'label':
        sink.asciiBytes(spacedBytes(def));
        return sink.write(this.labelText(dec.idx));
      case 'i32':
        sink.asciiBytes(spacedBytes(def));
        if (dec.i32Value >= 0) return sink.asciiBytes(numberBytes(dec.i32Value));
        return sink.write(String(dec.i32Value));
      case 'memarg':
        sink.asciiBytes(nameBytes(def));
        if (dec.memory === 0 && dec.align === def.align) {
          if (dec.memOffset === 0) return;
          if (dec.memOffset <= Number.MAX_SAFE_INTEGER) {
            sink.asciiBytes(OFFSET_EQ);
            return sink.asciiBytes(numberBytes(dec.memOffset));
          }
        }
        return sink.write(this.memargText(dec, def));
      default:
        return sink.write(this.instructionText(dec));
    }
  }

  /** The bytes of the module-wide ids of functions and globals, made once each (they are written once per reference). */
  private readonly funcIds: (Uint8Array | undefined)[] = [];
  private readonly globalIds: (Uint8Array | undefined)[] = [];

  private writeIndex(sink: ByteSink, ids: IdMap, cache: (Uint8Array | undefined)[], i: number): void {
    if (ids.size === 0) return sink.asciiBytes(numberBytes(i));
    let b = cache[i];
    if (b === undefined) {
      const text = ids.get(i) ?? String(i);
      // only ASCII is copied byte for byte (ids are escaped to ASCII: this is a guard)
      if (!/^[\x00-\x7f]*$/.test(text)) return sink.write(text);
      b = cache[i] = Buffer.from(text, 'latin1');
    }
    sink.asciiBytes(b);
  }

  /** The instruction's name and immediates (block types and labels of block instructions excluded). */
  instructionText(dec: CodeDecoder): string {
    const def = dec.def;
    const names = this.ctx.names;
    switch (def.imm) {
      case 'none':
      case 'zero_byte':
      case 'blocktype':
      case 'try_table':
        return def.name;
      case 'label':
        return `${def.name} ${this.labelText(dec.idx)}`;
      case 'br_table': {
        let s = def.name;
        for (let i = 0; i <= dec.targetCount; i++) s += ' ' + this.labelText(dec.targets[i]);
        return s;
      }
      case 'br_on_cast': {
        const src = refText(dec.heap0, (dec.castFlags & 1) !== 0, names.types);
        const dst = refText(dec.heap1, (dec.castFlags & 2) !== 0, names.types);
        return `${def.name} ${this.labelText(dec.idx)} ${src} ${dst}`;
      }
      case 'func':
        return `${def.name} ${this.index(names.funcs, dec.idx)}`;
      case 'call_indirect':
        return dec.idx2 === 0 ? `${def.name} (type ${this.index(names.types, dec.idx)})` : `${def.name} ${this.index(names.tables, dec.idx2)} (type ${this.index(names.types, dec.idx)})`;
      case 'type':
        return `${def.name} ${this.index(names.types, dec.idx)}`;
      case 'local':
        if (this.localIds.size === 0 && dec.idx < 64) return localText(def, dec.idx);
        return `${def.name} ${this.index(this.localIds, dec.idx)}`;
      case 'global':
        return `${def.name} ${this.index(names.globals, dec.idx)}`;
      case 'table':
        return `${def.name} ${this.index(names.tables, dec.idx)}`;
      case 'table_table':
        return `${def.name} ${this.index(names.tables, dec.idx)} ${this.index(names.tables, dec.idx2)}`;
      case 'elem_table':
        // binary: elemidx, tableidx; text: table.init tableidx elemidx
        return `${def.name} ${this.index(names.tables, dec.idx2)} ${this.index(names.elems, dec.idx)}`;
      case 'elem':
        return `${def.name} ${this.index(names.elems, dec.idx)}`;
      case 'data':
        return `${def.name} ${this.index(names.data, dec.idx)}`;
      case 'memory':
        return dec.idx === 0 ? def.name : `${def.name} ${this.index(names.memories, dec.idx)}`;
      case 'memory_memory':
        return dec.idx === 0 && dec.idx2 === 0 ? def.name : `${def.name} ${this.index(names.memories, dec.idx)} ${this.index(names.memories, dec.idx2)}`;
      case 'data_memory':
        // binary: dataidx, memidx
        return dec.idx2 === 0 ? `${def.name} ${this.index(names.data, dec.idx)}` : `${def.name} ${this.index(names.memories, dec.idx2)} ${this.index(names.data, dec.idx)}`;
      case 'memarg':
        return def.name + this.memargText(dec, def);
      case 'memarg_lane':
        return `${def.name}${this.memargText(dec, def)} ${dec.lane}`;
      case 'lane':
        return `${def.name} ${dec.lane}`;
      case 'shuffle': {
        const at = dec.pos - 16;
        let s = def.name;
        for (let i = 0; i < 16; i++) s += ' ' + this.ctx.bytes[at + i];
        return s;
      }
      case 'i32':
        return `${def.name} ${dec.i32Value}`;
      case 'i64':
        return `${def.name} ${sleb64Text(this.ctx.bytes, immediateStart(dec), dec.pos)}`;
      case 'f32':
        return `${def.name} ${f32Text(this.ctx.bytes, dec.pos - 4)}`;
      case 'f64':
        return `${def.name} ${f64Text(this.ctx.bytes, dec.pos - 8)}`;
      case 'v128':
        return `${def.name} ${v128Text(this.ctx.bytes, dec.pos - 16)}`;
      case 'valtypes': {
        let s = def.name + ' (result';
        for (let i = 0; i < dec.valtypes.length; i++) s += ' ' + valTypeText(dec.valtypes[i], names.types);
        return s + ')';
      }
      case 'heaptype':
        if (def.nullable !== undefined) return `${def.name} ${refText(dec.heap0, def.nullable, names.types)}`;
        return `${def.name} ${heapText(dec.heap0, names.types)}`;
      case 'type_field':
        return `${def.name} ${this.index(names.types, dec.idx)} ${this.index(names.fields(dec.idx), dec.idx2)}`;
      case 'type_u32':
        return `${def.name} ${this.index(names.types, dec.idx)} ${dec.idx2}`;
      case 'type_data':
        return `${def.name} ${this.index(names.types, dec.idx)} ${this.index(names.data, dec.idx2)}`;
      case 'type_elem':
        return `${def.name} ${this.index(names.types, dec.idx)} ${this.index(names.elems, dec.idx2)}`;
      case 'type_type':
        return `${def.name} ${this.index(names.types, dec.idx)} ${this.index(names.types, dec.idx2)}`;
      case 'type_tag':
        return `${def.name} ${this.index(names.types, dec.idx)} ${this.index(names.tags, dec.idx2)}`;
      case 'tag':
        return `${def.name} ${this.index(names.tags, dec.idx)}`;
      case 'resume':
      case 'resume_throw':
        return this.resumeText(dec, def);
    }
  }

  private memargText(dec: CodeDecoder, def: InstructionDef): string {
    let s = dec.memory === 0 ? '' : ' ' + this.index(this.ctx.names.memories, dec.memory);
    if (dec.memOffset !== 0) s += ' offset=' + (dec.memOffset <= Number.MAX_SAFE_INTEGER ? dec.memOffset : exactOffset(dec));
    if (dec.align !== def.align) s += ' align=' + (2n ** BigInt(dec.align)).toString();
    return s;
  }

  /** resume/resume_throw: the decoder skips the handlers, read again here. */
  private resumeText(dec: CodeDecoder, def: InstructionDef): string {
    const names = this.ctx.names;
    const r = new ByteReader(this.ctx.bytes, immediateStart(dec), dec.pos);
    let s = `${def.name} ${this.index(names.types, r.u32())}`;
    if (def.imm === 'resume_throw') s += ' ' + this.index(names.tags, r.u32());
    const n = r.u32();
    for (let i = 0; i < n; i++) {
      const kind = r.u8();
      const tag = this.index(names.tags, r.u32());
      s += kind === 0 ? ` (on ${tag} ${this.labelText(r.u32())})` : ` (on ${tag} switch)`;
    }
    return s;
  }

  private problem(offset: number, message: string): void {
    this.problems.push({ offset, message });
  }
}

/** Each instruction's name and a newline as bytes, made once (immediate-free lines into a `ByteSink`). */
const NAME_LINES: Uint8Array[] = [];
/** Each instruction's name, and its name and a space, as bytes, made once. */
const NAME_BYTES: Uint8Array[] = [];
const SPACED_BYTES: Uint8Array[] = [];
function nameBytes(def: InstructionDef): Uint8Array {
  return (NAME_BYTES[def.id] ??= Buffer.from(def.name, 'latin1'));
}
function spacedBytes(def: InstructionDef): Uint8Array {
  return (SPACED_BYTES[def.id] ??= Buffer.from(def.name + ' ', 'latin1'));
}
const OFFSET_EQ = Buffer.from(' offset=', 'latin1');
const END_LINE = Buffer.from('end\n', 'latin1');
/** Decimal digits of a number >= 0 as bytes (made once for the small ones). */
const NUMBER_BYTES: Uint8Array[] = [];
function numberBytes(n: number): Uint8Array {
  if (n < 65_536) return (NUMBER_BYTES[n] ??= Buffer.from(String(n), 'latin1'));
  return Buffer.from(String(n), 'latin1');
}

/**
 * The same text as one flat string: a string made by `+` or a template is a rope of its parts, which
 * every later copy of it (a sink's buffer, a join) walks again; a text kept to be written many times is
 * flattened once.
 */
export function flat(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf8').toString('utf8');
}

/** `$label0`... made once for the first blocks of a function (flat strings: sinks copy them as they are). */
const NUMBER_TEXTS = 4096;
const LABELS: string[] = [];

/** `local.get 3` and the like for the first locals, made once (the most frequent instructions with an immediate). */
const LOCAL_TEXT: string[][] = [];
function localText(def: InstructionDef, i: number): string {
  const row = (LOCAL_TEXT[def.id] ??= []);
  return (row[i] ??= flat(`${def.name} ${i}`));
}

/** Where an instruction's immediates start (after its opcode, and the LEB128 sub-opcode of a prefix). */
function immediateStart(dec: CodeDecoder): number {
  let p = dec.offset + 1;
  if (dec.def.prefix !== 0) {
    const bytes = dec.r.bytes;
    while (bytes[p] & 0x80) p++;
    p++;
  }
  return p;
}

/** A memarg's offset above 2^53, read again exactly (the decoder keeps a number). */
function exactOffset(dec: CodeDecoder): string {
  const bytes = dec.r.bytes;
  let p = immediateStart(dec);
  const flags = bytes[p] & 0x7f; // at most 0x7f: the decoder checked
  p++;
  if (flags & 0x40) {
    while (bytes[p] & 0x80) p++;
    p++;
  }
  let v = 0n;
  let shift = 0n;
  for (; p < dec.pos; p++) {
    v |= BigInt(bytes[p] & 0x7f) << shift;
    shift += 7n;
    if ((bytes[p] & 0x80) === 0) break;
  }
  return BigInt.asUintN(64, v).toString();
}

/** A label's id from a name-section name (`$"..."` for odd names), or undefined for an empty one. */
function labelId(name: string): string | undefined {
  if (!name) return undefined;
  return /^[0-9A-Za-z!#$%&'*+\-./:<=>?@\\^_`|~]+$/.test(name) ? '$' + name : undefined;
}
