/**
 * WAT module syntax -> ModuleModel. Works from the module's fields (already checked by the parser)
 * and its definitions; tolerant of broken fields (it models what it can read).
 */
import {
  emptyModel, DEFAULT_PAGE_SIZE_LOG2,
  type ModuleModel, type FuncSig, type Limits, type ExternKind, type Feature, type ImportEntry,
} from '../model';
import type { Span } from '../span';
import { decodeString, stringByteLength, TokenKind } from './lexer';
import { intNumber } from './numbers';
import { idKey, readTypeUse, typeText } from './forms';
import type { InstrFeature } from './instructions';
import { type Atom, type List, type Node, type ModuleSyntax, headOf, isAtom, isList } from './syntax';

const EXTERN_KINDS = new Set(['func', 'table', 'memory', 'global', 'tag']);

function idOf(c: Node[], i: number): Atom | undefined {
  const a = c[i];
  return isAtom(a) && a.token === TokenKind.Id ? a : undefined;
}

function str(text: string, n: Node | undefined): string | undefined {
  return isAtom(n) && n.token === TokenKind.String ? decodeString(text, n.start, n.end) : undefined;
}

function readLimits(text: string, c: Node[], i: number, isMemory: boolean): { limits: Limits; span?: Span; next: number } {
  const limits: Limits = { min: 0, shared: false, index64: false, pageSizeLog2: isMemory ? DEFAULT_PAGE_SIZE_LOG2 : 0 };
  const start = c[i]?.start;
  let end: number | undefined;
  if (isAtom(c[i]) && ((c[i] as Atom).text === 'i64' || (c[i] as Atom).text === 'i32')) {
    limits.index64 = (c[i] as Atom).text === 'i64';
    end = c[i].end;
    i++;
  }
  if (isAtom(c[i]) && (c[i] as Atom).token === TokenKind.Int) {
    limits.min = intNumber(text, c[i].start, c[i].end);
    end = c[i].end;
    i++;
    if (isAtom(c[i]) && (c[i] as Atom).token === TokenKind.Int) {
      limits.max = intNumber(text, c[i].start, c[i].end);
      end = c[i].end;
      i++;
    }
  }
  if (isMemory) {
    if (isAtom(c[i]) && ((c[i] as Atom).text === 'shared' || (c[i] as Atom).text === 'unshared')) {
      limits.shared = (c[i] as Atom).text === 'shared';
      end = c[i].end;
      i++;
    }
    if (headOf(c[i]) === 'pagesize') {
      const p = (c[i] as List).children[1];
      if (isAtom(p) && p.token === TokenKind.Int) {
        const size = intNumber(text, p.start, p.end);
        if (size > 0 && Number.isInteger(Math.log2(size))) limits.pageSizeLog2 = Math.log2(size);
      }
      end = c[i].end;
      i++;
    }
  }
  return { limits, span: start !== undefined && end !== undefined ? { start, end } : undefined, next: i };
}

/**
 * Byte counts of data strings, per children array (a node's children never change once built, and
 * incremental reparsing keeps the nodes of untouched fields: their data is not decoded again).
 */
const dataBytesMemo = new WeakMap<Node[], { from: number; bytes: number }>();

function dataBytes(text: string, c: Node[], from: number): number {
  const memo = dataBytesMemo.get(c);
  if (memo !== undefined && memo.from === from) return memo.bytes;
  const bytes = countDataBytes(text, c, from);
  dataBytesMemo.set(c, { from, bytes });
  return bytes;
}

function countDataBytes(text: string, c: Node[], from: number): number {
  let n = 0;
  for (let i = from; i < c.length; i++) {
    const a = c[i];
    if (isAtom(a) && a.token === TokenKind.String) n += stringByteLength(text, a.start, a.end);
  }
  return n;
}

const FEATURE_MAP: Partial<Record<InstrFeature, Feature>> = {
  simd: 'simd',
  'relaxed-simd': 'relaxed-simd',
  threads: 'threads',
  exceptions: 'exceptions',
  gc: 'gc',
  'tail-call': 'tail-call',
  'bulk-memory': 'bulk-memory',
  'reference-types': 'reference-types',
  'function-references': 'function-references',
  'extended-const': 'extended-const',
};

