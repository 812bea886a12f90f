/**
 * Live type checking of an open WAT/WAST buffer, incremental per function.
 *
 *   const checker = new LiveTypeChecker();      // one per open buffer
 *   checker.check(doc)                          // -> EngineDiagnostic[] (on every change)
 *   checker.probe(doc, offset)                  // the instruction at `offset`: its type and the stack before it
 *
 * Per module (a `.wat`'s one; a `.wast` script's top-level modules, not those inside `assert_*`): none
 * when the parser found errors in it (its syntax errors are the parser's to report). Else the module is
 * assembled once and validated with every function body checked (one finding per invalid function, plus
 * the first module-level finding); the assembler's layout (index spaces, types) and the validator's
 * module context are kept. While the module-level fields stay the same (every non-function field is the
 * same tree node, every function's header the same text), an edit re-assembles and re-validates only the
 * functions whose tree node changed: the incremental reparse keeps the nodes of untouched fields
 * (shifted), and findings are cached per node relative to its start, as the lints' `cachedPerFunction`.
 * Findings are the validator's messages on the text of the instruction or item at fault.
 */
import type { EngineDiagnostic } from '../diagnostic';
import { parseWat, type WatDocument } from '../wat';
import { keepMaps } from '../jit';
import { TokenKind } from '../wat/lexer';
import { headOf, type List, type ModuleSyntax, type Node, type Root } from '../wat/syntax';
import { ModuleAssembler } from '../assemble/module-assembler';
import type { SourceMap } from '../assemble/source-map';
import type { CodeFinding, ModuleContext } from './context';
import type { FunctionValidator, StackProbe } from './function-validator';
import { validateWasmParts } from './module-validator';
import { SHAPES_MODULE, validateModule } from './wat';
import { tokensOf } from '../wat/tree-builder';

/** A finding relative to its field's start. */
interface Relative {
  start: number;
  end: number;
  d: EngineDiagnostic;
}

interface FunctionEntry {
  /** the node's start when the findings were computed */
  start: number;
  findings: EngineDiagnostic[];
}

interface ModuleState {
  /** the module's fields at the last check, and the text they were read from (see `sameFields`) */
  fields: List[];
  text: string;
  assembler: ModuleAssembler;
  /** undefined when the module-level fields are invalid (bodies are not checked then) */
  validator: FunctionValidator | undefined;
  context: ModuleContext | undefined;
  /** module-level findings: field ordinal and offsets relative to the field's start */
  moduleFindings: (Relative & { field: number })[];
  funcs: WeakMap<List, FunctionEntry>;
}

export interface InstructionProbe extends StackProbe {
  /** the instruction's text span */
  span: { start: number; end: number };
}

const FUNC_HEADER = new Set(['export', 'import', 'type', 'param', 'result']);

export class LiveTypeChecker {
  private states: (ModuleState | undefined)[] = [];
  /** quoted and binary modules: their findings by node, relative to its start */
  private readonly whole = new WeakMap<object, FunctionEntry>();

  check(doc: WatDocument): EngineDiagnostic[] {
    keepShapes();
    const { text, tree } = doc;
    const out: EngineDiagnostic[] = [];
    const modules = tree.modules;
    if (this.states.length > modules.length) this.states.length = modules.length;
    for (let k = 0; k < modules.length; k++) {
      const m = modules[k];
      if (m.form === 'instance' || hasSyntaxErrors(doc, m)) {
        this.states[k] = undefined;
        continue;
      }
      if (m.form === 'quote' || m.form === 'binary') {
        out.push(...cached(this.whole, m.node, () => validateModule(text, tree, m)));
        continue;
      }
      out.push(...this.checkModule(k, text, tree, m));
    }
    return out;
  }

  /**
   * The instruction at `offset` (the innermost one whose text contains it) in a function of a module
   * without syntax errors: its type and the operand stack before it, by validating its function up to it.
   */
  probe(doc: WatDocument, offset: number): InstructionProbe | undefined {
    const { text, tree } = doc;
    for (let k = 0; k < tree.modules.length; k++) {
      const m = tree.modules[k];
      if (m.form !== 'text' && m.form !== 'definition') continue;
      if (offset < m.node.start || offset > m.node.end) continue;
      const f = m.fields.find((x) => x.start <= offset && offset < x.end);
      if (!f || headOf(f) !== 'func' || hasSyntaxErrors(doc, m)) return undefined;
      this.checkModule(k, text, tree, m);
      const state = this.states[k];
      if (!state?.validator) return undefined;
      const body = state.assembler.functionBody(text, f, []);
      if (!body || body.typesAdded) return undefined;
      const at = innermost(body.map, offset);
      if (!at) return undefined;
      const p = state.validator.probeFunction(body.bytes, 0, body.bytes.length, body.type, at.offset);
      return p && { ...p, span: at.span };
    }
    return undefined;
  }

