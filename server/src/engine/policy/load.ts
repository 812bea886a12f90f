/**
 * Loading a policy: parse `wasm-warden.policy.json` (JSON with comments) against POLICY_DEFINITION,
 * with precise diagnostics in the policy text; find the policy file for a module; apply overrides.
 *
 * A partially wrong policy keeps its valid parts: a wrong value is dropped (its default applies) and
 * reported. `ok` tells whether the policy can be used as written (no error-severity diagnostics).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import type { EngineDiagnostic } from '../diagnostic';
import type { Span } from '../span';
import {
  DEFAULT_POLICY,
  OVERRIDABLE_SECTIONS,
  POLICY_DEFINITION,
  type DefNode,
  type EffectivePolicy,
  type Policy,
} from './definition';
import { checkGlob, matchGlob } from './glob';
import { firstTooDeep } from './json-depth';
import {
  POLICY_MAX_BYTES,
  POLICY_MAX_DEPTH,
  POLICY_MAX_DIAGNOSTICS,
  POLICY_MAX_GLOB_EXPANSION,
  POLICY_MAX_GLOBS,
  quoteForMessage,
} from './limits';
import { RULES } from './rules';

export const POLICY_FILE_NAME = 'wasm-warden.policy.json';

export interface ParsedPolicy {
  /** the policy (valid parts only); absent when the text is not JSON or not an object */
  policy?: Policy;
  diagnostics: EngineDiagnostic[];
  /** true when the text is a complete, valid policy (no error diagnostics): safe to put in force */
  ok: boolean;
}

/**
 * Parse and validate policy text. Never throws, and costs time and memory linear in the text: text
 * over POLICY_MAX_BYTES or nested deeper than POLICY_MAX_DEPTH is refused before it is parsed, globs
 * are held to POLICY_MAX_GLOBS and POLICY_MAX_GLOB_EXPANSION, and at most POLICY_MAX_DIAGNOSTICS
 * problems are listed (then one that counts the rest).
 */
export function parsePolicy(text: string): ParsedPolicy {
  const parsed = parseDefinedJson(text, POLICY_DEFINITION);
  return { ...(parsed.value !== undefined && { policy: parsed.value as Policy }), diagnostics: parsed.diagnostics, ok: parsed.ok };
}

/**
 * Parse and validate JSON text (with comments) against a definition of the policy's kind (the policy
 * itself, or the lock file of approved versions), within the policy's limits: what parsePolicy does for
 * any such file. `value` holds the valid parts; `ok` is false when there is an error diagnostic.
 */
export function parseDefinedJson(text: string, definition: DefNode, maxBytes = POLICY_MAX_BYTES): { value?: unknown; diagnostics: EngineDiagnostic[]; ok: boolean } {
  const parsed = parseDefinedJsonRaw(text, definition, maxBytes);
  return { ...(parsed.policy !== undefined && { value: parsed.policy }), diagnostics: parsed.diagnostics, ok: parsed.ok };
}

function parseDefinedJsonRaw(text: string, definition: DefNode, maxBytes = POLICY_MAX_BYTES): ParsedPolicy {
  if (text.length > maxBytes) {
    return { diagnostics: [policyTooLarge(text.length, 'characters')], ok: false };
  }
  if (text.trim() === '') {
    return { diagnostics: [diag('policy-syntax', 'The policy file is empty: expected a JSON object.', { start: 0, end: text.length })], ok: false };
  }
  const tooDeep = firstTooDeep(text, POLICY_MAX_DEPTH);
  if (tooDeep !== undefined) {
    const message = `The policy nests lists and objects more than ${POLICY_MAX_DEPTH} levels deep (the limit; a policy needs at most 6): it was not parsed.`;
    return { diagnostics: [diag('policy-too-deep', message, { start: tooDeep, end: tooDeep + 1 })], ok: false };
  }
  const diagnostics = new CappedDiagnostics();
  const errors = new CappedDiagnostics<ParseError>();
  let root: JsonNode | undefined;
  try {
    root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: false });
  } catch (err) {
    // not expected after the depth check; whatever it is, it is reported, not thrown
    diagnostics.push(diag('policy-syntax', `The policy could not be parsed: ${(err as Error).message}.`, { start: 0, end: 0 }));
    return finish(diagnostics, undefined);
  }
  for (const e of errors) {
    // clamped: the parser reports an unterminated comment as running one past the end
    const start = Math.min(e.offset, text.length);
    diagnostics.push(diag('policy-syntax', `JSON syntax error: ${describeParseError(printParseErrorCode(e.error))}`, {
      start,
      end: Math.min(start + Math.max(e.length, 0), text.length),
    }));
  }
  diagnostics.dropped += errors.dropped;
  diagnostics.droppedErrors += errors.dropped;
  if (!root) {
    if (errors.length === 0) diagnostics.push(diag('policy-syntax', 'The policy file is empty: expected a JSON object.', { start: 0, end: 0 }));
    return finish(diagnostics, undefined);
  }
  if (errors.length > 0) return finish(diagnostics, undefined);
  if (root.type !== 'object') {
    diagnostics.push(diag('policy-invalid', `The policy must be a JSON object, not ${jsonType(root)}.`, spanOf(root)));
    return finish(diagnostics, undefined);
  }
  const globs: GlobBudget = { count: 0, expansion: 0, over: false };
  const policy = (validate(root, definition, [], diagnostics, globs) ?? {}) as Policy;
  return finish(diagnostics, policy);
}

