/**
 * WAT text for parts of the module model: a function signature and memory/table limits. Shared by
 * the WAT view of a binary and by hover in WAT, so both show a module the same way.
 */
import type { FuncSig, Limits } from './model';

/** ` (param i32 i32) (result i32)`, with a leading space; '' for no signature or an empty one. */
export function sigText(sig: FuncSig | undefined): string {
  if (!sig) return '';
  let s = '';
  if (sig.params.length) s += ` (param ${sig.params.join(' ')})`;
  if (sig.results.length) s += ` (result ${sig.results.join(' ')})`;
  return s;
}

/** `i64 1 2 shared (pagesize 1)`: the limits as written after `memory` or before a table's type. */
export function limitsText(l: Limits): string {
  let s = l.index64 ? 'i64 ' : '';
  s += String(l.min);
  if (l.max !== undefined) s += ` ${l.max}`;
  if (l.shared) s += ' shared';
  if (l.pageSizeLog2 !== 16) s += ` (pagesize ${2 ** l.pageSizeLog2})`;
  return s;
}

/** Limits for people: `min 1, max 16`, `min 0, no max, i64, shared`, `page 1 B` (inspect, the lock file of approved versions). */
export function describeLimits(l: Limits): string {
  const parts = [`min ${l.min}`, l.max === undefined ? 'no max' : `max ${l.max}`];
  if (l.index64) parts.push('i64');
  if (l.shared) parts.push('shared');
  if (l.pageSizeLog2 !== 16) parts.push(`page ${2 ** l.pageSizeLog2} B`);
  return parts.join(', ');
}
