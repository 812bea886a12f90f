/**
 * Instructions -> bytes, driven by the instruction set table (`isa/instruction-set.ts`) for opcodes
 * and by the text format's immediate shapes (`wat/instructions.ts`) for reading: folded and flat
 * forms, labels by `$id` or depth, block types (inline or implicit types), memargs, lanes, constants.
 *
 * One work stack of frames, no recursion per nesting level: a folded instruction pushes a frame for
 * its operands and writes its own bytes when that frame ends (`if`'s condition, `then` and `else`
 * arms, `try`'s `do`/`catch` arms and `block` bodies are frames too). Every instruction is entered in
 * the source map at the offset its opcode is written at.
 */
import { TokenKind } from '../wat/lexer';
import { idKey } from '../wat/forms';
import { intNumber as intNumberImport, intValue as intValueImport } from '../wat/numbers';
import { INSTRUCTIONS, V128_SHAPES, type Immediates } from '../wat/instructions';
import { BY_NAME, type InstructionDef } from '../isa/instruction-set';
import { type Atom, type List, type Node, headOf } from '../wat/syntax';
import { ByteWriter } from './byte-writer';
import { writeF32, writeF64 } from './float-literal';
import type { ModuleLayout } from './module-layout';
import type { SourceMap } from './source-map';

// Module constants for what the hot paths use from other modules: under per-file transpilation (the
// tests, the benchmark) an imported name is read through a getter at every use (see wat/parser.ts).
const T_ID = TokenKind.Id;
const T_INT = TokenKind.Int;
const T_KEYWORD = TokenKind.Keyword;
const intNumber = intNumberImport;
const intValue = intValueImport;

/** The frequent immediate shapes, encoded on the fast path of `plain` (a small switch the JIT optimizes early). */
export const enum Fast {
  Other = 0,
  None = 1,
  Local = 2,
  Global = 3,
  I32 = 4,
  Label = 5,
  Memarg = 6,
  Func = 7,
}

export interface OpInfo {
  imm: Immediates;
  fast: Fast;
  /** the opcode bytes of each encoding (two for select/ref.test/ref.cast) */
  op: Uint8Array;
  def: InstructionDef;
  alt?: { op: Uint8Array; def: InstructionDef };
}

function opBytes(d: InstructionDef): Uint8Array {
  const w = new ByteWriter(6);
  if (d.prefix !== 0) {
    w.u8(d.prefix);
    w.u32(d.code);
  } else w.u8(d.code);
  return w.toBytes();
}

/** Text name -> immediates shape and opcode bytes. */
export const OPS = new Map<string, OpInfo>();
for (const [name, info] of INSTRUCTIONS) {
  const defs = BY_NAME.get(name);
  if (!defs) continue;
  const fast =
    info.imm === 'none' && defs[0].imm === 'none' ? Fast.None
    : info.imm === 'local' ? Fast.Local
    : info.imm === 'global' ? Fast.Global
    : info.imm === 'i32' ? Fast.I32
    : info.imm === 'label' && name !== 'delegate' ? Fast.Label
    : info.imm === 'memarg' ? Fast.Memarg
    : info.imm === 'func' ? Fast.Func
    : Fast.Other;
  const e: OpInfo = { imm: info.imm, fast, op: opBytes(defs[0]), def: defs[0] };
  if (defs.length > 1) e.alt = { op: opBytes(defs[1]), def: defs[1] };
  OPS.set(name, e);
}

const END = Uint8Array.of(0x0b);
const ELSE = Uint8Array.of(0x05);

interface Frame {
  nodes: Node[];
  i: number;
  /** process nodes[i..end) */
  end: number;
  /** bytes written when the frame is entered / left */
  pre: Uint8Array | undefined;
  post: Uint8Array | undefined;
  /** text span the post bytes are mapped to */
  postStart: number;
  postEnd: number;
  /** a label to push while the frame runs (undefined: none; null: unnamed) */
  label: string | null | undefined;
  /** `(delegate l)`: written when the frame ends, after its label is popped */
  delegate: Atom | undefined;
  entered: boolean;
  base: number;
}

function frame(nodes: Node[], i: number, end: number, label: string | null | undefined): Frame {
  return { nodes, i, end, pre: undefined, post: undefined, postStart: 0, postEnd: 0, label, delegate: undefined, entered: false, base: 0 };
}