/** The diagnostic for a policy file over POLICY_MAX_BYTES (`size` in `unit`: bytes on disk, characters in an editor). */
export function policyTooLarge(size: number, unit: 'bytes' | 'characters'): EngineDiagnostic {
  const n = (x: number) => x.toLocaleString('en-US');
  const message = `The policy file is too large: ${n(size)} ${unit}, over the limit of ${n(POLICY_MAX_BYTES)} (1 MiB). It was not read.`;
  return diag('policy-too-large', message, { start: 0, end: 0 });
}

function finish(diagnostics: CappedDiagnostics, policy: Policy | undefined): ParsedPolicy {
  const out: EngineDiagnostic[] = [...diagnostics];
  const errors = diagnostics.droppedErrors > 0 || out.some((d) => d.severity === 'error');
  if (diagnostics.dropped > 0) {
    const message = `${diagnostics.dropped.toLocaleString('en-US')} more problems in this file are not listed (only the first ${POLICY_MAX_DIAGNOSTICS} are).`;
    out.push(diag('policy-more-problems', message, { start: 0, end: 0 }, undefined, diagnostics.droppedErrors > 0 ? 'error' : 'warning'));
  }
  return { ...(policy && { policy }), diagnostics: out, ok: policy !== undefined && !errors };
}

/**
 * A list that keeps its first POLICY_MAX_DIAGNOSTICS items and counts the rest: a hostile file can
 * hold a problem every few bytes.
 */
class CappedDiagnostics<T extends object = EngineDiagnostic> extends Array<T> {
  static get [Symbol.species]() {
    return Array;
  }
  dropped = 0;
  droppedErrors = 0;

  get full(): boolean {
    return this.length >= POLICY_MAX_DIAGNOSTICS;
  }

  countDropped(severity: string | undefined): void {
    this.dropped++;
    if (severity === 'error') this.droppedErrors++;
  }

  override push(...items: T[]): number {
    for (const item of items) {
      if (this.length < POLICY_MAX_DIAGNOSTICS) super.push(item);
      else this.countDropped((item as { severity?: string }).severity);
    }
    return this.length;
  }
}

/** Globs seen so far in one policy, against POLICY_MAX_GLOBS and POLICY_MAX_GLOB_EXPANSION. */
interface GlobBudget {
  count: number;
  expansion: number;
  /** a limit was crossed (and reported once): later globs are dropped unchecked */
  over: boolean;
}

