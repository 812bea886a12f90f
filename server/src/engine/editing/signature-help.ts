/**
 * Signature help on `call`, `return_call`, `call_ref`, `return_call_ref`, `call_indirect` and
 * `return_call_indirect`: the callee's parameters (names where the source gives them, and types) and,
 * in a folded call, the parameter the cursor is at (the operands written before it count).
 */
import type { WatDocument } from '../wat';
import type { FuncSig } from '../model';
import { TokenKind } from '../wat/lexer';
import { typeText } from '../wat/forms';
import { type List, type ModuleSyntax, type Node, headOf, isAtom, isList } from '../wat/syntax';
import { cursorAt, keywordOf } from './cursor';

export interface SignatureInfo {
  /** `(func $f (param $a i32) (param $b i64) (result i32))` */
  label: string;
  /** each parameter's text, as it appears in the label */
  params: string[];
  /** the parameter the cursor is at (undefined: the operands are on the stack before a flat call) */
  active: number | undefined;
  /** what is called: `call $f`, `call_indirect (type $t)` */
  callee: string;
}

const CALLS = new Set(['call', 'return_call', 'call_ref', 'return_call_ref', 'call_indirect', 'return_call_indirect']);

/** Params `(param $a i32)` / `(param i32 i64)` of a function or type list, flattened to [name?, type]. */
function paramsOf(text: string, l: List | undefined): { name?: string; type: string }[] {
  const out: { name?: string; type: string }[] = [];
  if (!l) return out;
  const visit = (n: List) => {
    for (const c of n.children) {
      if (!isList(c)) continue;
      const h = headOf(c);
      if (h === 'func' || h === 'sub' || h === 'type') visit(c);
      else if (h === 'param') {
        const kids = c.children.slice(1);
        const id = isAtom(kids[0]) && kids[0].token === TokenKind.Id ? kids[0].text : undefined;
        for (const k of kids) if (!(isAtom(k) && k.token === TokenKind.Id)) out.push({ name: id, type: typeText(text, k) });
      }
    }
  };
  visit(l);
  return out;
}

function withSig(names: { name?: string; type: string }[], sig: FuncSig | undefined): { name?: string; type: string }[] {
  if (!sig) return names;
  return sig.params.map((type, i) => ({ name: names[i]?.name, type }));
}

function render(head: string, params: { name?: string; type: string }[], results: string[]): { label: string; params: string[] } {
  const parts = params.map((p) => `(param${p.name ? ' ' + p.name : ''} ${p.type})`);
  let label = `(${head}`;
  const out: string[] = [];
  for (const p of parts) {
    label += ' ';
    out.push(p);
    label += p;
  }
  if (results.length) label += ` (result ${results.join(' ')})`;
  return { label: label + ')', params: out };
}

function typeDef(m: ModuleSyntax, ref: string) {
  return m.defs.type.find((d) => d.id === ref || String(d.index) === ref);
}

export function signatureHelpAt(doc: WatDocument, offset: number): SignatureInfo | undefined {
  const c = cursorAt(doc, offset);
  const m = c.module;
  if (!m || !c.func || !c.list) return undefined;
  const kids = c.list.children;
  // folded: the list's head is the call; flat: the nearest call atom before the cursor in the list, with its immediates
  let at = -1;
  const folded = CALLS.has(headOf(c.list) ?? '');
  if (folded) at = 0;
  else {
    for (let i = c.before.length - 1; i >= 0 && i >= c.before.length - 4; i--) {
      if (CALLS.has(keywordOf(c.before[i]) ?? '')) {
        at = kids.indexOf(c.before[i]);
        break;
      }
    }
  }
  if (at < 0) return undefined;
  const op = (kids[at] as Node & { text: string }).text;
  let j = at + 1;
  let params: { name?: string; type: string }[] = [];
  let results: string[] = [];
  let callee = op;
  const model = m.model;
  if (op === 'call' || op === 'return_call') {
    const ref = kids[j];
    if (!isAtom(ref) || (ref.token !== TokenKind.Id && ref.token !== TokenKind.Int)) return undefined;
    j++;
    callee = `${op} ${ref.text}`;
    const def = m.defs.func.find((d) => d.id === ref.text || String(d.index) === ref.text);
    if (!def) return undefined;
    const sig = model?.funcs[def.index]?.sig;
    const syntax = m.funcs.find((f) => f.def === def);
    const declared = syntax ? paramsOf(doc.text, syntax.node) : paramsOf(doc.text, def.span as List);
    params = withSig(declared, sig);
    results = sig?.results ?? [];
  } else {
    // call_ref $t; call_indirect $table? (type $t)? (param ...)* (result ...)*
    let typeRef: string | undefined;
    if (op === 'call_ref' || op === 'return_call_ref') {
      const ref = kids[j];
      if (isAtom(ref) && (ref.token === TokenKind.Id || ref.token === TokenKind.Int)) {
        typeRef = ref.text;
        j++;
      }
    } else {
      if (isAtom(kids[j]) && ((kids[j] as Node & { token: TokenKind }).token === TokenKind.Id || (kids[j] as Node & { token: TokenKind }).token === TokenKind.Int)) j++;
      const inline: List = { type: 'list', children: [], closed: true, start: 0, end: 0 };
      for (; j < kids.length; j++) {
        const h = headOf(kids[j]);
        if (h === 'type') {
          const r = (kids[j] as List).children[1];
          typeRef = isAtom(r) ? r.text : undefined;
        } else if (h === 'param' || h === 'result') inline.children.push(kids[j]);
        else break;
      }
      if (typeRef === undefined) {
        params = paramsOf(doc.text, inline);
        for (const r of inline.children) if (headOf(r) === 'result') for (const t of (r as List).children.slice(1)) results.push(typeText(doc.text, t));
      }
    }
    if (typeRef !== undefined) {
      const def = typeDef(m, typeRef);
      if (!def) return undefined;
      const sig = model?.types[def.index]?.sig;
      params = withSig(paramsOf(doc.text, def.span as List), sig);
      results = sig?.results ?? [];
    }
    callee = typeRef !== undefined ? `${op} (type ${typeRef})` : op;
  }
  const { label, params: shown } = render('func', params, results);
  let active: number | undefined;
  if (folded) {
    // operands: the lists after the immediates that end before the cursor
    let given = 0;
    for (let k = j; k < kids.length; k++) if (isList(kids[k]) && kids[k].end <= c.wordStart) given++;
    active = params.length === 0 ? undefined : Math.min(given, params.length - 1);
    // call_indirect's last operand is the table index, call_ref's the reference: past the params
  }
  return { label, params: shown, active, callee };
}
