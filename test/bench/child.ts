/**
 * One measurement in its own process: `child.ts TASK PEER FILE REPEATS BUDGET_MS`.
 * Prints one JSON line per completed run (`{"t": ms}`), then the memory figures. The parent caps the
 * wall time and kills this process, so a peer that hangs or runs out of memory only loses its row.
 *
 * Memory: the input is read into one preallocated buffer, then the child's peak RSS is taken as the
 * baseline; `peakDeltaMB` is how much the peak rose while the operation ran (GC between runs).
 */
import * as fs from 'fs';
import * as path from 'path';
import { readWasm } from '../../server/src/engine/binary/reader';
import { HEADER_READ_OPTIONS } from '../../server/src/engine/binary/file-reader';
import { parseWat } from '../../server/src/engine/wat';
import { assembleWat } from '../../server/src/engine/assemble';
import { checkFile, checkWasmBytes } from '../../server/src/engine/operations/check';
import { PolicyStore } from '../../server/src/engine/policy/store';
import { scanFolder } from '../../server/src/engine/scan';
import { validateWasm } from '../../server/src/engine/validate/module-validator';
import { validateFile } from '../../server/src/engine/operations/validate';
import { LiveTypeChecker } from '../../server/src/engine/validate/live';
import { validateWatDocument } from '../../server/src/engine/validate/wat';
import { peerRequire, repoRequire, ROOT } from './util';
import { analyzeCode } from '../../server/src/engine/code/code-analysis';
import { importedFuncCount } from '../../server/src/engine/code/code-scan';

const [task, peer, file, repeatsArg, budgetArg] = process.argv.slice(2);
const repeats = Number(repeatsArg);
const budgetMs = Number(budgetArg);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const emit = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');
const maxRssMB = () => process.resourceUsage().maxRSS / 1024;
/**
 * A run made of a parse and a check on its result records both parts' times here (the WAT validation
 * rows): emitted with the run's time, so the bench can set each run's check against its own parse.
 */
let runParts: { parse: number; check: number } | undefined;

/** wabt's feature flags, passed to parsing and to validate() alike (see the gotchas doc). */
const WABT_FEATURES = {
  exceptions: true, mutable_globals: true, sat_float_to_int: true, sign_extension: true, simd: true, threads: true,
  function_references: true, multi_value: true, tail_call: true, bulk_memory: true, reference_types: true,
  annotations: true, code_metadata: true, gc: true, memory64: true, extended_const: true, relaxed_simd: true,
};

