/**
 * A local that is read but never set (no `local.set` or `local.tee` names it anywhere in its
 * function): every read sees its default value (zero, or null), which is rarely what was meant.
 */
import type { Definition, FuncSyntax, Reference } from '../wat/syntax';
import { cachedPerFunction, type Lint, type LintFinding } from './lint';
import { tokenBefore } from '../editing/tree-query';

export const localNeverSet: Lint = {
  name: 'local-never-set',
  description: 'a local that is read but never set, so every read gives its default value (0 or null)',
  defaultSeverity: 'hint',
  check: (doc, m) => {
    const byFunc = new Map<FuncSyntax, Reference[]>();
    for (const r of m.refs) {
      if (r.space !== 'local' || !r.func) continue;
      let list = byFunc.get(r.func);
      if (!list) byFunc.set(r.func, (list = []));
      list.push(r);
    }
    const out: LintFinding[] = [];
    for (const [f, refs] of byFunc) for (const x of cachedPerFunction('local-never-set', f.node, () => neverSet(doc.text, refs))) out.push(x);
    return out.sort((a, b) => a.span.start - b.span.start);
  },
};

function neverSet(text: string, refs: Reference[]): LintFinding[] {
  {
    const reads = new Map<Definition, { start: number; end: number }>();
    const written = new Set<Definition>();
    for (const r of refs) {
      const l = r.target;
      if (!l || l.keyword !== 'local') continue;
      const op = tokenBefore(text, r.span.start);
      if (op === 'local.set' || op === 'local.tee') written.add(l);
      else if (op === 'local.get' && !reads.has(l)) reads.set(l, { start: r.span.start, end: r.span.end });
    }
    const out: LintFinding[] = [];
    for (const [l, at] of reads) {
      if (written.has(l)) continue;
      out.push({ span: at, message: `local ${l.id ?? l.index} is read but never set: it is always ${/\bref\b|ref\b|funcref|externref|anyref/.test(l.valType ?? '') ? 'null' : '0'}` });
    }
    return out;
  }
}