  /**
   * The operand stack after each instruction that ends inside `range` (for inlay hints), in the
   * functions of modules without syntax errors; none after an instruction that is invalid there. Each
   * instruction's stack comes from validating its function up to it, so this is for what is on screen.
   */
  stackTypes(doc: WatDocument, range: { start: number; end: number }, max = 500): { offset: number; types: number[] }[] {
    const { text, tree } = doc;
    const out: { offset: number; types: number[] }[] = [];
    for (let k = 0; k < tree.modules.length; k++) {
      const m = tree.modules[k];
      if (m.form !== 'text' && m.form !== 'definition') continue;
      if (range.end < m.node.start || range.start > m.node.end || hasSyntaxErrors(doc, m)) continue;
      this.checkModule(k, text, tree, m);
      const state = this.states[k];
      if (!state?.validator) continue;
      for (const f of m.fields) {
        if (headOf(f) !== 'func' || f.end < range.start || f.start > range.end) continue;
        const body = state.assembler.functionBody(text, f, []);
        if (!body || body.typesAdded) continue;
        const map = body.map;
        for (let i = 1; i < map.count - 1 && out.length < max; i++) {
          const start = map.starts[i];
          // a folded instruction runs at its closing parenthesis: the hint goes after the list
          const at = text[start] === '(' ? listEnd(f, start) : map.ends[i];
          if (at === undefined || at < range.start || at > range.end) continue;
          const p = state.validator.probeFunction(body.bytes, 0, body.bytes.length, body.type, map.offsets[i]);
          if (!p || p.error !== undefined || !p.params || !p.results) continue;
          out.push({ offset: at, types: [...p.stack.slice(0, p.stack.length - p.params.length), ...p.results] });
        }
      }
    }
    return out.sort((a, b) => a.offset - b.offset);
  }

  private checkModule(k: number, text: string, tree: Root, m: ModuleSyntax): EngineDiagnostic[] {
    let state = this.states[k];
    if (!state || !sameFields(state, text, m.fields)) {
      const built = build(text, tree, m);
      this.states[k] = state = built.state;
      return built.findings;
    }
    const out: EngineDiagnostic[] = [];
    const fields = m.fields;
    for (const r of state.moduleFindings) {
      const base = r.field < 0 ? 0 : fields[r.field].start;
      out.push({ ...r.d, span: { start: base + r.start, end: base + r.end } });
    }
    if (!state.validator) return out;
    for (const f of fields) {
      if (headOf(f) !== 'func') continue;
      const hit = state.funcs.get(f);
      if (hit) {
        out.push(...shifted(hit, f.start));
        continue;
      }
      const diagnostics: EngineDiagnostic[] = [];
      const body = state.assembler.functionBody(text, f, diagnostics);
      if (body?.typesAdded) {
        // a block type the module did not have: the module is assembled again
        const built = build(text, tree, m);
        this.states[k] = built.state;
        return built.findings;
      }
      const findings = diagnostics.length > 0 || !body ? diagnostics : functionFindings(state.validator, body);
      state.funcs.set(f, { start: f.start, findings });
      out.push(...findings);
    }
    return out;
  }
}

let shapesKept = false;

/**
 * The assembler's and the validator's objects are made per check and none outlives it: after a major
 * GC their shapes were gone, and with them the optimized code of the assembler and the validator (see
 * ../jit.ts), so the first check after a GC ran mostly in the interpreter (4x slower on a 14 MB module).
 * On the first check, a small module is checked and its checker kept for good.
 */
function keepShapes(): void {
  if (shapesKept) return;
  shapesKept = true;
  const checker = new LiveTypeChecker();
  checker.check(parseWat(SHAPES_MODULE));
  keepMaps(checker);
}

function functionFindings(validator: FunctionValidator, body: { bytes: Uint8Array; map: SourceMap; type: number }): EngineDiagnostic[] {
  const finding = validator.validateFunction(body.bytes, 0, body.bytes.length, body.type);
  if (!finding) return [];
  const span = body.map.spanAt(finding.offset) ?? { start: body.map.starts[0], end: body.map.ends[0] };
  const d = toDiagnostic(finding, span);
  const operand = operandAtFault(validator, body, finding);
  if (operand) d.related = [operand];
  return [d];
}

