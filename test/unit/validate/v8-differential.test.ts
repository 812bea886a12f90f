/**
 * Differential test against V8: our verdict equals `WebAssembly.validate`'s on a corpus of real modules
 * built from what this machine has offline, from several toolchains (C compiled by clang at several
 * optimisation levels, with SIMD; wabt-encoded modules of the spec test suite; the real modules of the
 * npm devDependencies in node_modules: Rust, wasi-sdk C/C++, and emscripten, whose output binaryen's
 * wasm-opt writes), and on 10,000 seeded byte-flip mutants of their code bodies. (binaryen.js itself is
 * not used: loading it takes longer than this whole test on a loaded machine.)
 *
 * A disagreement is allowed only when the mutant uses a proposal Node 20's V8 (11.3) does not enable,
 * or passes one of V8's implementation limits (each is named); anything else is a bug and fails the
 * test. Prints the agreement rate and the causes. The bench (`npm run bench`) runs nothing larger:
 * the 45 MB modules are validated whole there.
 *
 * A mutant is its module reduced around the mutated body: every defined function becomes an import of
 * its type (so every function index the declarations and the body use still exists), the mutated body
 * is the one defined function, data segments are emptied (their count kept) and custom sections
 * dropped. A verdict then costs that one body and the declarations, not the whole module.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateWasm } from '../../../server/src/engine/validate/module-validator';
import { CodeDecoder } from '../../../server/src/engine/binary/code-decoder';
import { ByteReader } from '../../../server/src/engine/binary/byte-reader';
import { HT_EXTERN, HT_FUNC, heapOf, isRef } from '../../../server/src/engine/isa/value-type';
import { HOSTILE_BASE_WAT, prng, u32, V8Wasm, wat } from '../binary/wasm-fixtures';
import { corpusModules } from './wast-modules';
import { clangMissing } from '../../clang';

const ROOT = path.resolve(__dirname, '../../..');
const MUTANTS = 10_000;
/** Proposals whose instructions Node 20's V8 (11.3) does not validate (not enabled by default there). */
const V8_MISSING = new Set(['gc', 'function-references', 'stack-switching', 'relaxed-simd']);
/** Exceptions with exnref (the legacy form is enabled in V8 11.3; these are not). */
const V8_MISSING_INSTRUCTIONS = new Set(['try_table', 'throw_ref']);
/** V8's limit on locals per function. */
const V8_MAX_LOCALS = 50_000;

interface Module {
  name: string;
  toolchain: string;
  bytes: Uint8Array;
}

// ---- the corpus

