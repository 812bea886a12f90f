/**
 * The editing features over LSP on large buffers (the real bundled server via test/lsp/lsp-client.ts):
 * completion in a 5 MB WAT, formatting a 1 MB WAT, rename across 10,000 references. The inputs are
 * generated (a module of many functions calling each other), so the rows need no peer tools.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LspClient } from '../lsp/lsp-client';

/** A WAT module of about `bytes` characters: functions with params, locals, blocks and calls of `$target`. */
export function generatedWat(bytes: number, indent = '    '): { text: string; targetCalls: number } {
  const parts: string[] = ['(module\n  (memory $mem 1)\n  (global $counter (mut i32) (i32.const 0))\n  (func $target (param $value i32) (param $scale i32) (result i32)\n    (i32.mul (local.get $value) (local.get $scale)))\n'];
  let size = parts[0].length;
  let calls = 0;
  for (let f = 0; size < bytes; f++) {
    const body =
      `  (func $function_number_${f} (export "f${f}") (param $input_value i32) (result i32)\n` +
      `${indent}(local $accumulated_total i32)\n` +
      `${indent}block $leave_the_block\n` +
      `${indent}${indent}(local.set $accumulated_total (call $target (local.get $input_value) (i32.const ${f})))\n` +
      `${indent}${indent}(br_if $leave_the_block (i32.eqz (local.get $accumulated_total)))\n` +
      `${indent}${indent}(global.set $counter (i32.add (global.get $counter) (local.get $accumulated_total)))\n` +
      `${indent}end\n` +
      `${indent}(local.get $accumulated_total))\n`;
    parts.push(body);
    size += body.length;
    calls++;
  }
  parts.push(')\n');
  return { text: parts.join(''), targetCalls: calls };
}

export interface EditingResult {
  completionMs: number[];
  completionItems: number;
  completionMB: number;
  formatMs: number[];
  formatMB: number;
  formatEdits: number;
  renameMs: number[];
  renameRefs: number;
  renameMB: number;
}

export async function editingBench(repeats: number): Promise<EditingResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-bench-edit-'));
  const client = await LspClient.start(dir, { debounceMs: 0 });
  try {
    // completion: `call ` in the middle of a 5 MB buffer (every function is a candidate), and `local.get `
    const big = generatedWat(5_000_000).text;
    const bigUri = client.open('big.wat', big, 'wat');
    await client.waitFor(() => client.diagnostics.has(bigUri), 'first diagnostics', 120_000);
    const at = big.indexOf('(call $target', big.length >> 1) + '(call '.length;
    const before = big.slice(0, at).split('\n');
    const position = { line: before.length - 1, character: before[before.length - 1].length };
    const completionMs: number[] = [];
    let completionItems = 0;
    for (let i = 0; i < repeats * 3; i++) {
      const t = performance.now();
      const r = await client.request<{ items: unknown[] }>('textDocument/completion', { textDocument: { uri: bigUri }, position });
      completionMs.push(performance.now() - t);
      completionItems = r.items.length;
    }
    client.close(bigUri);

    // formatting: a 1 MB module written without indentation
    const flat = generatedWat(1_000_000, '').text.replace(/^ +/gm, '');
    const flatUri = client.open('flat.wat', flat, 'wat');
    // (its analysis after opening is done first: the rows time formatting, not the queue before it)
    await client.waitFor(() => client.diagnostics.has(flatUri), 'first diagnostics', 120_000);
    const formatMs: number[] = [];
    let formatEdits = 0;
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      const edits = await client.request<unknown[]>('textDocument/formatting', { textDocument: { uri: flatUri }, options: { tabSize: 2, insertSpaces: true } });
      formatMs.push(performance.now() - t);
      formatEdits = edits.length;
    }
    client.close(flatUri);

    // rename: $target, called 10,000 times
    const { text: calls, targetCalls } = generatedWat(4_600_000);
    if (targetCalls < 10_000) throw new Error(`only ${targetCalls} references generated`);
    const callsUri = client.open('calls.wat', calls, 'wat');
    await client.waitFor(() => client.diagnostics.has(callsUri), 'first diagnostics', 120_000);
    const defAt = calls.indexOf('$target') + 2;
    const lines = calls.slice(0, defAt).split('\n');
    const renamePosition = { line: lines.length - 1, character: lines[lines.length - 1].length };
    const renameMs: number[] = [];
    let renameRefs = 0;
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      const r = await client.request<{ changes: Record<string, unknown[]> }>('textDocument/rename', { textDocument: { uri: callsUri }, position: renamePosition, newName: `$renamed_${i}` });
      renameMs.push(performance.now() - t);
      renameRefs = r.changes[callsUri].length - 1;
    }
    return {
      completionMs, completionItems, completionMB: big.length / 1e6,
      formatMs, formatMB: flat.length / 1e6, formatEdits,
      renameMs, renameRefs, renameMB: calls.length / 1e6,
    };
  } finally {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
