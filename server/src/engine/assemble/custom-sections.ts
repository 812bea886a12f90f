/**
 * `(@custom "name" (before|after place)? "bytes"*)` annotations -> custom sections, with where each
 * goes: before or after a section kind (`type`, `import`, `func`, `table`, `memory`, `global`, `export`,
 * `start`, `elem`, `code`, `data`, `datacount`, `tag`), `before first`, or `after last` (the default).
 */
import type { Span } from '../span';
import { decodeStringBytes, lex, TokenKind } from '../wat/lexer';
import type { ModuleSyntax } from '../wat/syntax';
import type { ModuleLayout } from './module-layout';

export interface CustomSection {
  name: string;
  bytes: Uint8Array;
  /** `before first`, `after last`, `before code`, ... */
  place: string;
  span: Span;
}

const PLACES = new Set(['type', 'import', 'func', 'table', 'memory', 'global', 'export', 'start', 'elem', 'code', 'data', 'datacount', 'tag']);

export function customSections(
  text: string,
  mod: ModuleSyntax,
  annotations: { span: Span; nameStart: number; nameEnd: number }[],
  layout: ModuleLayout,
): CustomSection[] {
  const out: CustomSection[] = [];
  const from = mod.node.start;
  const to = mod.node.end;
  for (const a of annotations) {
    if (a.span.start < from || a.span.end > to) continue;
    if (a.nameStart < 0) {
      layout.error('expected the custom section name', a.span, 'wat-bad-annotation');
      continue;
    }
    const name = Buffer.from(decodeStringBytes(text, a.nameStart, a.nameEnd)).toString('utf8');
    // the tokens after the name: an optional (before|after X), then strings
    const ts = lex(text, a.nameEnd, a.span.end - 1);
    let place = 'after last';
    const parts: Uint8Array[] = [];
    let ok = true;
    for (let t = 0; t < ts.count; t++) {
      const k = ts.kinds[t];
      if (k === TokenKind.LParen) {
        const w1 = text.slice(ts.starts[t + 1], ts.ends[t + 1]);
        const w2 = text.slice(ts.starts[t + 2], ts.ends[t + 2]);
        const closes = ts.kinds[t + 3] === TokenKind.RParen;
        if ((w1 === 'before' || w1 === 'after') && closes && (PLACES.has(w2) || (w1 === 'before' && w2 === 'first') || (w1 === 'after' && w2 === 'last'))) {
          place = `${w1} ${w2}`;
          t += 3;
          continue;
        }
        ok = false;
        layout.error('malformed custom section placement', { start: ts.starts[t], end: ts.ends[t] }, 'wat-bad-annotation');
        break;
      } else if (k === TokenKind.String) {
        parts.push(decodeStringBytes(text, ts.starts[t], ts.ends[t]));
      } else {
        ok = false;
        layout.error('expected a string in the custom section', { start: ts.starts[t], end: ts.ends[t] }, 'wat-bad-annotation');
        break;
      }
    }
    if (!ok) continue;
    const n = parts.reduce((s, p) => s + p.length, 0);
    const bytes = new Uint8Array(n);
    let p = 0;
    for (const b of parts) {
      bytes.set(b, p);
      p += b.length;
    }
    out.push({ name, bytes, place, span: a.span });
  }
  return out;
}