export class InstructionEncoder {
  /** the function's locals by `$id` (empty in constant expressions) */
  locals = new Map<string, number>();
  private labels: (string | null)[] = [];
  /** the label opened by the last block instruction read */
  private opened: string | null | undefined;
  /** where folded instructions' own bytes are staged */
  private readonly stage = new ByteWriter(64);
  /** the blocks opened so far in this function (their index in the name section's label names) */
  blockCount = 0;
  /** named blocks of this function: block index -> name (without `$`), when any */
  labelNames: Map<number, string> | undefined;
  /** data segments used by memory.init/data.drop (the data count section is needed) */
  usesDataCount = false;

  constructor(
    private readonly layout: ModuleLayout,
    /** where instructions are entered (offsets: mapBase + position in the writer) */
    public map: SourceMap | undefined,
  ) {}

  /** added to the offsets entered in the source map (where `w`'s bytes will sit) */
  mapBase = 0;

  /** Encodes the instructions c[i..end) (a function body or a constant expression) into w, without the final `end`. */
  encode(w: ByteWriter, c: Node[], i: number, end = c.length): void {
    this.labels.length = 0;
    const stack: Frame[] = [frame(c, i, end, undefined)];
    const map = this.map;
    while (stack.length > 0) {
      const f = stack[stack.length - 1];
      if (!f.entered) {
        f.entered = true;
        f.base = this.labels.length;
        if (f.pre !== undefined) w.bytes(f.pre);
        if (f.label !== undefined) this.labels.push(f.label);
      }
      const nodes = f.nodes;
      let folded: List | undefined;
      while (f.i < f.end) {
        const n = nodes[f.i++];
        if (n.type === 'list') {
          folded = n;
          break;
        }
        if (map !== undefined) {
          const k = map.count;
          map.add(this.mapBase + w.len, n.start, n.end);
          f.i = this.plain(w, n, nodes, f.i, f.end);
          if (f.i > 0 && nodes[f.i - 1].end > n.end) map.ends[k] = nodes[f.i - 1].end;
        } else f.i = this.plain(w, n, nodes, f.i, f.end);
      }
      if (folded !== undefined) {
        this.folded(folded, stack);
        continue;
      }
      stack.pop();
      this.labels.length = f.base;
      if (f.post !== undefined) {
        if (map !== undefined) map.add(this.mapBase + w.len, f.postStart, f.postEnd);
        w.bytes(f.post);
      }
      if (f.delegate !== undefined) {
        w.u8(0x18);
        w.u32(this.label(f.delegate));
      }
    }
  }

  /** A plain instruction at atom `a` (its immediates follow in nodes); returns the next position. */
  private plain(w: ByteWriter, a: Atom, nodes: Node[], i: number, end: number): number {
    const info = a.token === T_KEYWORD ? OPS.get(a.text) : undefined;
    if (info === undefined) {
      this.layout.error(`unknown instruction '${a.text}'`, a, 'wat-unknown-instruction');
      return i;
    }
    const x = nodes[i];
    switch (info.fast) {
      case Fast.None:
        w.bytes(info.op);
        return i;
      case Fast.Local:
        w.u8(info.op[0]);
        w.u32(this.local(x, a));
        return i + 1;
      case Fast.Global:
      case Fast.Func:
        w.bytes(info.op);
        w.u32(this.layout.index(info.fast === Fast.Global ? 'global' : 'func', x, a));
        return i + 1;
      case Fast.I32:
        if (i < end && x.type === 'atom' && x.token === T_INT && x.end - x.start <= 15) {
          w.u8(0x41);
          w.s32(intNumber(this.layout.text, x.start, x.end));
          return i + 1;
        }
        break;
      case Fast.Label:
        w.bytes(info.op);
        w.u32(this.label(x));
        return i + 1;
      case Fast.Memarg:
        w.bytes(info.op);
        return this.memarg(w, info.def, nodes, i, end, false);
    }
    const next = this.instr(w, a, info, nodes, i, end);
    switch (info.imm) {
      case 'block':
      case 'try_table':
        this.labels.push(this.opened ?? null);
        break;
      case 'end': {
        // end/else/catch_all: an optional label that repeats the block's
        const id = nodes[next];
        const skip = next < end && id.type === 'atom' && id.token === T_ID ? 1 : 0;
        if (a.text === 'end') this.labels.pop();
        return next + skip;
      }
      case 'label':
        if (a.text === 'delegate') {
          // written by instr() after the label was resolved: delegate closes the try
        }
        break;
    }
    return next;
  }

