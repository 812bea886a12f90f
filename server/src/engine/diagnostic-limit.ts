/**
 * The limit on repeated findings: at most MAX_FINDINGS_PER_CODE findings of one code per file, then
 * one finding that stands for the rest ("... and K more of the same"). A hostile file can otherwise
 * carry one finding per byte (a megabyte of `)` is a million "unexpected ')'"), which no editor, JSON
 * report or person can use, and whose objects alone took the CLI past 4 GB.
 *
 * Two ways in: `pushLimited` caps a list while it is filled (the WAT lexer and parser, so the withheld
 * findings are never allocated as a list), and `limitDiagnostics` caps a finished list (the check and
 * validate operations, over every source: parser, reader, policy, wabt). Both make the same summary.
 */
import type { EngineDiagnostic } from './diagnostic';

/**
 * The longest message a finding carries: messages quote what they are about (a token, a name), and a
 * hostile file's token or name can be megabytes long. Longer messages are cut (see `boundedMessage`).
 */
export const MAX_MESSAGE_LENGTH = 500;

/** `message`, cut to MAX_MESSAGE_LENGTH characters with a note of how much was left out. */
export function boundedMessage(message: string): string {
  if (message.length <= MAX_MESSAGE_LENGTH) return message;
  return `${message.slice(0, MAX_MESSAGE_LENGTH)}... (${message.length - MAX_MESSAGE_LENGTH} more characters)`;
}

/** Findings of one code listed per file; the others are counted into one summary finding. */
export const MAX_FINDINGS_PER_CODE = 1000;

/** What `pushLimited` has withheld from a list, per code: how many, and the first of them. */
interface Withheld<T> {
  count: number;
  first: T;
}

interface ListState<T> {
  kept: Map<string, number>;
  withheld: Map<string, Withheld<T>>;
}

const states = new WeakMap<object, ListState<unknown>>();

function stateOf<T>(list: T[]): ListState<T> {
  let s = states.get(list) as ListState<T> | undefined;
  if (!s) {
    s = { kept: new Map(), withheld: new Map() };
    states.set(list, s as ListState<unknown>);
  }
  return s;
}

/** Appends `item` to `list` unless the list holds MAX_FINDINGS_PER_CODE of its code already (then counts it). */
export function pushLimited<T extends { code: string }>(list: T[], item: T): void {
  const s = stateOf(list);
  const n = s.kept.get(item.code) ?? 0;
  if (n < MAX_FINDINGS_PER_CODE) {
    s.kept.set(item.code, n + 1);
    list.push(item);
    return;
  }
  const w = s.withheld.get(item.code);
  if (w) w.count++;
  else s.withheld.set(item.code, { count: 1, first: item });
}

/** The items `pushLimited` withheld from `list`, per code (and forgets them). */
export function takeWithheld<T extends { code: string }>(list: T[]): Map<string, Withheld<T>> {
  const s = states.get(list) as ListState<T> | undefined;
  states.delete(list);
  return s?.withheld ?? new Map();
}

/** Adds `count` withheld findings like `first` to what `list` stands for (carried over from another list). */
export function addWithheld(list: EngineDiagnostic[], first: EngineDiagnostic, count: number): void {
  const s = stateOf(list);
  const n = s.kept.get(first.code) ?? 0;
  s.kept.set(first.code, Math.max(n, MAX_FINDINGS_PER_CODE));
  const w = s.withheld.get(first.code);
  if (w) w.count += count;
  else s.withheld.set(first.code, { count, first });
}

/** Appends one summary finding per code that `pushLimited` withheld findings of. */
export function appendWithheldSummaries(list: EngineDiagnostic[]): void {
  for (const [code, w] of takeWithheld(list)) list.push(summary(code, w.first, w.count));
}

/** The number of findings a summary finding stands for (0 for any other finding). */
export function withheldCount(d: EngineDiagnostic): number {
  const n = d.data?.withheld;
  return typeof n === 'number' ? n : 0;
}

function summary(code: string, first: EngineDiagnostic, count: number): EngineDiagnostic {
  return {
    code,
    severity: first.severity,
    message: `... and ${count} more '${code}' finding${count === 1 ? '' : 's'} (only the first ${MAX_FINDINGS_PER_CODE} of each kind are listed; the next one: ${first.message})`,
    span: first.span,
    source: first.source,
    data: { withheld: count, next: first.message },
  };
}

/**
 * `diagnostics` with at most MAX_FINDINGS_PER_CODE of each code (in their order), and for each code
 * with more, one summary finding at the first one left out. Summaries already in the list (from
 * `pushLimited`) are merged. Returns the list itself when nothing is over the limit.
 */
export function limitDiagnostics(diagnostics: EngineDiagnostic[]): EngineDiagnostic[] {
  const counts = new Map<string, number>();
  let over = false;
  for (const d of diagnostics) {
    const n = (counts.get(d.code) ?? 0) + 1;
    counts.set(d.code, n);
    if (n > MAX_FINDINGS_PER_CODE || withheldCount(d) > 0) over = true;
  }
  if (!over) return diagnostics;
  const kept = new Map<string, number>();
  const withheld = new Map<string, Withheld<EngineDiagnostic>>();
  const out: EngineDiagnostic[] = [];
  for (const d of diagnostics) {
    const more = withheldCount(d);
    const n = kept.get(d.code) ?? 0;
    if (more === 0 && n < MAX_FINDINGS_PER_CODE) {
      kept.set(d.code, n + 1);
      out.push(d);
      continue;
    }
    const w = withheld.get(d.code);
    // a summary stands for `more` findings; any other finding for itself
    const count = more > 0 ? more : 1;
    if (w) w.count += count;
    else withheld.set(d.code, { count, first: more > 0 ? { ...d, message: firstMessage(d) } : d });
  }
  for (const [code, w] of withheld) out.push(summary(code, w.first, w.count));
  return out;
}

/** The message of the finding a summary names as the next one. */
function firstMessage(s: EngineDiagnostic): string {
  const next = s.data?.next;
  return typeof next === 'string' ? next : s.message;
}
