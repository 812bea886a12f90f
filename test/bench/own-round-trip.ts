/**
 * The round trip from OUR text (issue 16), on one real module, in its own process (a 30 MB module's
 * text is hundreds of MB):
 *
 *   node --max-old-space-size=8192 --import tsx test/bench/own-round-trip.ts module.wasm
 *
 * prints one JSON line: our disassembly written to a file, compiled back by `compileFile` (names on,
 * as the editor's Compile; a text over 256 MiB takes the segmented path: it may not fit in one
 * string), whether V8 accepts the result, whether its disassembly is the first text (a fixed point;
 * compared with the file as it is printed, never held as a string), whether the bytes equal the
 * original's, and if not, which sections differ (and how). Times of the disassembly and the compile,
 * and the process's peak resident memory.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compileFile } from '../../server/src/engine/operations/compile';
import { disassembleToBytes } from '../../server/src/engine/operations/print-file';
import { walkRawSections } from '../../server/src/engine/binary/sections';
import { FilePositions } from '../../server/src/engine/file-positions';

export interface OwnRoundTrip {
  textMB?: number;
  /** the whole round trip: disassemble, compile, disassemble again and compare */
  ms?: number;
  disassembleMs?: number;
  compileMs?: number;
  /** compiled in pieces (the text is over 256 MiB) */
  segmented?: boolean;
  /** the process's peak resident memory */
  peakMB?: number;
  valid?: boolean;
  fixedPoint?: boolean;
  /** the first line that differs, when not a fixed point */
  firstDifference?: string;
  identical?: boolean;
  /** why the bytes differ: sections the original has and ours not, or of another size */
  differences?: string[];
  failure?: string;
}

function sectionKeys(bytes: Uint8Array): { key: string; size: number }[] {
  return walkRawSections(bytes).sections.map((s) => {
    if (s.id !== 0) return { key: String(s.id), size: s.size };
    const len = bytes[s.payloadOffset];
    return { key: Buffer.from(bytes.subarray(s.payloadOffset + 1, s.payloadOffset + 1 + len)).toString('utf8'), size: s.size };
  });
}

const SECTION_WORDS: Record<string, string> = { 10: 'code', 12: 'data count' };

/** The sections of `ours` that differ from the original's: missing, added, or of another size. */
function differences(original: Uint8Array, ours: Uint8Array): string[] {
  const a = sectionKeys(original);
  const b = sectionKeys(ours);
  const out: string[] = [];
  const word = (k: string) => SECTION_WORDS[k] ?? (/^\d+$/.test(k) ? `section ${k}` : `"${k}"`);
  for (const s of a) {
    const t = b.find((x) => x.key === s.key);
    if (!t) out.push(`no ${word(s.key)} section (${s.size} bytes)`);
    else if (t.size !== s.size) out.push(`${word(s.key)} ${s.size} -> ${t.size} bytes`);
  }
  for (const t of b) if (!a.some((s) => s.key === t.key)) out.push(`added ${word(t.key)} section`);
  if (out.length === 0 && a.map((s) => s.key).join() !== b.map((s) => s.key).join()) out.push('sections in another order');
  if (out.length === 0) out.push('same section sizes, other bytes');
  return out;
}

/** The text printed from `bytes` compared with the file `wat` as it is printed: the first offset that differs, or -1. */
function firstDifferenceFrom(bytes: Uint8Array, wat: string): number {
  const fd = fs.openSync(wat, 'r');
  const size = fs.fstatSync(fd).size;
  let at = 0;
  let differsAt = -1;
  let window = Buffer.alloc(1 << 20);
  try {
    disassembleToBytes(bytes, (chunk) => {
      if (differsAt >= 0) return;
      if (window.length < chunk.length) window = Buffer.alloc(chunk.length);
      const n = fs.readSync(fd, window, 0, chunk.length, at);
      let k = 0;
      const m = Math.min(n, chunk.length);
      if (n === chunk.length && window.compare(chunk, 0, chunk.length, 0, n) === 0) k = m;
      else while (k < m && window[k] === chunk[k]) k++;
      if (k < chunk.length) differsAt = at + k;
      else at += chunk.length;
    });
  } finally {
    fs.closeSync(fd);
  }
  if (differsAt < 0 && at !== size) differsAt = at;
  return differsAt;
}

export async function ownRoundTrip(file: string): Promise<OwnRoundTrip> {
  const original = new Uint8Array(fs.readFileSync(file));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'own-round-trip-'));
  const wat = path.join(dir, 'module.wat');
  const out = path.join(dir, 'module.wasm');
  try {
    const t0 = performance.now();
    const fd = fs.openSync(wat, 'w');
    try {
      disassembleToBytes(original, (chunk) => fs.writeSync(fd, chunk));
    } finally {
      fs.closeSync(fd);
    }
    const t1 = performance.now();
    const size = fs.statSync(wat).size;
    const c = await compileFile(wat, out, { debugNames: true, overwrite: true });
    const t2 = performance.now();
    const segmented = size > 256 * 1024 * 1024;
    const base = { textMB: size / 1e6, disassembleMs: t1 - t0, compileMs: t2 - t1, segmented };
    if (!c.written) return { ...base, failure: `compile: ${c.findings[0] ? `${c.findings[0].line}:${c.findings[0].column} ${c.findings[0].message}` : 'failed'}` };
    const bytes = new Uint8Array(fs.readFileSync(out));
    const valid = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(bytes);
    const differsAt = firstDifferenceFrom(bytes, wat);
    const ms = performance.now() - t0;
    const identical = Buffer.compare(Buffer.from(original), Buffer.from(bytes)) === 0;
    const result: OwnRoundTrip = { ...base, ms, peakMB: process.resourceUsage().maxRSS / 1024, valid, fixedPoint: differsAt < 0, identical };
    if (differsAt >= 0) {
      const text = fs.readFileSync(wat);
      const line = new FilePositions(text, [differsAt]).positionAt(differsAt).line + 1;
      const from = text.lastIndexOf(10, differsAt - 1) + 1;
      result.firstDifference = `line ${line}: ${text.toString('utf8', from, Math.min(text.length, differsAt + 80)).split('\n')[0].slice(0, 160)}`;
    }
    if (!identical) result.differences = differences(original, bytes);
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  ownRoundTrip(process.argv[2]).then(
    (r) => process.stdout.write(JSON.stringify(r) + '\n'),
    (e: unknown) => process.stdout.write(JSON.stringify({ failure: (e as Error).message.slice(0, 200) }) + '\n'),
  );
}