  /** A folded instruction: pushes the frames of its parts. */
  private folded(l: List, stack: Frame[]): void {
    const c = l.children;
    const head = c[0];
    const name = head !== undefined && head.type === 'atom' ? head.text : undefined;
    const info = name !== undefined ? OPS.get(name) : undefined;
    if (info === undefined) {
      this.layout.error(name ? `unknown instruction '${name}'` : 'expected an instruction', head ?? l, 'wat-unknown-instruction');
      return;
    }
    const h = head as Atom;
    const s = this.stage;
    s.len = 0;
    const next = this.instr(s, h, info, c, 1, c.length);
    const immEnd = next > 1 ? c[next - 1].end : h.end;
    if (name === 'if') {
      let thenAt = -1;
      for (let k = next; k < c.length; k++) {
        if (headOf(c[k]) === 'then') {
          thenAt = k;
          break;
        }
      }
      const label = this.opened ?? null;
      const ifBytes = s.toBytes();
      const elseList = thenAt >= 0 && headOf(c[thenAt + 1]) === 'else' ? (c[thenAt + 1] as List) : undefined;
      const thenNodes = thenAt >= 0 ? (c[thenAt] as List).children : [];
      const fin = frame(c, 0, 0, undefined);
      fin.post = END;
      fin.postStart = l.start;
      fin.postEnd = l.end;
      stack.push(fin);
      if (elseList !== undefined) {
        const e = frame(elseList.children, 1, elseList.children.length, label);
        e.pre = ELSE;
        stack.push(e);
      }
      const t = frame(thenNodes, 1, thenNodes.length, label);
      t.pre = ifBytes;
      stack.push(t);
      // the `if` opcode is mapped by the condition frame's post
      const cond = frame(c, next, thenAt >= 0 ? thenAt : c.length, undefined);
      cond.post = new Uint8Array(0);
      cond.postStart = l.start;
      cond.postEnd = immEnd;
      stack.push(cond);
      return;
    }
    if (name === 'try') {
      const label = this.opened ?? null;
      const tryBytes = s.toBytes();
      const frames: Frame[] = [];
      let delegate: Atom | undefined;
      for (let k = next; k < c.length; k++) {
        const hh = headOf(c[k]);
        const cl = c[k] as List;
        if (hh === 'do') {
          const d = frame(cl.children, 1, cl.children.length, label);
          d.pre = tryBytes;
          frames.push(d);
        } else if (hh === 'catch') {
          const d = frame(cl.children, 2, cl.children.length, label);
          const b = new ByteWriter(6);
          b.u8(0x07);
          b.u32(this.layout.index('tag', cl.children[1], cl));
          d.pre = b.toBytes();
          frames.push(d);
        } else if (hh === 'catch_all') {
          const d = frame(cl.children, 1, cl.children.length, label);
          d.pre = Uint8Array.of(0x19);
          frames.push(d);
        } else if (hh === 'delegate') delegate = cl.children[1] as Atom;
      }
      if (frames.length === 0 || frames[0].pre !== tryBytes) {
        const d = frame(c, 0, 0, label);
        d.pre = tryBytes;
        frames.unshift(d);
      }
      const fin = frame(c, 0, 0, undefined);
      if (delegate !== undefined) fin.delegate = delegate;
      else fin.post = END;
      fin.postStart = l.start;
      fin.postEnd = l.end;
      stack.push(fin);
      for (let k = frames.length - 1; k >= 0; k--) stack.push(frames[k]);
      return;
    }
    if (info.imm === 'block' || info.imm === 'try_table') {
      // (block label? bt instr*): the opcode first, then the body, then end
      const body = frame(c, next, c.length, this.opened ?? null);
      body.pre = s.toBytes();
      body.post = END;
      body.postStart = l.start;
      body.postEnd = l.end;
      const opFrame = frame(c, 0, 0, undefined);
      opFrame.post = new Uint8Array(0);
      opFrame.postStart = l.start;
      opFrame.postEnd = immEnd;
      stack.push(body);
      stack.push(opFrame);
      return;
    }
    // (op imm* operand*): operands first
    const f = frame(c, next, c.length, undefined);
    f.post = s.toBytes();
    f.postStart = l.start;
    f.postEnd = immEnd;
    stack.push(f);
  }