const MISMATCH = /expects \[([^\]]*)\] but the stack has \[([^\]]*)\]/;

/**
 * For "X expects [..] but the stack has [..]": the operand at fault (the rightmost whose type is not
 * the one expected) and where it was pushed.
 */
function operandAtFault(
  validator: FunctionValidator,
  body: { bytes: Uint8Array; map: SourceMap; type: number },
  finding: CodeFinding,
): { message: string; span: { start: number; end: number } } | undefined {
  const m = MISMATCH.exec(finding.message);
  if (!m) return undefined;
  const expected = m[1].split(' ').filter(Boolean);
  const found = m[2].split(' ').filter(Boolean);
  if (found.length === 0) return undefined;
  const origins = validator.operandOrigins(body.bytes, 0, body.bytes.length, body.type, finding.offset);
  if (!origins || origins.length < found.length) return undefined;
  const shift = expected.length - found.length;
  for (let j = found.length - 1; j >= 0; j--) {
    const want = expected[j + shift];
    if (want === undefined || want === found[j]) continue;
    const span = body.map.spanAt(origins[origins.length - found.length + j]);
    return span && { message: `this operand is ${found[j]}, not ${want}`, span };
  }
  return undefined;
}

function toDiagnostic(f: CodeFinding, span: { start: number; end: number }): EngineDiagnostic {
  return { code: f.malformed ? 'wasm-malformed' : 'wasm-invalid', severity: 'error', message: f.message, span, source: 'validator' };
}

/** Assembles and validates module `m` whole, keeping what checking its functions again needs. */
function build(text: string, tree: Root, m: ModuleSyntax): { state: ModuleState; findings: EngineDiagnostic[] } {
  const diagnostics: EngineDiagnostic[] = [];
  // no instruction entries in the module's map: a function's findings are located in its body alone
  // bodies from the parse's tokens where the token encoder takes them (a third of the tree encoder's time)
  const tokens = tokensOf(tree, text);
  const assembler = new ModuleAssembler(text, m, tree.customAnnotations, diagnostics, false, tokens && { tokens }, false);
  const fields = m.fields;
  const state: ModuleState = { fields: m.fields.slice(), text, assembler, validator: undefined, context: undefined, moduleFindings: [], funcs: new WeakMap() };
  let bytes: Uint8Array;
  let map: SourceMap;
  try {
    ({ bytes, map } = assembler.run());
  } catch (e) {
    const d: EngineDiagnostic = {
      code: 'wat-assemble',
      severity: 'error',
      message: `the assembler failed on this module: ${e instanceof Error ? e.message : String(e)}`,
      span: { start: m.node.start, end: m.node.end },
      source: 'wat-assembler',
    };
    return { state, findings: [d] };
  }
  // the assembler's errors: in a function's body they are that function's; elsewhere the module's
  const perFunc = new Map<List, EngineDiagnostic[]>();
  let moduleLevel = false;
  const place = (d: EngineDiagnostic): void => {
    moduleLevel = true;
    const i = fieldAt(fields, d.span.start);
    const at = i >= 0 ? fields[i] : fields[0];
    if (!at) {
      // a module without fields: nothing shifts before it
      state.moduleFindings.push({ field: -1, start: d.span.start, end: d.span.end, d });
      return;
    }
    state.moduleFindings.push({ field: Math.max(i, 0), start: d.span.start - at.start, end: d.span.end - at.start, d });
  };
  for (const d of diagnostics) {
    const i = fieldAt(fields, d.span.start);
    const f = i >= 0 ? fields[i] : undefined;
    if (f && headOf(f) === 'func' && d.span.start >= bodyStart(f)) {
      const list = perFunc.get(f) ?? [];
      list.push(d);
      perFunc.set(f, list);
    } else place(d);
  }
  if (!moduleLevel) {
    const parts = validateWasmParts(bytes);
    if (parts.finding) {
      const f = parts.finding;
      const span = map.spanAt(f.offset) ?? { start: m.node.start, end: m.node.end };
      place(toDiagnostic(f, span));
    }
    if (parts.complete) {
      for (const f of parts.functions) {
        const span = map.spanAt(f.offset);
        if (!span) continue;
        const i = fieldAt(fields, span.start);
        if (i < 0 || headOf(fields[i]) !== 'func') continue;
        const field = fields[i];
        if (perFunc.has(field)) continue;
        // checked again alone: the same finding, with the operand at fault found in its body's bytes
        const body = assembler.functionBody(text, field, []);
        const again = body && !body.typesAdded ? functionFindings(parts.validator, body) : [];
        perFunc.set(field, again.length > 0 ? again : [toDiagnostic(f, span)]);
      }
      // bodies assembled later may use the data count (memory.init, data.drop): the assembler writes one then
      parts.context.dataCount ??= m.defs.data.length;
      state.validator = parts.validator;
      state.context = parts.context;
      for (const f of fields) if (headOf(f) === 'func') state.funcs.set(f, { start: f.start, findings: perFunc.get(f) ?? [] });
    }
  }
  const findings: EngineDiagnostic[] = state.moduleFindings.map((r) => r.d);
  if (state.validator) for (const list of perFunc.values()) findings.push(...list);
  return { state, findings };
}

