/**
 * The `print` group's measurements: a real module printed to a file by ours (the bundled CLI's
 * `disassemble`, the whole process), by native `wasm2wat` (the whole process) and by jco's wasm-tools
 * `print` (in a Node child: it returns one string), each with its time and peak RSS; and the `.wasm`
 * WAT view over LSP (the real bundled server), read in pages as the extension reads it: request ->
 * first text (its first page) and -> the whole view received, on the module and on a function body
 * of 1 MB on demand.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LspClient } from '../lsp/lsp-client';
import { ROOT, nativeCommand, repoRequire } from './util';
import {
  WAT_VIEW_FIRST_PAGE_CHARS,
  WAT_VIEW_PAGE_CHARS,
  WatViewPageRequest,
  WatViewRequest,
  type WatViewPageResult,
  type WatViewResult,
} from '../../server/src/protocol';

export interface ProcessRun {
  ms?: number;
  maxRssMB?: number;
  outMB?: number;
  failure?: string;
  capped?: boolean;
}

const TIME = '/usr/bin/time';

/** Runs a command once under /usr/bin/time (peak RSS); a node command gets the RSS from its own preload instead when /usr/bin/time is missing. */
function timed(cmd: string, args: string[], capMs: number, out?: string): ProcessRun {
  const haveTime = fs.existsSync(TIME);
  const t = performance.now();
  const r = haveTime
    ? spawnSync(TIME, ['-f', '%M', cmd, ...args], { timeout: capMs, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    : spawnSync(cmd, args, { timeout: capMs, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - t;
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return { capped: true };
  const stderr = r.stderr ?? '';
  const lines = stderr.trim().split('\n');
  const kb = haveTime ? Number(lines[lines.length - 1]) : NaN;
  if (r.status !== 0) return { failure: (haveTime ? lines.slice(0, -1).join(' ') : stderr).slice(0, 200) || `exit ${r.status}` };
  const outMB = out && fs.existsSync(out) ? fs.statSync(out).size / 1e6 : undefined;
  return { ms, maxRssMB: Number.isFinite(kb) ? kb / 1024 : undefined, outMB };
}

/** Ours: `wasm-warden disassemble in.wasm -o out.wat --force` (the bundled CLI, whole process). */
export function printOurs(wasm: string, out: string, capMs: number): ProcessRun {
  return timed(process.execPath, [path.join(ROOT, 'bin', 'wasm-warden.js'), 'disassemble', wasm, '-o', out, '--force'], capMs, out);
}

/** Native wasm2wat, whole process. */
export function printNative(wasm: string, out: string, capMs: number): ProcessRun {
  const w = nativeCommand('wasm2wat');
  if (!w) return { failure: 'native wasm2wat not installed' };
  return timed(w, ['--enable-all', wasm, '-o', out], capMs, out);
}

/** jco's wasm-tools `print` (returns the text as one string), written to the file, in a Node child. */
export function printJco(wasm: string, out: string, capMs: number): ProcessRun {
  const api = repoRequire.resolve('@bytecodealliance/jco').replace(/[^/\\]+$/, 'api.js');
  const script = path.join(os.tmpdir(), `ww-bench-jco-${process.pid}.mjs`);
  fs.writeFileSync(
    script,
    `import { print } from ${JSON.stringify(api.startsWith('/') ? 'file://' + api : api)};\nimport * as fs from 'fs';\nconst text = await print(fs.readFileSync(process.argv[2]));\nfs.writeFileSync(process.argv[3], text);\n`,
  );
  try {
    return timed(process.execPath, ['--max-old-space-size=8192', script, wasm, out], capMs, out);
  } finally {
    fs.rmSync(script, { force: true });
  }
}

export interface ViewRun {
  /** watView request -> its first page (what the extension asks for and shows first), cold (first request for the file) */
  viewMs: number;
  /** the first page's request -> the last page of the view received (the whole view available, as the extension reads it) */
  viewWholeMs: number;
  viewChars: number;
  headerOnly: boolean;
  /** one function body on demand: its size, request -> first page, and -> the whole body received */
  bodyBytes: number;
  bodyMs: number;
  bodyWholeMs: number;
  bodyChars: number;
}

/** A view read as the extension reads it: the first page (timed to `firstMs`), then the rest page by page (`wholeMs`). */
async function pagedView(client: LspClient, params: { uri: string; func?: number }): Promise<{ firstMs: number; wholeMs: number; text: string; headerOnly: boolean; error?: string }> {
  const t = performance.now();
  const first = await client.request<WatViewResult>(WatViewRequest, { ...params, pageChars: WAT_VIEW_FIRST_PAGE_CHARS });
  const firstMs = performance.now() - t;
  if (first.error) return { firstMs, wholeMs: firstMs, text: first.text, headerOnly: first.headerOnly, error: first.error };
  const parts = [first.text];
  let at = first.text.length;
  let complete = first.complete !== false;
  while (!complete) {
    const page = await client.request<WatViewPageResult>(WatViewPageRequest, { ...params, version: first.version!, start: at, chars: WAT_VIEW_PAGE_CHARS });
    if (page.error) throw new Error(page.error);
    parts.push(page.text);
    at += page.text.length;
    complete = page.complete;
  }
  return { firstMs, wholeMs: performance.now() - t, text: parts.join(''), headerOnly: first.headerOnly };
}

/** The WAT view of `wasm` over LSP, and its largest function body (or `func`) on demand, each read in pages as the extension reads them. */
export async function viewOverLsp(wasm: string, func?: number): Promise<ViewRun> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-bench-view-'));
  const name = path.basename(wasm);
  fs.copyFileSync(wasm, path.join(dir, name));
  const client = await LspClient.start(dir, { debounceMs: 0 });
  try {
    const uri = client.uri(name);
    const view = await pagedView(client, { uri });
    const list = await client.request<{ functions: [number, number, string][] }>('wasmWarden/functions', { uri });
    const pick = func !== undefined ? list.functions.find((f) => f[0] === func)! : list.functions.reduce((a, b) => (b[1] > a[1] ? b : a));
    const body = await pagedView(client, { uri, func: pick[0] });
    if (body.error) throw new Error(body.error);
    return {
      viewMs: view.firstMs,
      viewWholeMs: view.wholeMs,
      viewChars: view.text.length,
      headerOnly: view.headerOnly,
      bodyBytes: pick[1],
      bodyMs: body.firstMs,
      bodyWholeMs: body.wholeMs,
      bodyChars: body.text.length,
    };
  } finally {
    await client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A module with one function body of about `size` bytes of `(i32.const 7) (drop)` (the 1 MB body target). */
export function oneBodyModule(size: number): Buffer {
  const u32 = (n: number): number[] => {
    const o: number[] = [];
    do {
      let b = n & 0x7f;
      n = Math.floor(n / 128);
      if (n) b |= 0x80;
      o.push(b);
    } while (n);
    return o;
  };
  const body = Buffer.alloc(size);
  let p = 1;
  while (p + 3 < size) {
    body[p++] = 0x41;
    body[p++] = 7;
    body[p++] = 0x1a;
  }
  while (p < size - 1) body[p++] = 0x01;
  body[size - 1] = 0x0b;
  const sec = (id: number, payload: Buffer) => Buffer.concat([Buffer.from([id, ...u32(payload.length)]), payload]);
  return Buffer.concat([
    Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
    sec(1, Buffer.from([1, 0x60, 0, 0])),
    sec(3, Buffer.from([1, 0])),
    sec(10, Buffer.concat([Buffer.from([1, ...u32(size)]), body])),
  ]);
}