/** A C program that pulls in a fair part of libc (formatting, sorting, strings, math) and has loops to vectorise. */
const C_PROGRAM = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <stdint.h>
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }
static void saxpy(float *restrict y, const float *restrict x, float a, int n) { for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i]; }
static uint32_t hash(const char *s) { uint32_t h = 2166136261u; while (*s) { h ^= (unsigned char)*s++; h *= 16777619u; } return h; }
static int64_t fib(int n) { int64_t a = 0, b = 1; while (n-- > 0) { int64_t t = a + b; a = b; b = t; } return a; }
struct node { int key; struct node *left, *right; };
static struct node *insert(struct node *t, int key) {
  if (!t) { t = calloc(1, sizeof *t); t->key = key; return t; }
  if (key < t->key) t->left = insert(t->left, key); else t->right = insert(t->right, key);
  return t;
}
static int depth(const struct node *t) { if (!t) return 0; int l = depth(t->left), r = depth(t->right); return 1 + (l > r ? l : r); }
int main(int argc, char **argv) {
  double v[64]; float x[256], y[256];
  for (int i = 0; i < 64; i++) v[i] = sin(i * 0.37) * 100.0;
  for (int i = 0; i < 256; i++) { x[i] = (float)i; y[i] = (float)(255 - i); }
  qsort(v, 64, sizeof v[0], cmp);
  saxpy(y, x, 0.5f, 256);
  struct node *t = 0;
  for (int i = 0; i < 100; i++) t = insert(t, (i * 7919) % 101);
  char buf[256];
  snprintf(buf, sizeof buf, "%s %.3f %g %d %lld %08x %s", argv[0], v[3], y[17], depth(t), (long long)fib(argc + 40), hash(argv[0]), strchr(argv[0], '/') ? "path" : "name");
  char *copy = strdup(buf);
  for (char *p = strtok(copy, " "); p; p = strtok(0, " ")) puts(p);
  free(copy);
  return (int)(strlen(buf) & 1) + (int)floor(sqrt((double)argc));
}
`;

function clangModules(): Module[] | string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-diff-'));
  try {
    const c = path.join(dir, 'prog.c');
    fs.writeFileSync(c, C_PROGRAM);
    const out: Module[] = [];
    for (const flags of [['-O0'], ['-O2'], ['-O3', '-msimd128']]) {
      const wasm = path.join(dir, 'prog.wasm');
      execFileSync('clang', ['--target=wasm32-wasi', ...flags, '-g0', '-o', wasm, c, '-lm'], { stdio: 'pipe', timeout: 60_000 });
      out.push({ name: `C program (clang ${flags.join(' ')})`, toolchain: 'clang wasm32-wasi', bytes: new Uint8Array(fs.readFileSync(wasm)) });
    }
    return out;
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Modules of the spec test suite that exercise many instructions (SIMD, bulk memory, tables, control), encoded by wabt.js. */
const SPEC_FILES = /^(simd_.*|br_table|call_indirect|bulk|memory_copy|memory_fill|table_.*|ref_.*|select|loop|block|if|local_tee|br_if|return|conversions|i32|i64|f32|f64|left-to-right|stack|fac|nop|unreachable|switch|labels|endianness|address|load|store)\.wast$/;

async function specModules(): Promise<Module[]> {
  const out: Module[] = [];
  for (const m of corpusModules()) {
    if (m.command !== 'module' || m.form !== 'text' || !SPEC_FILES.test(m.file)) continue;
    try {
      const bytes = await wat(m.text!);
      out.push({ name: `${m.file}:${m.line}`, toolchain: 'wabt (spec test suite)', bytes });
    } catch {
      // a module wabt.js cannot encode is not part of this corpus
    }
  }
  return out;
}

/**
 * The core modules (not components) of the npm dependencies in node_modules: one per file name (two
 * versions of a package ship the same module), without the debug and weval builds of a module that is
 * there already (the same code again, 25 MB more to validate).
 */
function npmModules(): Module[] {
  const found: Module[] = [];
  const names = new Set<string>();
  const walk = (dir: string, depth: number): void => {
    if (depth > 7 || !fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const f = path.join(dir, e.name);
      if (e.isDirectory()) walk(f, depth + 1);
      else if (e.isFile() && e.name.endsWith('.wasm') && !/\.debug\.wasm$|_weval\.wasm$/.test(e.name) && !names.has(e.name)) {
        names.add(e.name);
        const bytes = new Uint8Array(fs.readFileSync(f));
        if (bytes.length > 8 && bytes[4] === 1 && bytes[5] === 0 && bytes[6] === 0 && bytes[7] === 0) {
          found.push({ name: path.relative(ROOT, f), toolchain: `npm: ${producerOf(bytes)}`, bytes });
        }
      }
    }
  };
  walk(path.join(ROOT, 'node_modules'), 0);
  walk(path.join(ROOT, 'examples'), 0);
  return found;
}

/** The toolchain: what the `producers` section names first (wasi-sdk before rustc: a C++ program links Rust parts too), or emscripten's mark. */
function producerOf(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const at = text.lastIndexOf('producers');
  const names = at < 0 ? '' : text.slice(at, at + 600);
  if (/wasi-sdk/.test(names)) return 'wasi-sdk (clang)';
  if (/rustc/.test(names)) return 'rustc';
  if (/emscripten/.test(text)) return 'emscripten (written by binaryen wasm-opt)';
  return 'unknown toolchain (no producers section)';
}

// ---- mutants

interface Harness {
  module: Module;
  /** header, type section, import section with every defined function added as an import */
  head: Uint8Array;
  /** the sections between function and code (table, memory, tag, global, export, start, elem, data count), as they were */
  middle: Uint8Array;
  /** the data section with every segment passive and empty (the count kept) */
  data: Uint8Array;
  bodies: { start: number; end: number }[];
  /** type index of each defined function */
  funcTypes: number[];
}

const enc = (...parts: (number[] | Uint8Array)[]): Uint8Array => new Uint8Array(Buffer.concat(parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)))));
const sectionOf = (id: number, payload: Uint8Array): Uint8Array => enc([id, ...u32(payload.length)], payload);

function harness(module: Module): Harness | undefined {
  const bytes = module.bytes;
  const r = new ByteReader(bytes, 8, bytes.length);
  let types: Uint8Array = new Uint8Array(0);
  let importCount = 0;
  let importEntries: Uint8Array = new Uint8Array(0);
  const funcTypes: number[] = [];
  const middle: Uint8Array[] = [];
  const bodies: Harness['bodies'] = [];
  let dataCount = -1;
  while (!r.atEnd()) {
    const start = r.pos;
    const id = r.u8();
    const size = r.u32();
    const payload = r.pos;
    const end = payload + size;
    const whole = bytes.subarray(start, end);
    if (id === 1) types = whole;
    else if (id === 2) {
      importCount = r.u32();
      importEntries = bytes.subarray(r.pos, end);
    } else if (id === 3) {
      const n = r.u32();
      for (let i = 0; i < n; i++) funcTypes.push(r.u32());
    } else if (id === 10) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const s = r.u32();
        bodies.push({ start: r.pos, end: r.pos + s });
        r.pos += s;
      }
    } else if (id === 11) dataCount = r.u32();
    else if (id !== 0) middle.push(whole);
    r.pos = end;
  }
  if (bodies.length === 0) return undefined;
  const added = funcTypes.map((t) => [0, 0, 0, ...u32(t)]).flat();
  const imports = sectionOf(2, enc(u32(importCount + funcTypes.length), importEntries, added));
  const data = dataCount < 0 ? new Uint8Array(0) : sectionOf(11, enc(u32(dataCount), new Array(dataCount).fill([1, 0]).flat()));
  return { module, head: enc(bytes.subarray(0, 8), types, imports), middle: enc(...middle), data, bodies, funcTypes };
}

/** The harness's module with `body` as its one defined function, of defined function `k`'s type. */
function mutantOf(h: Harness, k: number, body: Uint8Array): Uint8Array {
  const funcs = sectionOf(3, enc([1, ...u32(h.funcTypes[k])]));
  const code = sectionOf(10, enc([1, ...u32(body.length)], body));
  return enc(h.head, funcs, h.middle, code, h.data);
}

/** Why V8 may rightly disagree about this body: a proposal it does not enable, or one of its limits. */
function v8Gap(body: Uint8Array): string | undefined {
  const dec = new CodeDecoder(body, 0, body.length);
  let locals = 0;
  let typed: string | undefined;
  const noteType = (t: number): void => {
    if (isRef(t) && !((heapOf(t) === HT_FUNC || heapOf(t) === HT_EXTERN) && (t & 1) === 1)) typed = 'function-references or gc (typed reference types)';
  };
  dec.readLocals((n, t) => {
    locals += n;
    noteType(t);
  });
  if (locals > V8_MAX_LOCALS) return `V8 limit: more than ${V8_MAX_LOCALS} locals`;
  while (dec.next()) {
    const d = dec.def;
    if (V8_MISSING.has(d.proposal)) return `${d.proposal} (${d.name})`;
    if (V8_MISSING_INSTRUCTIONS.has(d.name)) return `exceptions with exnref (${d.name})`;
    if ((d.imm === 'memarg' || d.imm === 'memarg_lane') && dec.memory !== 0) return 'multi-memory (memory index in a memarg)';
    if ((d.imm === 'memory' || d.imm === 'memory_memory' || d.imm === 'data_memory') && (dec.idx !== 0 || dec.idx2 !== 0) && d.name !== 'memory.init') return 'multi-memory (memory index)';
    if (d.name === 'memory.init' && dec.idx2 !== 0) return 'multi-memory (memory index)';
    if (d.imm === 'blocktype' && dec.blockKind === 1) noteType(dec.blockValue);
    if (d.imm === 'valtypes') dec.valtypes.forEach(noteType);
    if (d.name === 'ref.null' && dec.heap0 !== HT_FUNC && dec.heap0 !== HT_EXTERN) typed = 'function-references or gc (typed reference types)';
    if (typed) return typed;
  }
  return typed;
}

/**
 * Why V8 may rightly reject a whole module ours accepts: a module-level feature of a proposal Node 20's
 * V8 does not enable (several memories, 64-bit memories or tables, GC types, table initialisers).
 */
function v8ModuleGap(bytes: Uint8Array): string | undefined {
  try {
    const r = new ByteReader(bytes, 8, bytes.length);
    let memories = 0;
    const limits = (flags: number): string | undefined => (flags & 4 ? 'memory64 (a 64-bit memory or table)' : undefined);
    while (!r.atEnd()) {
      const id = r.u8();
      const size = r.u32();
      const end = r.pos + size;
      if (id === 1) {
        const n = r.u32();
        for (let i = 0; i < n; i++) {
          const form = r.peek();
          if (form !== 0x60) return 'gc (recursive, struct or array types)';
          r.u8();
          for (let k = r.u32(); k > 0; k--) r.u8();
          for (let k = r.u32(); k > 0; k--) r.u8();
        }
      } else if (id === 2) {
        for (let n = r.u32(); n > 0; n--) {
          r.nameValue();
          r.nameValue();
          const kind = r.u8();
          if (kind === 0) r.u32();
          else if (kind === 1) {
            r.u8();
            const gap = limits(r.u8());
            if (gap) return gap;
            break; // the rest of the entry is not needed
          } else if (kind === 2) {
            memories++;
            const gap = limits(r.u8());
            if (gap) return gap;
            break;
          } else break;
        }
      } else if (id === 4) {
        for (let n = r.u32(); n > 0; n--) {
          if (r.peek() === 0x40) return 'function-references (a table initialiser)';
          r.u8();
          const flags = r.u8();
          const gap = limits(flags);
          if (gap) return gap;
          r.u32();
          if (flags & 1) r.u32();
        }
      } else if (id === 5) {
        const n = r.u32();
        memories += n;
        for (let i = 0; i < n; i++) {
          const flags = r.u8();
          const gap = limits(flags);
          if (gap) return gap;
          r.u32();
          if (flags & 1) r.u32();
        }
      }
      r.pos = end;
    }
    if (memories > 1) return 'multi-memory (several memories)';
  } catch {
    return undefined;
  }
  return undefined;
}

test('V8 differential: real modules of several toolchains and 10,000 seeded byte-flip mutants of their code bodies', async (t) => {
  const t0 = performance.now();
  const lap = (what: string): void => t.diagnostic(`${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const clang = clangModules();
  if (typeof clang === 'string') return clangMissing(t, `clang could not build the C program: ${clang}`);
  lap('clang modules');
  const modules: Module[] = [...clang, ...npmModules(), { name: 'hostile-input base fixture', toolchain: 'wabt', bytes: await wat(HOSTILE_BASE_WAT) }];
  lap('npm modules read');
  const spec = await specModules();
  lap('spec-suite modules encoded');
  // one copy of each module (node_modules holds some twice)
  const seen = new Set<string>();
  const unique = [...modules, ...spec].filter((m) => {
    const h = createHash('sha256').update(m.bytes).digest('hex');
    if (seen.has(h)) return false;
    seen.add(h);
    return true;
  });
  const bugs: string[] = [];
  const byToolchain = new Map<string, { modules: number; bytes: number }>();
  const moduleGaps = new Map<string, number>();
  for (const m of unique) {
    const ours = validateWasm(m.bytes);
    const v8 = V8Wasm.validate(m.bytes);
    if (ours.valid !== v8) {
      const gap = ours.valid ? v8ModuleGap(m.bytes) : undefined;
      if (gap) moduleGaps.set(gap, (moduleGaps.get(gap) ?? 0) + 1);
      else bugs.push(`${m.name}: ours ${ours.valid ? 'valid' : `invalid (${ours.diagnostics[0].message})`}, V8 ${v8}`);
    }
    const tc = byToolchain.get(m.toolchain) ?? { modules: 0, bytes: 0 };
    byToolchain.set(m.toolchain, { modules: tc.modules + 1, bytes: tc.bytes + m.bytes.length });
    if (m.bytes.length > 100_000) t.diagnostic(`${m.name} (${m.toolchain}, ${(m.bytes.length / 1e6).toFixed(2)} MB): ours ${ours.valid ? 'valid' : 'invalid'}, V8 ${v8 ? 'valid' : 'invalid'}`);
  }
  lap('whole modules validated');
  for (const [tc, s] of byToolchain) t.diagnostic(`corpus: ${s.modules} module(s) from ${tc}, ${(s.bytes / 1e6).toFixed(2)} MB`);
  for (const [gap, n] of moduleGaps) t.diagnostic(`whole modules valid for us, not for V8: ${n} × V8 (Node 20) does not enable: ${gap}`);
  const toolchains = [...byToolchain.keys()];
  assert.ok(toolchains.some((x) => x.startsWith('clang')) && toolchains.some((x) => x.startsWith('wabt')) && toolchains.filter((x) => x.startsWith('npm')).length >= 2, toolchains.join(', '));

  // mutants: half from the real programs (clang, binaryen, npm), half from the spec suite's modules
  const real = unique.filter((m) => !m.toolchain.startsWith('wabt (spec') && V8Wasm.validate(m.bytes)).map(harness).filter((h): h is Harness => h !== undefined);
  const small = unique.filter((m) => m.toolchain.startsWith('wabt (spec') && V8Wasm.validate(m.bytes)).map(harness).filter((h): h is Harness => h !== undefined);
  assert.ok(real.length >= 6 && small.length >= 50, `${real.length} real and ${small.length} spec-suite modules to mutate`);
  const random = prng(15);
  let agreed = 0;
  let validMutants = 0;
  const causes = new Map<string, number>();
  for (let i = 0; i < MUTANTS; i++) {
    const pool = i % 2 === 0 ? real : small;
    const h = pool[Math.floor(random() * pool.length)];
    const k = Math.floor(random() * h.bodies.length);
    const b = h.bodies[k];
    const body = Uint8Array.from(h.module.bytes.subarray(b.start, b.end));
    const at = Math.floor(random() * body.length);
    body[at] ^= 1 + Math.floor(random() * 255);
    const mutant = mutantOf(h, k, body);
    const ours = validateWasm(mutant);
    const v8 = V8Wasm.validate(mutant);
    if (v8) validMutants++;
    if (ours.valid === v8) {
      agreed++;
      continue;
    }
    const gap = ours.valid ? v8Gap(body) : undefined;
    const key = gap ? `V8 (Node 20) does not enable: ${gap}` : 'bug';
    causes.set(key, (causes.get(key) ?? 0) + 1);
    if (!gap) bugs.push(`${h.module.name} function body ${k}, byte ${at} of its body: ours ${ours.valid ? 'valid' : `invalid (${ours.diagnostics[0].message})`}, V8 ${v8 ? 'valid' : 'invalid'}`);
  }
  lap('mutants validated');
  t.diagnostic(`${MUTANTS} mutants (${validMutants} valid for V8): agreement ${agreed}/${MUTANTS} = ${((100 * agreed) / MUTANTS).toFixed(2)}%`);
  for (const [cause, n] of causes) t.diagnostic(`disagreements: ${n} × ${cause}`);
  assert.deepEqual(bugs.slice(0, 20), [], `${bugs.length} disagreements that no V8 gap explains`);
  // the mutants must exercise both verdicts
  assert.ok(validMutants > MUTANTS / 20 && validMutants < MUTANTS - MUTANTS / 20, `${validMutants} of ${MUTANTS} mutants valid`);
});