/**
 * The module-level fields are the same as at the last check: every non-function field the same node
 * (the incremental reparse keeps the nodes of untouched fields), every function the same node or one
 * with the same header (`$id`, exports, import, type use: a body edit keeps the index spaces). Only
 * the functions whose node changed have their header read. Remembers `fields` and `text` when so.
 */
function sameFields(state: ModuleState, text: string, fields: List[]): boolean {
  const before = state.fields;
  if (before.length !== fields.length) return false;
  for (let i = 0; i < fields.length; i++) {
    const a = before[i];
    const b = fields[i];
    if (a === b) continue;
    if (headOf(a) !== 'func' || headOf(b) !== 'func' || funcHeader(state.text, a) !== funcHeader(text, b)) return false;
  }
  state.fields = fields.slice();
  state.text = text;
  return true;
}

/** A function's header text (`$id`, exports, import, type use), empty without one. */
function funcHeader(text: string, f: List): string {
  const c = f.children;
  const end = headerEnd(c);
  return end > 1 ? text.slice(c[1].start, c[end - 1].end) : '';
}

function headerEnd(c: Node[]): number {
  let i = 1;
  const first = c[i];
  if (first !== undefined && first.type === 'atom' && first.token === TokenKind.Id) i++;
  while (i < c.length && FUNC_HEADER.has(headOf(c[i]) ?? '')) i++;
  return i;
}

/** Where a function's locals and instructions begin. */
function bodyStart(f: List): number {
  const c = f.children;
  const i = headerEnd(c);
  return i < c.length ? c[i].start : f.end;
}

/** The index of the field containing `offset` (fields are in text order), or -1. */
function fieldAt(fields: List[], offset: number): number {
  let lo = 0;
  let hi = fields.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const f = fields[mid];
    if (offset < f.start) hi = mid - 1;
    else if (offset >= f.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

function hasSyntaxErrors(doc: WatDocument, m: ModuleSyntax): boolean {
  const node = m.node;
  const end = Math.max(node.end, node.start + 1);
  return doc.diagnostics.some((d) => d.severity === 'error' && d.span.start >= node.start && d.span.start < end);
}

function shifted(entry: FunctionEntry, start: number): EngineDiagnostic[] {
  const d = start - entry.start;
  if (d === 0) return entry.findings;
  return entry.findings.map((f) => ({
    ...f,
    span: { start: f.span.start + d, end: f.span.end + d },
    ...(f.related ? { related: f.related.map((r) => (r.span ? { ...r, span: { start: r.span.start + d, end: r.span.end + d } } : r)) } : {}),
  }));
}

function cached(cache: WeakMap<object, FunctionEntry>, node: { start: number }, compute: () => EngineDiagnostic[]): EngineDiagnostic[] {
  const hit = cache.get(node);
  if (hit) return shifted(hit, node.start);
  const findings = compute();
  cache.set(node, { start: node.start, findings });
  return findings;
}

/** The innermost instruction whose text contains `offset`: its byte offset and span (entries 0 and last are the function and its `end`). */
/** The end of the list that starts at `start` inside `func` (an explicit walk down, no recursion). */
function listEnd(func: List, start: number): number | undefined {
  let children: Node[] = func.children;
  for (;;) {
    let next: List | undefined;
    for (const c of children) {
      if (c.type !== 'list' || start < c.start || start >= c.end) continue;
      if (c.start === start) return c.end;
      next = c;
      break;
    }
    if (!next) return undefined;
    children = next.children;
  }
}

function innermost(map: SourceMap, offset: number): { offset: number; span: { start: number; end: number } } | undefined {
  let best = -1;
  for (let k = 1; k < map.count - 1; k++) {
    const s = map.starts[k];
    const e = map.ends[k];
    if (s <= offset && offset < e && (best < 0 || e - s < map.ends[best] - map.starts[best])) best = k;
  }
  return best < 0 ? undefined : { offset: map.offsets[best], span: { start: map.starts[best], end: map.ends[best] } };
}