  /** A label reference: depth, from a `$id` or a number. */
  private label(a: Node | undefined): number {
    if (a === undefined || a.type !== 'atom') {
      this.layout.error('expected a label', a ?? { start: 0, end: 0 });
      return 0;
    }
    if (a.token === T_ID) {
      const key = idKey(a.text);
      const labels = this.labels;
      for (let k = labels.length - 1; k >= 0; k--) if (labels[k] === key) return labels.length - 1 - k;
      this.layout.error(`unknown label ${a.text}`, a, 'wat-unknown-id');
      return 0;
    }
    return this.layout.uint(a);
  }

  private local(a: Node | undefined, at: Atom): number {
    if (a !== undefined && a.type === 'atom' && a.token === T_ID) {
      const v = this.locals.get(idKey(a.text));
      if (v === undefined) {
        this.layout.error(`unknown local ${a.text}`, a, 'wat-unknown-id');
        return 0;
      }
      return v;
    }
    if (a !== undefined && a.type === 'atom' && a.token === T_INT) return this.layout.uint(a);
    this.layout.error('expected a local index', a ?? at);
    return 0;
  }

  /**
   * Writes opcode and immediates of `op` (immediates read from c[i..end)); returns the next position.
   * Block instructions leave the label they open in `this.opened`.
   */
  private instr(w: ByteWriter, op: Atom, info: OpInfo, c: Node[], i: number, end: number): number {
    const L = this.layout;
    const t = L.text;
    switch (info.imm) {
      case 'none':
        w.bytes(info.op);
        if (info.def.imm === 'zero_byte') w.u8(0);
        return i;
      case 'local':
        w.u8(info.op[0]);
        w.u32(this.local(c[i], op));
        return i + 1;
      case 'global':
        w.u8(info.op[0]);
        w.u32(L.index('global', c[i], op));
        return i + 1;
      case 'i32': {
        w.u8(0x41);
        const a = c[i] as Atom;
        if (a === undefined || a.type !== 'atom' || a.token !== T_INT) {
          L.error(`expected an integer after ${op.text}`, a ?? op, 'wat-bad-number');
          w.u8(0);
          return a !== undefined && a.type === 'atom' && a.token !== T_KEYWORD ? i + 1 : i;
        }
        const v = a.end - a.start <= 15 ? intNumber(t, a.start, a.end) : Number(BigInt.asIntN(32, intValue(t, a.start, a.end)));
        w.s32(v);
        return i + 1;
      }
      case 'i64': {
        w.u8(0x42);
        const a = c[i] as Atom;
        if (a === undefined || a.type !== 'atom' || a.token !== T_INT) {
          L.error(`expected an integer after ${op.text}`, a ?? op, 'wat-bad-number');
          w.u8(0);
          return a !== undefined && a.type === 'atom' && a.token !== T_KEYWORD ? i + 1 : i;
        }
        if (a.end - a.start <= 15) {
          const v = intNumber(t, a.start, a.end);
          if (Number.isSafeInteger(v)) {
            w.sNum(v);
            return i + 1;
          }
        }
        w.s64(intValue(t, a.start, a.end));
        return i + 1;
      }
      case 'f32':
      case 'f64': {
        w.u8(info.op[0]);
        const a = c[i] as Atom;
        if (a === undefined || a.type !== 'atom' || (a.token !== T_INT && a.token !== TokenKind.Float)) {
          L.error(`expected a number after ${op.text}`, a ?? op, 'wat-bad-number');
          for (let k = info.imm === 'f32' ? 4 : 8; k > 0; k--) w.u8(0);
          return i;
        }
        if (info.imm === 'f32') writeF32(w, t, a.start, a.end);
        else writeF64(w, t, a.start, a.end);
        return i + 1;
      }
      case 'label':
        w.bytes(info.op);
        if (op.text === 'delegate') {
          // delegate closes its try: the label is resolved outside it
          this.labels.pop();
        }
        w.u32(this.label(c[i]));
        return i + 1;
      case 'memarg':
        w.bytes(info.op);
        return this.memarg(w, info.def, c, i, end, false);
      case 'memarg_lane': {
        w.bytes(info.op);
        i = this.memarg(w, info.def, c, i, end, true);
        return this.lane(w, c[i], op) ? i + 1 : i;
      }
      case 'block':
      case 'try_table': {
        w.u8(info.op[0]);
        let label: string | null = null;
        const id = c[i];
        if (i < end && id.type === 'atom' && id.token === T_ID) {
          label = idKey(id.text);
          i++;
          (this.labelNames ??= new Map()).set(this.blockCount, label.slice(1));
        }
        this.blockCount++;
        this.opened = label;
        i = L.blockType(w, c, i, op);
        if (info.imm === 'try_table') {
          let count = 0;
          const clauses = new ByteWriter(16);
          for (; i < end; i++) {
            const hh = headOf(c[i]);
            if (hh !== 'catch' && hh !== 'catch_ref' && hh !== 'catch_all' && hh !== 'catch_all_ref') break;
            const cc = (c[i] as List).children;
            count++;
            // labels of catch clauses are resolved outside the try_table
            if (hh === 'catch' || hh === 'catch_ref') {
              clauses.u8(hh === 'catch' ? 0 : 1);
              clauses.u32(L.index('tag', cc[1], c[i]));
              clauses.u32(this.label(cc[2]));
            } else {
              clauses.u8(hh === 'catch_all' ? 2 : 3);
              clauses.u32(this.label(cc[1]));
            }
          }
          w.u32(count);
          w.append(clauses);
        }
        return i;
      }
      case 'end':
        w.bytes(info.op);
        return i;
      case 'catch':
        w.u8(0x07);
        w.u32(L.index('tag', c[i], op));
        return i + 1;
      case 'br_table': {
        w.u8(0x0e);
        const first = i;
        while (i < end && L.isIndex(c[i])) i++;
        const n = i - first;
        if (n === 0) {
          L.error('br_table needs at least one label', c[i] ?? op);
          w.u8(0);
          w.u8(0);
          return i;
        }
        w.u32(n - 1);
        for (let k = first; k < i; k++) w.u32(this.label(c[k]));
        return i;
      }
      case 'func':
        w.bytes(info.op);
        w.u32(L.index('func', c[i], op));
        return i + 1;
      case 'call_indirect': {
        w.bytes(info.op);
        let table = 0;
        if (L.isIndex(c[i])) table = L.index('table', c[i++], op);
        const u = L.typeUse(c, i, op);
        w.u32(u.type);
        w.u32(table);
        return u.next;
      }
      case 'select': {
        if (headOf(c[i]) !== 'result') {
          w.u8(0x1b);
          return i;
        }
        w.u8(0x1c);
        const tw = new ByteWriter(8);
        const r = L.valTypeLists(tw, c, i, 'result');
        w.u32(r.count);
        w.append(tw);
        return r.next;
      }
      case 'table?':
      case 'memory?': {
        w.bytes(info.op);
        const space = info.imm === 'table?' ? 'table' : 'memory';
        if (L.isIndex(c[i])) {
          w.u32(L.index(space, c[i], op));
          return i + 1;
        }
        w.u8(0);
        return i;
      }
      case 'table2':
      case 'memory2': {
        w.bytes(info.op);
        const space = info.imm === 'table2' ? 'table' : 'memory';
        if (L.isIndex(c[i])) {
          w.u32(L.index(space, c[i], op));
          w.u32(L.index(space, c[i + 1], op));
          return i + 2;
        }
        w.u8(0);
        w.u8(0);
        return i;
      }
      case 'table.init':
      case 'memory.init': {
        w.bytes(info.op);
        const space = info.imm === 'table.init' ? 'table' : 'memory';
        const seg = info.imm === 'table.init' ? 'elem' : 'data';
        if (seg === 'data') this.usesDataCount = true;
        let target = 0;
        if (L.isIndex(c[i]) && L.isIndex(c[i + 1])) target = L.index(space, c[i++], op);
        w.u32(L.index(seg, c[i], op));
        w.u32(target);
        return i + 1;
      }
      case 'elem':
      case 'data':
        if (info.imm === 'data') this.usesDataCount = true;
        w.bytes(info.op);
        w.u32(L.index(info.imm, c[i], op));
        return i + 1;
      case 'lane':
        w.bytes(info.op);
        return this.lane(w, c[i], op) ? i + 1 : i;
      case 'shuffle':
        w.bytes(info.op);
        for (let k = 0; k < 16; k++) if (this.lane(w, c[i], op)) i++;
        return i;
      case 'v128': {
        w.bytes(info.op);
        const sh = c[i];
        const shape = sh !== undefined && sh.type === 'atom' ? V128_SHAPES[sh.text] : undefined;
        if (shape === undefined) {
          L.error('expected a v128 shape', sh ?? op);
          for (let k = 0; k < 16; k++) w.u8(0);
          return i;
        }
        i++;
        for (let k = 0; k < shape.lanes; k++) {
          const a = c[i];
          if (a === undefined || a.type !== 'atom' || (a.token !== T_INT && a.token !== TokenKind.Float)) {
            L.error(`expected ${shape.lanes} lanes`, a ?? op, 'wat-bad-number');
            for (let r = k * (shape.bits / 8); r < 16; r++) w.u8(0);
            return i;
          }
          i++;
          if (shape.kind === 'f') {
            if (shape.bits === 32) writeF32(w, t, a.start, a.end);
            else writeF64(w, t, a.start, a.end);
          } else if (a.token !== T_INT) {
            L.error('expected an integer lane', a, 'wat-bad-number');
            for (let r = 0; r < shape.bits / 8; r++) w.u8(0);
          } else {
            let v = intValue(t, a.start, a.end);
            for (let r = 0; r < shape.bits / 8; r++) {
              w.u8(Number(v & 0xffn));
              v >>= 8n;
            }
          }
        }
        return i;
      }
      case 'heaptype':
        w.bytes(info.op);
        L.heapType(w, c[i], op);
        return i + 1;
      case 'reftype': {
        // ref.test / ref.cast: the encoding depends on the nullability
        const n = c[i];
        let nullable = false;
        let heap: Node | undefined;
        if (headOf(n) === 'ref') {
          const rc = (n as List).children;
          nullable = rc[1] !== undefined && rc[1].type === 'atom' && (rc[1] as Atom).text === 'null';
          heap = rc[nullable ? 2 : 1];
          w.bytes(nullable ? info.alt!.op : info.op);
          L.heapType(w, heap, n!);
        } else if (n !== undefined && n.type === 'atom' && n.text.endsWith('ref')) {
          w.bytes(info.alt!.op);
          const ht = REF_HEAP[n.text];
          if (ht === undefined) L.error('expected a reference type', n);
          w.u8(ht ?? 0x70);
        } else {
          L.error(`expected a reference type after ${op.text}`, n ?? op);
          w.bytes(info.op);
          w.u8(0x70);
          return i;
        }
        return i + 1;
      }
      case 'br_on_cast': {
        w.bytes(info.op);
        const at = w.len;
        w.u8(0);
        w.u32(this.label(c[i]));
        let flags = 0;
        for (let k = 0; k < 2; k++) {
          const n = c[i + 1 + k];
          if (headOf(n) === 'ref') {
            const rc = (n as List).children;
            const nullable = rc[1] !== undefined && rc[1].type === 'atom' && (rc[1] as Atom).text === 'null';
            if (nullable) flags |= 1 << k;
            L.heapType(w, rc[nullable ? 2 : 1], n!);
          } else if (n !== undefined && n.type === 'atom' && REF_HEAP[n.text] !== undefined) {
            flags |= 1 << k;
            w.u8(REF_HEAP[n.text]);
          } else {
            L.error('expected a reference type', n ?? op);
            w.u8(0x70);
          }
        }
        w.buf[at] = flags;
        return i + 3;
      }
      case 'type':
        w.bytes(info.op);
        w.u32(L.index('type', c[i], op));
        return i + 1;
      case 'type_field': {
        w.bytes(info.op);
        const ti = L.index('type', c[i], op);
        w.u32(ti);
        const fa = c[i + 1];
        if (fa !== undefined && fa.type === 'atom' && fa.token === T_ID) {
          const fi = L.types[ti]?.fields?.get(idKey(fa.text));
          if (fi === undefined) L.error(`unknown field ${fa.text}`, fa, 'wat-unknown-id');
          w.u32(fi ?? 0);
        } else if (fa !== undefined && fa.type === 'atom' && fa.token === T_INT) w.u32(L.uint(fa));
        else {
          L.error('expected a field index', fa ?? op);
          w.u8(0);
        }
        return i + 2;
      }
      case 'type_u32': {
        w.bytes(info.op);
        w.u32(L.index('type', c[i], op));
        const n = c[i + 1];
        if (n !== undefined && n.type === 'atom' && n.token === T_INT) w.u32(L.uint(n));
        else {
          L.error('expected the element count', n ?? op);
          w.u8(0);
        }
        return i + 2;
      }
      case 'type_data':
      case 'type_elem':
      case 'type_type': {
        w.bytes(info.op);
        if (info.imm === 'type_data') this.usesDataCount = true;
        w.u32(L.index('type', c[i], op));
        w.u32(L.index(info.imm === 'type_data' ? 'data' : info.imm === 'type_elem' ? 'elem' : 'type', c[i + 1], op));
        return i + 2;
      }
      case 'tag':
        w.bytes(info.op);
        w.u32(L.index('tag', c[i], op));
        return i + 1;
      case 'resume':
      case 'resume_throw':
      case 'switch': {
        w.bytes(info.op);
        w.u32(L.index('type', c[i++], op));
        if (info.imm !== 'resume') w.u32(L.index('tag', c[i++], op));
        if (info.imm === 'switch') return i;
        const hs = new ByteWriter(8);
        let count = 0;
        for (; i < end && headOf(c[i]) === 'on'; i++) {
          const oc = (c[i] as List).children;
          count++;
          const tag = L.index('tag', oc[1], c[i]);
          if (oc[2] !== undefined && oc[2].type === 'atom' && (oc[2] as Atom).text === 'switch') {
            hs.u8(1);
            hs.u32(tag);
          } else {
            hs.u8(0);
            hs.u32(tag);
            hs.u32(this.label(oc[2]));
          }
        }
        w.u32(count);
        w.append(hs);
        return i;
      }
    }
    L.error(`cannot encode '${op.text}'`, op);
    return i;
  }

