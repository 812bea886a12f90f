/** Classifies what escaped the guest (WebAssembly.RuntimeError, RangeError) into a TrapInfo. */
import type { TrapInfo } from './types';

const KINDS: [RegExp, string][] = [
  [/unreachable/i, 'unreachable'],
  [/memory access out of bounds|out of bounds memory/i, 'out-of-bounds'],
  [/divide by zero|remainder by zero|division by zero/i, 'divide-by-zero'],
  [/divide result unrepresentable|integer overflow/i, 'integer-overflow'],
  [/float unrepresentable|invalid conversion/i, 'invalid-conversion'],
  [/table index is out of bounds|table.*out of bounds/i, 'table-out-of-bounds'],
  [/signature mismatch|null function/i, 'indirect-call-mismatch'],
  [/call stack size exceeded/i, 'stack-overflow'],
];

const FRAME = /at (?:(\S+) )?\(?wasm:\/\/wasm\/[0-9a-f]+:wasm-function\[(\d+)\]:(0x[0-9a-f]+)\)?/;

export function wasmStack(stack: string | undefined, limit = 32): string[] {
  const out: string[] = [];
  for (const line of (stack ?? '').split('\n')) {
    const m = FRAME.exec(line);
    if (!m) continue;
    out.push(m[1] && m[1] !== 'wasm' ? m[1].replace(/^\$/, '') : `wasm-function[${m[2]}]`);
    if (out.length >= limit) break;
  }
  return out;
}

export function classifyTrap(e: unknown): TrapInfo {
  const err = e instanceof Error ? e : new Error(String(e));
  const name = err.constructor?.name ?? 'Error';
  const hit = KINDS.find(([re]) => re.test(err.message));
  const kind = hit ? hit[1] : name === 'RuntimeError' ? 'other' : 'host-error';
  return { kind, message: `${name}: ${err.message}`, stack: wasmStack(err.stack) };
}