/** The minimal section-header scan: magic/version, then (id, LEB128 size) pairs, skipping each payload. */
export function headerScan(b: Uint8Array): number {
  let p = 8;
  let n = 0;
  while (p < b.length) {
    p++; // id
    let size = 0;
    let shift = 0;
    let byte;
    do {
      byte = b[p++];
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    p += size;
    n++;
  }
  if (p !== b.length) throw new Error('section sizes do not add up');
  return n;
}

/**
 * The same scan from the file, as a tool that is given a path does it: open, size, one positional read
 * of each section header (id + LEB128 size; payloads skipped), close. Returns the section count.
 */
export function headerScanFile(f: string, head = Buffer.alloc(16)): number {
  return scanFileHeaders(f, head);
}

/**
 * The scan above; `onImports` (if given) is handed the open file, the import section's payload offset
 * and size (the bare scan passes none: one comparison per section is all it costs it).
 */
function scanFileHeaders(f: string, head: Buffer, onImports?: (fd: number, offset: number, size: number) => void): number {
  const fd = fs.openSync(f, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    let p = 8;
    let sections = 0;
    while (p < size) {
      const got = fs.readSync(fd, head, 0, 16, p);
      let q = 1;
      let len = 0;
      let shift = 0;
      let byte;
      do {
        byte = head[q++];
        len += (byte & 0x7f) * 2 ** shift;
        shift += 7;
      } while (byte & 0x80 && q < got);
      if (onImports !== undefined && head[0] === 2) onImports(fd, p + q, len);
      p += q + len;
      sections++;
    }
    return sections;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The least a check of a module's imports has to do, from the file: the bare scan above, plus one
 * read of the import section and a walk over its entries (lengths and kinds; no strings, no objects,
 * no policy). Shown beside the bare scan for modules whose import section the scan never reads.
 * Returns the import count.
 */
export function importWalkFile(f: string, head = Buffer.alloc(16), buf = { bytes: Buffer.alloc(64 * 1024) }): number {
  let imports = 0;
  scanFileHeaders(f, head, (fd, offset, size) => {
    if (buf.bytes.length < size) buf.bytes = Buffer.alloc(size);
    fs.readSync(fd, buf.bytes, 0, size, offset);
    imports = walkImports(buf.bytes, size);
  });
  return imports;
}

/** Walks an import section's entries (core module encoding); returns their count. */
function walkImports(b: Uint8Array, end: number): number {
  let p = 0;
  const leb = () => {
    let v = 0;
    let shift = 0;
    let byte;
    do {
      byte = b[p++];
      v += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return v;
  };
  /** a value or reference type: one byte, or (ref null? ht) with a signed LEB128 heap type */
  const valType = () => {
    const t = b[p++];
    if (t === 0x63 || t === 0x64) leb();
  };
  const limits = () => {
    const flags = b[p++];
    leb();
    if (flags & 1) leb();
    if (flags & 8) leb();
  };
  const n = leb();
  for (let i = 0; i < n; i++) {
    // (the length first: `p += leb()` would read p before leb() moves it)
    const moduleLength = leb();
    p += moduleLength;
    const nameLength = leb();
    p += nameLength;
    switch (b[p++]) {
      case 0: leb(); break; // func: type index
      case 1: valType(); limits(); break; // table
      case 2: limits(); break; // memory
      case 3: valType(); p++; break; // global: type, mutability
      case 4: p++; leb(); break; // tag: attribute, type index
      default: throw new Error(`unknown import kind at ${p - 1}`);
    }
  }
  if (p !== end) throw new Error('import entries do not add up to the section');
  return n;
}

function readInput(): Uint8Array {
  const fd = fs.openSync(file, 'r');
  const size = fs.fstatSync(fd).size;
  const bytes = new Uint8Array(size);
  let off = 0;
  while (off < size) off += fs.readSync(fd, bytes, off, size - off, off);
  fs.closeSync(fd);
  return bytes;
}

async function setup(): Promise<() => unknown> {
  if (task === 'wasm') {
    const bytes = readInput();
    switch (peer) {
      case 'ours': {
        const store = new PolicyStore({ roots: [], explicitPath: path.join(ROOT, 'examples', 'workspace', 'wasm-warden.policy.json') });
        const policy = store.policyFor(file);
        return () => {
          // what the check operation does for a policy that does not hash modules (engine/operations/check.ts)
          const read = readWasm(bytes, HEADER_READ_OPTIONS);
          const d = checkWasmBytes(bytes, read, file, policy);
          if (read.diagnostics.some((x) => x.severity === 'error')) throw new Error(`rejected: ${read.diagnostics[0].message}`);
          return d.length;
        };
      }
      case 'ours-file': {
        // the product's path from disk: checkFile (header reads, lazy decode of what the rules need)
        const store = new PolicyStore({ roots: [], explicitPath: path.join(ROOT, 'examples', 'workspace', 'wasm-warden.policy.json') });
        return () => {
          const r = checkFile(file, store);
          if (r.diagnostics.some((x) => x.source === 'wasm-reader' && x.severity === 'error')) throw new Error(`rejected: ${r.diagnostics[0].message}`);
          return r.diagnostics.length;
        };
      }
      case 'header-file': {
        const head = Buffer.alloc(16);
        return () => headerScanFile(file, head);
      }
      case 'imports-file': {
        const head = Buffer.alloc(16);
        const buf = { bytes: Buffer.alloc(64 * 1024) };
        return () => importWalkFile(file, head, buf);
      }
      case 'ours-nonames':
        return () => readWasm(bytes, { names: false }).diagnostics.length;
      case 'code-scan':
        // the code rules' pass as a check runs it: the header read for the model, then one pass over code and data
        return () => {
          const model = readWasm(bytes, HEADER_READ_OPTIONS).model;
          const a = analyzeCode(bytes, { importedFuncs: importedFuncCount(model), start: model.start?.func });
          if (a.error) throw new Error(`code scan: ${a.error}`);
          return a.instructions;
        };
      case 'validator':
        return () => {
          const v = validateWasm(bytes);
          if (!v.valid) throw new Error(`invalid: ${v.diagnostics[0]?.message}`);
        };
      case 'header':
        return () => headerScan(bytes);
      case 'v8':
        return () => {
          if (!(globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(bytes)) throw new Error('WebAssembly.validate: false');
        };
      case 'wabt': {
        const wabt = await (repoRequire('wabt') as () => Promise<any>)();
        return () => {
          const m = wabt.readWasm(bytes, { readDebugNames: true, ...WABT_FEATURES });
          try {
            m.validate(WABT_FEATURES);
          } finally {
            m.destroy();
          }
        };
      }
      case 'webassemblyjs': {
        const { decode } = peerRequire('@webassemblyjs/wasm-parser');
        return () => decode(bytes, { ignoreCodeSection: false, ignoreDataSection: false });
      }
    }
  }
  if (task === 'validate') {
    // spec validation of a binary (the Validate command's engine); peers V8 and wabt.js are task `wasm`'s
    switch (peer) {
      case 'ours': {
        const bytes = readInput();
        return () => {
          const r = validateWasm(bytes);
          if (!r.valid) throw new Error(`rejected: ${r.diagnostics[0].message}`);
          return r;
        };
      }
      case 'ours-file': {
        // the whole operation: read the file, policy check, validate (async slices)
        const store = new PolicyStore({ roots: [], explicitPath: path.join(ROOT, 'examples', 'workspace', 'wasm-warden.policy.json') });
        return async () => {
          const r = await validateFile(file, store);
          if (!r.valid) throw new Error(`rejected: ${r.findings.find((f) => f.severity === 'error')?.message}`);
          return r;
        };
      }
    }
  }
  if (task === 'wat') {
    const text = readInput();
    const str = new TextDecoder().decode(text);
    switch (peer) {
      case 'ours':
        return () => {
          const doc = parseWat(str);
          if (doc.diagnostics.some((d) => d.severity === 'error')) throw new Error(`rejected: ${doc.diagnostics.find((d) => d.severity === 'error')!.message}`);
          return doc.tree;
        };
      case 'ours+live':
        // the editor opening the file: the server's parse, then the live type checker's first full check
        return () => {
          const t0 = performance.now();
          const doc = parseWat(str);
          const t1 = performance.now();
          const found = new LiveTypeChecker().check(doc);
          runParts = { parse: t1 - t0, check: performance.now() - t1 };
          if (found.length > 0) throw new Error(`live type check: ${found[0].message}`);
          return doc.tree;
        };
      case 'ours+validate':
        // the Validate operation on a .wat: the check's parse, then spec validation of its tree
        return () => {
          const t0 = performance.now();
          const doc = parseWat(str);
          const t1 = performance.now();
          const found = validateWatDocument(doc);
          runParts = { parse: t1 - t0, check: performance.now() - t1 };
          if (found.length > 0) throw new Error(`validate: ${found[0].message}`);
          return doc.tree;
        };
      case 'wabt': {
        const wabt = await (repoRequire('wabt') as () => Promise<any>)();
        return () => wabt.parseWat('input.wat', str, WABT_FEATURES).destroy();
      }
      case 'binaryen': {
        const binaryen = (await import(repoRequire.resolve('binaryen'))).default;
        return () => {
          const m = binaryen.parseText(str);
          m.dispose();
        };
      }
      case 'wast-parser': {
        const { parse } = peerRequire('@webassemblyjs/wast-parser');
        return () => parse(str);
      }
    }
  }
  if (task === 'assemble') {
    // WAT text -> .wasm bytes, in-process
    const str = new TextDecoder().decode(readInput());
    switch (peer) {
      case 'ours':
        return () => {
          const a = assembleWat(str, { names: false, instructionMap: false });
          if (a.diagnostics.length > 0) throw new Error(`rejected: ${a.diagnostics[0].message}`);
          return a.bytes.length;
        };
      case 'wabt': {
        const wabt = await (repoRequire('wabt') as () => Promise<any>)();
        return () => {
          const m = wabt.parseWat('input.wat', str, WABT_FEATURES);
          try {
            m.resolveNames();
            return m.toBinary({}).buffer.length;
          } finally {
            m.destroy();
          }
        };
      }
      case 'binaryen': {
        const binaryen = (await import(repoRequire.resolve('binaryen'))).default;
        return () => {
          const m = binaryen.parseText(str);
          try {
            return m.emitBinary().length;
          } finally {
            m.dispose();
          }
        };
      }
    }
  }
  if (task === 'wast-dir') {
    // FILE is a folder of .wast scripts (the spec test suite); one run parses all of them
    const texts = fs.readdirSync(file).filter((f) => f.endsWith('.wast')).sort().map((f) => fs.readFileSync(path.join(file, f), 'utf8'));
    return () => {
      let modules = 0;
      for (const t of texts) modules += parseWat(t, { script: true }).modules.length;
      return modules;
    };
  }
  if (task === 'scan') {
    // FILE is the folder; one run = one pass over every module in it
    switch (peer) {
      case 'ours':
        return () => {
          const store = new PolicyStore({ roots: [file] });
          let n = 0;
          for (const f of scanFolder(file)) n += checkFile(f, store).diagnostics.length >= 0 ? 1 : 0;
          return n;
        };
      case 'read':
        // a plain read of every file (the same walk)
        return () => {
          let bytes = 0;
          for (const f of scanFolder(file)) bytes += fs.readFileSync(f).length;
          return bytes;
        };
      case 'headers':
        // only the section headers: positional reads of each (id, size) pair, payloads skipped
        return () => {
          const head = Buffer.alloc(16);
          let sections = 0;
          for (const f of scanFolder(file)) sections += headerScanFile(f, head);
          return sections;
        };
    }
  }
  throw new Error(`unknown task/peer ${task}/${peer}`);
}

/** A counted sample of an operation faster than this is the mean of a batch of runs this long. */
const BATCH_MS = 10;

async function main(): Promise<void> {
  const op = await setup();
  gc();
  const base = maxRssMB();
  const t0 = performance.now();
  let counted = 0;
  let warm = false;
  // runs per counted sample: 1, unless warm-up showed the operation takes well under BATCH_MS (a
  // sub-millisecond run timed alone, right after a GC, measures the timer, cold caches and page
  // faults more than the operation); the same rule for every peer
  let batch = 1;
  let peakAtWarm: number | undefined;
  let failed = false;
  const warmTimes: number[] = [];
  for (let i = 0; counted < repeats; i++) {
    const t = performance.now();
    try {
      for (let k = 0; k < batch; k++) {
        const r = op();
        if (r instanceof Promise) await r; // only the asynchronous operations pay for an await
      }
    } catch (e) {
      const msg = String((e as Error).message ?? e);
      // some parsers put a code frame first: keep the line that says what went wrong
      const line = msg.split('\n').find((l) => /error|unexpected|expected/i.test(l)) ?? msg.trim().split('\n')[0];
      emit({ failure: line.trim().slice(0, 300) });
      failed = true;
      break;
    }
    const dt = (performance.now() - t) / batch;
    // warm-up (the JIT, for every peer alike): runs are not counted until 3 runs and 500 ms have passed
    // (3 runs alone would leave a sub-millisecond operation in the interpreter), unless a run is slow
    // enough (> 1 s) that warm-up does not matter, or only one run was asked for
    if (warm || dt > 1000 || repeats === 1) {
      emit({ t: dt, ...(batch > 1 && { batch }), ...(batch === 1 && runParts && { parts: runParts }) });
      counted++;
    } else {
      warmTimes.push(dt);
    }
    if (!warm && i >= 2) {
      // memory is one call's footprint: taken after three single calls, before batches add the
      // garbage of many calls between GCs
      peakAtWarm ??= maxRssMB();
      // the rest of the warm-up runs in batches too: single calls each followed by a full GC gave a
      // sub-millisecond operation only a few hundred calls in 500 ms, too few for V8 to finish
      // optimizing code with more than one hot function (the bare scan got there, a check did not)
      const recent = warmTimes.slice(-5).sort((a, b) => a - b);
      const typical = recent[Math.floor(recent.length / 2)] ?? dt;
      batch = Math.max(1, Math.min(1000, Math.floor(BATCH_MS / Math.max(typical, 1e-3))));
      if (performance.now() - t0 > 500) warm = true;
    }
    gc();
    if (performance.now() - t0 > budgetMs) break;
  }
  const peak = batch > 1 && peakAtWarm !== undefined ? peakAtWarm : maxRssMB();
  emit({ peakDeltaMB: Math.max(0, peak - base), maxRssMB: peak });
  // what one call allocates and holds (V8 heap + external memory, array buffers included), measured from
  // a GC to the call's return with its result kept: a fresh process's peak RSS moves by several MB on
  // its own (the bare scan, which allocates nothing, shows it too), this does not
  if (counted > 0 && !failed && ((task === 'wasm' && ['ours', 'ours-file', 'header', 'header-file'].includes(peer)) || (task === 'validate' && peer === 'ours'))) {
    const used = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.external;
    };
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      gc();
      const before = used();
      let kept = op();
      if (kept instanceof Promise) kept = await kept;
      samples.push(Math.max(0, used() - before) / 2 ** 20);
      void kept;
    }
    emit({ allocMB: samples.sort((a, b) => a - b)[1] });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    emit({ failure: String((e as Error).stack ?? e).slice(0, 300) });
    process.exit(1);
  },
);