  /** `memidx? offset=N? align=N?` for instruction d. */
  private memarg(w: ByteWriter, d: InstructionDef, c: Node[], i: number, end: number, lane: boolean): number {
    const L = this.layout;
    const t = L.text;
    let mem = 0;
    const a0 = c[i];
    if (i < end && a0.type === 'atom' && (a0.token === T_ID || (a0.token === T_INT && (!lane || isMemargOrInt(c[i + 1]))))) {
      mem = L.index('memory', a0, a0);
      i++;
    }
    let offset: number | bigint = 0;
    let align = d.align ?? 0;
    let a = c[i];
    if (a !== undefined && a.type === 'atom' && a.token === T_KEYWORD && a.text.startsWith('offset=')) {
      const s = a.start + 7;
      offset = a.end - s <= 9 && a.text.indexOf('_') < 0 && a.text.indexOf('x') < 0 ? Number(a.text.slice(7)) : intValue(t, s, a.end);
      a = c[++i];
    }
    if (a !== undefined && a.type === 'atom' && a.token === T_KEYWORD && a.text.startsWith('align=')) {
      const v = Number(intValue(t, a.start + 6, a.end));
      align = Math.round(Math.log2(v));
      if (!Number.isFinite(align) || 2 ** align !== v) L.error(`alignment must be a power of two, got ${a.text.slice(6)}`, a, 'wat-bad-number');
      i++;
    }
    if (mem !== 0) {
      w.u32(align | 0x40);
      w.u32(mem);
    } else w.u32(align);
    if (typeof offset === 'number') w.u32(offset);
    else w.u64(offset);
    return i;
  }

  private lane(w: ByteWriter, a: Node | undefined, op: Atom): boolean {
    if (a === undefined || a.type !== 'atom' || a.token !== T_INT) {
      this.layout.error('expected a lane index', a ?? op, 'wat-bad-number');
      w.u8(0);
      return false;
    }
    const v = intNumber(this.layout.text, a.start, a.end);
    if (!(v >= 0 && v <= 255)) this.layout.error(`lane index '${a.text}' out of range`, a, 'wat-bad-number');
    w.u8(v & 0xff);
    return true;
  }
}

function isMemargOrInt(n: Node | undefined): boolean {
  return n !== undefined && n.type === 'atom' && (n.token === T_INT || n.text.startsWith('offset=') || n.text.startsWith('align='));
}

/** Shorthand reference types -> their heap type byte (all nullable). */
const REF_HEAP: Record<string, number> = {
  funcref: 0x70, externref: 0x6f, anyref: 0x6e, eqref: 0x6d, i31ref: 0x6c, structref: 0x6b, arrayref: 0x6a, exnref: 0x69,
  contref: 0x68, nullexnref: 0x74, nullfuncref: 0x73, nullexternref: 0x72, nullref: 0x71, nullcontref: 0x75,
};