/** The problem with a glob of the policy, or undefined; spends its share of the budget. */
function globProblem(pattern: string, kind: 'name' | 'path', budget: GlobBudget): { code: string; message: string; offset?: number } | undefined {
  if (budget.over) return { code: '', message: '' }; // already reported: dropped silently
  if (++budget.count > POLICY_MAX_GLOBS) {
    budget.over = true;
    return {
      code: 'policy-too-many-globs',
      message: `More than ${POLICY_MAX_GLOBS.toLocaleString('en-US')} glob patterns in one policy (the limit): this one and the rest are not used.`,
    };
  }
  const checked = checkGlob(pattern, kind);
  if ('error' in checked) {
    return { code: 'policy-bad-glob', message: `Bad pattern \`${quoteForMessage(pattern)}\`: ${checked.error.message}.`, offset: checked.error.offset };
  }
  budget.expansion += checked.expandedLength;
  if (budget.expansion > POLICY_MAX_GLOB_EXPANSION) {
    budget.over = true;
    const limit = POLICY_MAX_GLOB_EXPANSION.toLocaleString('en-US');
    return {
      code: 'policy-too-many-globs',
      message: `The policy's globs, with their \`{}\` alternatives written out, spell more than ${limit} characters (the limit): this one and the rest are not used.`,
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Validation against the definition

function validate(node: JsonNode, def: DefNode, at: string[], out: CappedDiagnostics, globs: GlobBudget): unknown {
  // no closures per node: a policy under the size limit can still hold hundreds of thousands of nodes
  const where = whereOf;
  switch (def.kind) {
    case 'boolean':
      return node.type === 'boolean' ? node.value : wrongTypeOf(node, at, out, 'true or false');
    case 'integer': {
      if (node.type !== 'number') return wrongTypeOf(node, at, out, 'a whole number');
      const v = node.value as number;
      if (!Number.isSafeInteger(v)) return wrongTypeOf(node, at, out, 'a whole number') ?? undefined;
      if (def.minimum !== undefined && v < def.minimum) {
        report(out, () => diag('policy-invalid', `${where(at)} must be at least ${def.minimum}.`, spanOf(node), { path: at }));
        return undefined;
      }
      return v;
    }
    case 'string': {
      if (node.type !== 'string') return wrongTypeOf(node, at, out, 'a string');
      const v = node.value as string;
      if (def.format === 'name-glob' || def.format === 'path-glob') {
        const problem = globProblem(v, def.format === 'path-glob' ? 'path' : 'name', globs);
        if (problem) {
          if (!problem.code) return undefined;
          let span = spanOf(node);
          if (problem.offset !== undefined && v.length > 0) {
            // +1: skip the opening quote (exact for patterns without escapes)
            const inner = { start: node.offset + 1, end: node.offset + node.length - 1 };
            const start = Math.min(inner.start + problem.offset, inner.end - 1);
            span = { start, end: start + 1 };
          }
          report(out, () => diag(problem.code, problem.message, span, { path: at }));
          return undefined;
        }
      }
      if (def.format === 'sha256' && !/^[0-9a-fA-F]{64}$/.test(v)) {
        report(out, () => diag('policy-invalid', `${where(at)} must be a SHA-256 digest: 64 hexadecimal digits.`, spanOf(node), { path: at }));
        return undefined;
      }
      if (def.format === 'path' && v.length === 0) {
        report(out, () => diag('policy-invalid', `${where(at)} must not be empty.`, spanOf(node), { path: at }));
        return undefined;
      }
      return v;
    }
    case 'enum': {
      if (node.type !== 'string') return wrongTypeOf(node, at, out, `one of ${def.values.map((x) => `"${x}"`).join(', ')}`);
      const v = node.value as string;
      if (!def.values.includes(v)) {
        const hint = didYouMean(v, def.values);
        report(
          out,
          () =>
            diag('policy-invalid', `${where(at)}: "${quoteForMessage(v)}" is not one of ${def.values.map((x) => `"${x}"`).join(', ')}.${hint}`, spanOf(node), {
            path: at,
            allowed: [...def.values],
          }),
        );
        return undefined;
      }
      return v;
    }
    case 'array': {
      if (node.type !== 'array') return wrongTypeOf(node, at, out, 'a list');
      const items: unknown[] = [];
      (node.children ?? []).forEach((child, i) => {
        const v = validate(child, def.items, [...at, String(i)], out, globs);
        if (v !== undefined) items.push(v);
      });
      return items;
    }
    case 'object': {
      if (node.type !== 'object') return wrongTypeOf(node, at, out, 'an object');
      const result: Record<string, unknown> = {};
      const seen = new Map<string, JsonNode>();
      for (const prop of node.children ?? []) {
        const [keyNode, valueNode] = prop.children ?? [];
        if (!keyNode || !valueNode) continue;
        const key = keyNode.value as string;
        if (key === '__proto__') {
          report(out, () => diag('policy-invalid', 'The key "__proto__" is not allowed.', spanOf(keyNode), { path: at }));
          continue;
        }
        if (seen.has(key)) {
          const dup = () => diag('policy-duplicate-key', `Duplicate key "${quoteForMessage(key)}": the last one wins.`, spanOf(keyNode), { path: [...at, key] }, 'warning');
          report(out, dup, 'warning');
        }
        seen.set(key, keyNode);
        const child = Object.prototype.hasOwnProperty.call(def.properties, key) ? def.properties[key] : undefined;
        if (!child) {
          const hint = didYouMean(key, Object.keys(def.properties));
          report(
            out,
            () =>
              diag('policy-unknown-key', `Unknown key "${quoteForMessage(key)}" in ${where(at)}.${hint}`, spanOf(keyNode), {
              path: [...at, key],
              known: Object.keys(def.properties),
            }),
          );
          continue;
        }
        const v = validate(valueNode, child, [...at, key], out, globs);
        if (v !== undefined) result[key] = v;
      }
      for (const req of def.required ?? []) {
        if (!seen.has(req)) {
          report(out, () => diag('policy-invalid', `${where(at)} needs "${req}".`, spanOf(node), { path: at, missing: req }));
          return undefined;
        }
        if (result[req] === undefined) return undefined; // already reported
      }
      return result;
    }
    case 'record': {
      if (node.type !== 'object') return wrongTypeOf(node, at, out, 'an object');
      const result: Record<string, unknown> = {};
      const ruleIds = RULES.map((r) => r.id);
      for (const prop of node.children ?? []) {
        const [keyNode, valueNode] = prop.children ?? [];
        if (!keyNode || !valueNode) continue;
        const key = keyNode.value as string;
        if (key === '__proto__') {
          report(out, () => diag('policy-invalid', 'The key "__proto__" is not allowed.', spanOf(keyNode), { path: at }));
          continue;
        }
        if (def.keyFormat === 'rule-id' && !ruleIds.includes(key)) {
          // other components may register rules the engine does not know here: a warning, not an error
          report(
            out,
            () =>
              diag('policy-unknown-rule', `Unknown rule "${quoteForMessage(key)}".${didYouMean(key, ruleIds)}`, spanOf(keyNode), { path: [...at, key] }, 'warning'),
            'warning',
          );
        }
        if (def.keyFormat === 'path-glob') {
          const problem = globProblem(key, 'path', globs);
          if (problem) {
            if (problem.code) report(out, () => diag(problem.code, problem.message, spanOf(keyNode), { path: [...at, key] }));
            continue;
          }
        }
        const v = validate(valueNode, def.values, [...at, key], out, globs);
        if (v !== undefined) result[key] = v;
      }
      return result;
    }
  }
}

/** Where a node is, for a message (built only when there is one). */
function whereOf(at: string[]): string {
  return at.length ? `\`${quoteForMessage(at.join('.'))}\`` : 'the policy';
}

function wrongTypeOf(node: JsonNode, at: string[], out: CappedDiagnostics, expected: string): undefined {
  report(out, () => diag('policy-invalid', `${whereOf(at)} must be ${expected}, not ${jsonType(node)}.`, spanOf(node), { path: at }));
  return undefined;
}

/** Adds a problem made by `make`, or only counts it once the list is full. */
function report(out: CappedDiagnostics, make: () => EngineDiagnostic, severity: EngineDiagnostic['severity'] = 'error'): void {
  if (out.full) out.countDropped(severity);
  else out.push(make());
}

function diag(
  code: string,
  message: string,
  span: Span,
  data?: Record<string, unknown>,
  severity: EngineDiagnostic['severity'] = 'error',
): EngineDiagnostic {
  return { code, severity, message, span, source: 'policy', ...(data && { data }) };
}

function spanOf(node: JsonNode): Span {
  return { start: node.offset, end: node.offset + node.length };
}

function jsonType(node: JsonNode): string {
  switch (node.type) {
    case 'array':
      return 'a list';
    case 'object':
      return 'an object';
    case 'null':
      return 'null';
    case 'string':
      return `a string (${JSON.stringify(quoteForMessage(node.value as string))})`;
    case 'number':
      return `the number ${node.value}`;
    case 'boolean':
      return String(node.value);
    default:
      return node.type;
  }
}

function describeParseError(code: string): string {
  const words: Record<string, string> = {
    InvalidSymbol: 'unexpected character',
    InvalidNumberFormat: 'malformed number',
    PropertyNameExpected: 'expected a property name in double quotes',
    ValueExpected: 'expected a value',
    ColonExpected: 'expected `:`',
    CommaExpected: 'expected `,`',
    CloseBraceExpected: 'expected `}`',
    CloseBracketExpected: 'expected `]`',
    EndOfFileExpected: 'unexpected text after the end of the policy',
    InvalidCommentToken: 'malformed comment',
    UnexpectedEndOfComment: 'unterminated comment',
    UnexpectedEndOfString: 'unterminated string',
    UnexpectedEndOfNumber: 'unterminated number',
    InvalidUnicode: 'bad unicode escape',
    InvalidEscapeCharacter: 'bad escape character',
    InvalidCharacter: 'invalid character in string',
  };
  return words[code] ?? code;
}

/** ` Did you mean "x"?` when a candidate is close enough, else ''. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = word.toLowerCase();
  const prefixed = word.length >= 3 ? candidates.find((c) => c.toLowerCase().startsWith(lower)) : undefined;
  if (prefixed) return ` Did you mean "${prefixed}"?`;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? ` Did you mean "${best}"?` : '';
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 10) return Infinity;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

// ---------------------------------------------------------------------------------------------
// Finding the file, applying overrides

/**
 * The nearest `wasm-warden.policy.json` in `fileDir` or a parent folder, never looking above `rootDir`.
 * Undefined when there is none, or when `fileDir` is not inside `rootDir`.
 */
export function findPolicyFile(fileDir: string, rootDir: string): string | undefined {
  const root = path.resolve(rootDir);
  let dir = path.resolve(fileDir);
  const inside = (d: string) => d === root || d.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
  if (!inside(dir)) return undefined;
  for (;;) {
    const candidate = path.join(dir, POLICY_FILE_NAME);
    try {
      // most folders have none: no exception for those (a workspace scan asks once per module and folder)
      if (fs.statSync(candidate, { throwIfNoEntry: false })?.isFile()) return candidate;
    } catch {
      // cannot be looked at: not here
    }
    const parent = path.dirname(dir);
    if (dir === root || parent === dir || !inside(parent)) return undefined;
    dir = parent;
  }
}

/**
 * The policy for one file: DEFAULT_POLICY, then the policy's own settings, then every override whose
 * `files` match `relativePath` (relative to the policy file's folder, `/`-separated), in order.
 * Objects merge key by key; lists and values replace.
 */
export function effectivePolicy(policy: Policy, relativePath: string): EffectivePolicy {
  const overrides = policy.overrides ?? [];
  const rel = overrides.length ? relativePath.replace(/\\/g, '/').replace(/^\.\//, '') : '';
  const matching = overrides.length ? overrides.filter((o) => o.files?.some((g) => matchGlob(g, rel, 'path'))) : overrides;
  // every file under the same policy with the same overrides gets the same (frozen) effective policy:
  // a workspace scan resolves it once, not once per module
  let byOverrides = effectiveCache.get(policy);
  if (!byOverrides) effectiveCache.set(policy, (byOverrides = new Map()));
  const key = matching.length ? matching.map((o) => overrides.indexOf(o)).join(',') : '';
  const hit = byOverrides.get(key);
  if (hit) return hit;
  const { overrides: _overrides, $schema: _schema, ...own } = policy;
  let result = merge(stripMeta(DEFAULT_POLICY), own) as Record<string, unknown>;
  for (const o of matching) {
    const sections: Record<string, unknown> = {};
    for (const key of OVERRIDABLE_SECTIONS) if (o[key] !== undefined) sections[key] = o[key];
    result = merge(result, sections) as Record<string, unknown>;
  }
  const effective = deepFreeze(result) as EffectivePolicy;
  byOverrides.set(key, effective);
  return effective;
}

/** Effective policies by policy object (a reloaded policy is a new object) and matching overrides. */
const effectiveCache = new WeakMap<Policy, Map<string, EffectivePolicy>>();

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}

function stripMeta(p: Policy): Record<string, unknown> {
  const { overrides: _o, $schema: _s, ...rest } = p;
  return rest;
}

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return clone(base);
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = {};
    for (const k of new Set([...Object.keys(base), ...Object.keys(over)])) out[k] = merge(base[k], over[k]);
    return out;
  }
  return clone(over);
}

function clone(v: unknown): unknown {
  return v === undefined ? undefined : structuredClone(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