export function buildModel(
  text: string,
  m: ModuleSyntax,
  seen: Set<InstrFeature>,
  customAnnotations: { span: Span; nameStart: number; nameEnd: number }[] = [],
): ModuleModel {
  const model = emptyModel('wat', { start: m.node.start, end: m.node.end });
  if (m.id) model.id = m.id;
  const features = new Set<Feature>();
  for (const f of seen) {
    const mapped = FEATURE_MAP[f];
    if (mapped) features.add(mapped);
  }
  const counts: Record<ExternKind, number> = { func: 0, table: 0, memory: 0, global: 0, tag: 0 };
  const spaceDefs = m.defs;
  const idMaps = new Map<string, Map<string, number>>();
  const resolve = (space: keyof typeof spaceDefs, a: Node | undefined): number => {
    if (!isAtom(a)) return -1;
    if (a.token === TokenKind.Int) return intNumber(text, a.start, a.end);
    let ids = idMaps.get(space);
    if (!ids) {
      ids = new Map();
      for (const d of spaceDefs[space]) if (d.id !== undefined && !ids.has(d.id)) ids.set(d.id, d.index);
      idMaps.set(space, ids);
    }
    return ids.get(idKey(a.text)) ?? -1;
  };
  const typeSig = (idx: number): FuncSig | undefined => model.types[idx]?.sig;
  const sigOf = (c: Node[], i: number): { sig: FuncSig; typeIndex?: number; next: number } => {
    const u = readTypeUse(text, c, i);
    if (u.sig.results.length > 1) features.add('multi-value');
    if (u.typeRef) {
      const ti = resolve('type', u.typeRef);
      const s = ti >= 0 ? typeSig(ti) : undefined;
      return { sig: u.explicit || !s ? u.sig : s, typeIndex: ti >= 0 ? ti : undefined, next: u.next };
    }
    return { sig: u.sig, next: u.next };
  };

  const addType = (t: List): void => {
    const c = t.children;
    const id = idOf(c, 1);
    let d: Node | undefined = c[id ? 2 : 1];
    if (headOf(d) === 'sub') {
      const s = (d as List).children;
      d = s.find((x, k) => k > 0 && isList(x));
    }
    const h = headOf(d);
    const kind = h === 'func' || h === 'struct' || h === 'array' || h === 'cont' ? h : 'other';
    const entry: ModuleModel['types'][number] = { index: model.types.length, kind, span: { start: t.start, end: t.end } };
    if (id) entry.id = idKey(id.text);
    if (kind === 'func') {
      entry.sig = readTypeUse(text, (d as List).children, 1).sig;
      if (entry.sig.results.length > 1) features.add('multi-value');
    }
    if (kind === 'struct' || kind === 'array') features.add('gc');
    model.types.push(entry);
  };

  const exportsOf = (f: List, kind: ExternKind, index: number): void => {
    for (let k = 1; k < f.children.length; k++) {
      const x = f.children[k];
      if (isAtom(x)) {
        if (x.token === TokenKind.Id && k === 1) continue;
        break;
      }
      const xh = headOf(x);
      if (xh === 'import') continue;
      if (xh !== 'export') break;
      const nameAtom = (x as List).children[1];
      const name = str(text, nameAtom);
      if (name === undefined) continue;
      model.exports.push({ name, kind, index, span: { start: x.start, end: x.end }, nameSpan: { start: nameAtom!.start, end: nameAtom!.end } });
    }
  };

  /** Describe an extern (imported or defined) from c[i..]. */
  const addExtern = (
    kind: ExternKind,
    f: List,
    c: Node[],
    i: number,
    id: string | undefined,
    imp: { clause: List; module: string; name: string } | undefined,
  ): void => {
    const index = counts[kind]++;
    const span = { start: f.start, end: f.end };
    const imported = imp ? { module: imp.module, name: imp.name } : undefined;
    let importEntry: ImportEntry | undefined;
    if (imp) {
      const cc = imp.clause.children;
      importEntry = { module: imp.module, name: imp.name, kind, index, span: { start: imp.clause.start, end: imp.clause.end } };
      if (id) importEntry.id = id;
      if (cc[1] && cc[2]) {
        importEntry.moduleSpan = { start: cc[1].start, end: cc[1].end };
        importEntry.nameSpan = { start: cc[2].start, end: cc[2].end };
      }
      model.imports.push(importEntry);
    }
    switch (kind) {
      case 'func': {
        const s = sigOf(c, i);
        const e: ModuleModel['funcs'][number] = { index, sig: s.sig, span };
        if (id) e.id = id;
        if (s.typeIndex !== undefined) e.typeIndex = s.typeIndex;
        if (imported) e.imported = imported;
        model.funcs.push(e);
        if (importEntry) {
          importEntry.sig = s.sig;
          if (s.typeIndex !== undefined) importEntry.typeIndex = s.typeIndex;
        }
        break;
      }
      case 'tag': {
        features.add('exceptions');
        const s = sigOf(c, i);
        const e: ModuleModel['tags'][number] = { index, span };
        if (id) e.id = id;
        if (s.typeIndex !== undefined) e.typeIndex = s.typeIndex;
        if (imported) e.imported = imported;
        model.tags.push(e);
        if (importEntry) {
          importEntry.sig = s.sig;
          if (s.typeIndex !== undefined) importEntry.typeIndex = s.typeIndex;
        }
        break;
      }
      case 'global': {
        const t = c[i];
        const mutable = headOf(t) === 'mut';
        const vt = mutable ? (t as List).children[1] : t;
        const valType = vt ? typeText(text, vt) : '?';
        const e: ModuleModel['globals'][number] = { index, valType, mutable, span };
        if (id) e.id = id;
        if (imported) e.imported = imported;
        model.globals.push(e);
        if (importEntry) importEntry.globalType = { valType, mutable };
        if (valType === 'v128') features.add('simd');
        break;
      }
      case 'memory': {
        let limits: Limits;
        let limitsSpan: Span | undefined;
        let j = i;
        const index64 = isAtom(c[j]) && (c[j] as Atom).text === 'i64';
        if (isAtom(c[j]) && ((c[j] as Atom).text === 'i64' || (c[j] as Atom).text === 'i32')) j++;
        if (!imp && headOf(c[j]) === 'data') {
          // (memory (data "...")): min = max = pages needed for the data
          const d = c[j] as List;
          const bytes = dataBytes(text, d.children, 1);
          const pages = Math.ceil(bytes / 65536);
          limits = { min: pages, max: pages, shared: false, index64, pageSizeLog2: DEFAULT_PAGE_SIZE_LOG2 };
          model.data.push({ index: model.data.length, mode: 'active', memory: index, size: bytes, span: { start: d.start, end: d.end } });
        } else {
          const r = readLimits(text, c, i, true);
          limits = r.limits;
          limitsSpan = r.span;
        }
        const e: ModuleModel['memories'][number] = { index, limits, span };
        if (limitsSpan) e.limitsSpan = limitsSpan;
        if (id) e.id = id;
        if (imported) e.imported = imported;
        model.memories.push(e);
        if (importEntry) importEntry.limits = limits;
        if (limits.shared) features.add('threads');
        if (limits.index64) features.add('memory64');
        if (limits.pageSizeLog2 !== DEFAULT_PAGE_SIZE_LOG2) features.add('custom-page-sizes');
        break;
      }
      case 'table': {
        let limits: Limits;
        let limitsSpan: Span | undefined;
        let refType = 'funcref';
        let j = i;
        const index64 = isAtom(c[j]) && (c[j] as Atom).text === 'i64';
        if (isAtom(c[j]) && ((c[j] as Atom).text === 'i64' || (c[j] as Atom).text === 'i32')) j++;
        if (!imp && c[j] && headOf(c[j + 1]) === 'elem') {
          refType = typeText(text, c[j]);
          const el = c[j + 1] as List;
          const n = elemCount(el.children, 1);
          limits = { min: n, max: n, shared: false, index64, pageSizeLog2: 0 };
          model.elems.push({ index: model.elems.length, mode: 'active', table: index, count: n, span: { start: el.start, end: el.end } });
        } else {
          const r = readLimits(text, c, i, false);
          limits = r.limits;
          limitsSpan = r.span;
          if (c[r.next]) refType = typeText(text, c[r.next]);
        }
        const e: ModuleModel['tables'][number] = { index, limits, refType, span };
        if (limitsSpan) e.limitsSpan = limitsSpan;
        if (id) e.id = id;
        if (imported) e.imported = imported;
        model.tables.push(e);
        if (importEntry) {
          importEntry.limits = limits;
          importEntry.refType = refType;
        }
        if (limits.index64) features.add('memory64');
        if (refType !== 'funcref') features.add('reference-types');
        break;
      }
    }
  };

  const elemCount = (c: Node[], i: number): number => {
    let n = 0;
    for (; i < c.length; i++) {
      const x = c[i];
      if (isAtom(x) && (x.token === TokenKind.Id || x.token === TokenKind.Int)) n++;
      else if (isList(x) && headOf(x) !== 'ref') n++;
    }
    return n;
  };

  for (const f of m.fields) {
    const h = headOf(f)!;
    const c = f.children;
    switch (h) {
      case 'type':
        addType(f);
        break;
      case 'rec':
        features.add('gc');
        for (let i = 1; i < c.length; i++) if (headOf(c[i]) === 'type') addType(c[i] as List);
        break;
      case 'import': {
        const module = str(text, c[1]);
        const name = str(text, c[2]);
        const d = c[3];
        const dh = headOf(d);
        if (module === undefined || name === undefined || !dh || !EXTERN_KINDS.has(dh)) break;
        const dc = (d as List).children;
        const id = idOf(dc, 1);
        addExtern(dh as ExternKind, f, dc, id ? 2 : 1, id ? idKey(id.text) : undefined, { clause: f, module, name });
        break;
      }
      case 'func':
      case 'table':
      case 'memory':
      case 'global':
      case 'tag': {
        const id = idOf(c, 1);
        let i = id ? 2 : 1;
        let imp: { clause: List; module: string; name: string } | undefined;
        for (; i < c.length; i++) {
          const xh = headOf(c[i]);
          if (xh === 'export') continue;
          if (xh === 'import') {
            const l = c[i] as List;
            const module = str(text, l.children[1]);
            const name = str(text, l.children[2]);
            if (module !== undefined && name !== undefined) imp = { clause: l, module, name };
            continue;
          }
          break;
        }
        const index = counts[h as ExternKind];
        addExtern(h as ExternKind, f, c, i, id ? idKey(id.text) : undefined, imp);
        exportsOf(f, h as ExternKind, index);
        break;
      }
      case 'export': {
        const name = str(text, c[1]);
        const d = c[2];
        const dh = headOf(d);
        if (name === undefined || !dh || !EXTERN_KINDS.has(dh)) break;
        const index = resolve(dh as ExternKind, (d as List).children[1]);
        model.exports.push({ name, kind: dh as ExternKind, index, span: { start: f.start, end: f.end }, nameSpan: { start: c[1].start, end: c[1].end } });
        break;
      }
      case 'start': {
        const index = resolve('func', c[1]);
        model.start = { func: index, span: { start: f.start, end: f.end } };
        break;
      }
      case 'elem': {
        const id = idOf(c, 1);
        let i = id ? 2 : 1;
        let mode: 'active' | 'passive' | 'declarative' = 'passive';
        let table: number | undefined;
        if (isAtom(c[i]) && (c[i] as Atom).text === 'declare') {
          mode = 'declarative';
          i++;
        } else {
          if (headOf(c[i]) === 'table') {
            table = resolve('table', (c[i] as List).children[1]);
            i++;
            mode = 'active';
          } else if (isAtom(c[i]) && ((c[i] as Atom).token === TokenKind.Int || (c[i] as Atom).token === TokenKind.Id)) {
            table = resolve('table', c[i]);
            i++;
            mode = 'active';
          }
          const o = c[i];
          if (headOf(o) === 'offset' || (isList(o) && headOf(o) !== 'item' && headOf(o) !== 'ref')) {
            mode = 'active';
            if (table === undefined) table = 0;
            i++;
          }
        }
        if (isAtom(c[i]) && ((c[i] as Atom).text === 'func' || (c[i] as Atom).token === TokenKind.Keyword)) i++;
        else if (headOf(c[i]) === 'ref') i++;
        const e: ModuleModel['elems'][number] = { index: model.elems.length, mode, count: elemCount(c, i), span: { start: f.start, end: f.end } };
        if (id) e.id = idKey(id.text);
        if (table !== undefined) e.table = table;
        model.elems.push(e);
        if (mode !== 'active') features.add('bulk-memory');
        break;
      }
      case 'data': {
        const id = idOf(c, 1);
        let i = id ? 2 : 1;
        let memory: number | undefined;
        let mode: 'active' | 'passive' = 'passive';
        if (headOf(c[i]) === 'memory') {
          memory = resolve('memory', (c[i] as List).children[1]);
          i++;
        } else if (isAtom(c[i]) && ((c[i] as Atom).token === TokenKind.Int || (c[i] as Atom).token === TokenKind.Id)) {
          memory = resolve('memory', c[i]);
          i++;
        }
        if (isList(c[i])) {
          mode = 'active';
          if (memory === undefined) memory = 0;
          i++;
        }
        const e: ModuleModel['data'][number] = { index: model.data.length, mode, size: dataBytes(text, c, i), span: { start: f.start, end: f.end } };
        if (id) e.id = idKey(id.text);
        if (memory !== undefined) e.memory = memory;
        model.data.push(e);
        if (mode === 'passive') features.add('bulk-memory');
        break;
      }
    }
  }
  for (const a of customAnnotations) {
    if (a.span.start < m.node.start || a.span.end > m.node.end) continue;
    const size = text.slice(a.nameEnd, a.span.end - 1).trim().length;
    model.customSections.push({ name: decodeString(text, a.nameStart, a.nameEnd), size, span: a.span });
  }
  if (model.memories.length > 1) features.add('multi-memory');
  if (model.types.some((t) => t.kind === 'cont')) features.add('function-references');
  model.features = [...features].sort();
  return model;
}
