/**
 * The round trip from OUR text (issue 16), on one real module, in its own process (a 30 MB module's
 * text is hundreds of MB):
 *
 *   node --max-old-space-size=8192 --import tsx test/bench/own-round-trip.ts module.wasm
 *
 * prints one JSON line: our disassembly compiled back (names on, as the editor's Compile), whether V8
 * accepts the result, whether its disassembly is the first text (a fixed point; compared as it is
 * printed, without holding a second copy), whether the bytes equal the original's, and if not, which
 * sections differ (and how). A text past V8's longest string cannot be compiled by any JavaScript
 * tool: reported as such.
 */
import * as fs from 'fs';
import { compileWatText } from '../../server/src/engine/operations/compile';
import { disassembleTo } from '../../server/src/engine/operations/print-file';
import { walkRawSections } from '../../server/src/engine/binary/sections';

/** V8's longest string (2^29 - 24 characters). */
const MAX_STRING = 2 ** 29 - 24;

export interface OwnRoundTrip {
  textMB?: number;
  ms?: number;
  valid?: boolean;
  fixedPoint?: boolean;
  /** the first line that differs, when not a fixed point */
  firstDifference?: string;
  identical?: boolean;
  /** why the bytes differ: sections the original has and ours not, or of another size */
  differences?: string[];
  failure?: string;
}

class TooLong extends Error {}

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

export function ownRoundTrip(file: string): OwnRoundTrip {
  const original = new Uint8Array(fs.readFileSync(file));
  const t0 = performance.now();
  const chunks: string[] = [];
  let chars = 0;
  try {
    disassembleTo(original, (c) => {
      chars += c.length;
      if (chars > MAX_STRING) throw new TooLong();
      chunks.push(c);
    });
  } catch (e) {
    if (e instanceof TooLong) return { failure: `its text is past V8's longest string (${(MAX_STRING / 1e6).toFixed(0)} M characters): no JavaScript tool can compile it` };
    throw e;
  }
  const text = chunks.join('');
  chunks.length = 0;
  const c = compileWatText(text, { debugNames: true });
  if (!c.bytes) return { textMB: text.length / 1e6, failure: `compile: ${c.diagnostics[0]?.message ?? 'failed'}` };
  const valid = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(c.bytes);
  // the second text compared with the first as it is printed
  let at = 0;
  let differsAt = -1;
  disassembleTo(c.bytes, (chunk) => {
    if (differsAt >= 0) return;
    if (text.startsWith(chunk, at)) at += chunk.length;
    else {
      let k = 0;
      while (k < chunk.length && chunk.charCodeAt(k) === text.charCodeAt(at + k)) k++;
      differsAt = at + k;
    }
  });
  if (differsAt < 0 && at !== text.length) differsAt = at;
  const ms = performance.now() - t0;
  const identical = Buffer.compare(Buffer.from(original), Buffer.from(c.bytes)) === 0;
  const out: OwnRoundTrip = { textMB: text.length / 1e6, ms, valid, fixedPoint: differsAt < 0, identical };
  if (differsAt >= 0) {
    const line = text.slice(0, differsAt).split('\n').length;
    out.firstDifference = `line ${line}: ${text.slice(text.lastIndexOf('\n', differsAt - 1) + 1, differsAt + 80).split('\n')[0].slice(0, 160)}`;
  }
  if (!identical) out.differences = differences(original, c.bytes);
  return out;
}

if (require.main === module) {
  let r: OwnRoundTrip;
  try {
    r = ownRoundTrip(process.argv[2]);
  } catch (e) {
    r = { failure: (e as Error).message.slice(0, 200) };
  }
  process.stdout.write(JSON.stringify(r) + '\n');
}
