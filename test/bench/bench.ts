/**
 * `npm run bench [-- --quick] [-- --only NAME[,NAME]] [-- --no-build]`
 *
 * Benchmarks Wasm Warden against the tools people would use instead, on real modules, measuring every
 * peer in the same run on the same inputs (the machine is shared: only same-run ratios mean anything).
 * Prints a table per group and the targets (met or not), and writes .bench/results.json.
 * Groups (NAME): policy, validate, code, wat, assemble, print, lsp, editing, scan, activation, sandbox, fuzz. See docs/performance.md.
 * Not part of the test suite; the targets live here, never in tests.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  CACHE, LARGE_MODULES, NM, ROOT, ROUND_TRIP, SMALL_MODULES, WAT_LARGE, WAT_LSP, WAT_SMALL, buildChild, ensureComponents, ensurePeers, ensureWat, fmtMs, fmtRatio,
  log, nativeCommand, runChild, runInterleaved, stats, type ChildResult, type Stats,
} from './util';
import { editToDiagnostics } from './lsp-edit';
import { assembleWat } from '../../server/src/engine/assemble';
import { editingBench } from './editing';
import { readWasm } from '../../server/src/engine/binary/reader';
import { checkModel } from '../../server/src/engine/policy/check';
import { effectivePolicy } from '../../server/src/engine/policy/load';

/** The code rules (and the import rules of issue 19), for the false-positive count. */
const CODE_RULE_IDS = new Set(['hash-kernel', 'mining-kernel', 'network-endpoint', 'suspicious-string', 'packed-payload', 'high-entropy-data', 'host-code-execution', 'capability-combination']);
import { moduleOpen } from './module-open';
import { requestLatency, type LspRequest } from './lsp-requests';
import { bareRun, ensureGuest, loadBundledRunner, sandboxRun } from './sandbox';
import { oneBodyModule, printJco, printNative, printOurs, viewOverLsp, type ProcessRun } from './print';
import type { OwnRoundTrip } from './own-round-trip';
import { fuzzerRate, plainLoopRate, smallExportModule } from './fuzz';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const onlyIdx = argv.indexOf('--only');
const ONLY = onlyIdx >= 0 ? new Set(argv[onlyIdx + 1].split(',')) : undefined;
const GROUPS = ['policy', 'validate', 'code', 'wat', 'assemble', 'print', 'lsp', 'editing', 'scan', 'activation', 'sandbox', 'fuzz'];
if (ONLY) for (const g of ONLY) if (!GROUPS.includes(g)) throw new Error(`--only: unknown group ${g} (one of ${GROUPS.join(', ')})`);
const want = (g: string) => !ONLY || ONLY.has(g);

const REPEATS = QUICK ? 3 : 7;

interface Row {
  group: string;
  op: string;
  input: string;
  inputMB: number;
  peer: string;
  stats?: Stats;
  mbPerS?: number;
  peakDeltaMB?: number;
  /** what one call allocates and holds (heap + external) */
  allocMB?: number;
  maxRssMB?: number;
  capped?: boolean;
  capMs?: number;
  failure?: string;
  /** ratio of this peer's median to ours (peer / ours): > 1 means we are faster */
  ratio?: number;
  note?: string;
}
interface Target {
  group: string;
  target: string;
  measured: string;
  met: boolean | 'n/a';
}
const rows: Row[] = [];
const targets: Target[] = [];

function rowFrom(group: string, op: string, input: string, bytes: number, peer: string, r: ChildResult, note?: string): Row {
  const s = stats(r.times);
  const row: Row = {
    group, op, input, inputMB: bytes / 1e6, peer, stats: s,
    mbPerS: s ? bytes / 1e6 / (s.median / 1000) : undefined,
    peakDeltaMB: r.peakDeltaMB, maxRssMB: r.maxRssMB, allocMB: r.allocMB,
    capped: r.capped && !s ? true : r.capped, capMs: r.capMs, failure: r.failure, note,
  };
  rows.push(row);
  const status = row.failure ? `FAILED: ${row.failure.split('\n')[0].slice(0, 80)}` : s ? `${fmtMs(s.median)} ms (n=${s.n})${r.capped ? ' capped' : ''}` : `>= cap ${r.capMs} ms`;
  log(`${group} ${op} ${input} ${peer}: ${status}`);
  return row;
}

/** A peer's median, or the cap as a lower bound when it never finished (capped), or undefined (failed). */
function medianOrCap(r: Row): { ms: number; lowerBound: boolean } | undefined {
  if (r.failure) return undefined;
  if (r.stats) return { ms: r.stats.median, lowerBound: false };
  if (r.capped) return { ms: r.capMs!, lowerBound: true };
  return undefined;
}

/** Bytes of the code section (id 10) and the section count, by walking the headers. */
function codeSectionBytes(b: Uint8Array): number {
  let p = 8;
  let code = 0;
  while (p < b.length) {
    const id = b[p++];
    let size = 0;
    let shift = 0;
    let byte;
    do {
      byte = b[p++];
      size += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    if (id === 10) code = size;
    p += size;
  }
  return code;
}

// ---------------------------------------------------------------------------------------------
async function policyGroup(): Promise<void> {
  const large = QUICK ? { 'biome (Rust)': LARGE_MODULES['biome (Rust)'], 'esbuild (Go)': LARGE_MODULES['esbuild (Go)'] } : LARGE_MODULES;
  const small = QUICK ? { 'onig (C emcc)': SMALL_MODULES['onig (C emcc)'] } : SMALL_MODULES;
  // components (issue 18): their check reads their own sections, not the program inside
  const components = await ensureComponents();
  const inputs = { ...large, ...small, ...components };
  const wabtCap = QUICK ? 30_000 : 90_000;
  const perModule: { name: string; bytes: number; codeBytes: number; ours: Row; header: Row; oursFile: Row; headerFile: Row; importsFile: Row; v8: Row; wabt: Row }[] = [];
  const componentRows: { name: string; ours: Row; header: Row; oursFile: Row; headerFile: Row; importsFile: Row }[] = [];
  for (const [name, rel] of Object.entries(inputs)) {
    const file = path.resolve(NM, rel);
    const component = Object.values(components).includes(rel);
    const bytes = fs.statSync(file).size;
    const codeBytes = codeSectionBytes(new Uint8Array(fs.readFileSync(file)));
    const op = 'policy check .wasm';
    const R = QUICK ? 1 : 3;
    const res = await runInterleaved([
      { key: 'ours', task: 'wasm', peer: 'ours', file, opts: { repeats: REPEATS + (QUICK ? 0 : 2), budgetMs: 20_000, capMs: 120_000 }, rounds: R },
      { key: 'nonames', task: 'wasm', peer: 'ours-nonames', file, opts: { repeats: REPEATS + (QUICK ? 0 : 2), budgetMs: 20_000, capMs: 120_000 }, rounds: R },
      { key: 'header', task: 'wasm', peer: 'header', file, opts: { repeats: REPEATS + (QUICK ? 0 : 2), budgetMs: 5_000, capMs: 60_000 }, rounds: R },
      { key: 'oursFile', task: 'wasm', peer: 'ours-file', file, opts: { repeats: REPEATS + (QUICK ? 0 : 2), budgetMs: 10_000, capMs: 60_000 }, rounds: R },
      { key: 'headerFile', task: 'wasm', peer: 'header-file', file, opts: { repeats: REPEATS + (QUICK ? 0 : 2), budgetMs: 5_000, capMs: 60_000 }, rounds: R },
      { key: 'importsFile', task: 'wasm', peer: 'imports-file', file, opts: { repeats: REPEATS + (QUICK ? 0 : 2), budgetMs: 5_000, capMs: 60_000 }, rounds: R },
      // V8, wabt and webassemblyjs read core modules only
      ...(component
        ? []
        : [
            { key: 'v8', task: 'wasm', peer: 'v8', file, opts: { repeats: REPEATS + (QUICK ? 0 : 2), budgetMs: 20_000, capMs: 120_000 }, rounds: R },
            { key: 'wabt', task: 'wasm', peer: 'wabt', file, opts: { repeats: QUICK ? 1 : 3, budgetMs: 15_000, capMs: wabtCap } },
            { key: 'wajs', task: 'wasm', peer: 'webassemblyjs', file, opts: { repeats: QUICK ? 1 : 3, budgetMs: 15_000, capMs: QUICK ? 20_000 : 60_000 } },
          ]),
    ]);
    if (component) {
      const ours = rowFrom('policy', op, name, bytes, 'ours: readWasm (headers) + checkModel', res.ours);
      rowFrom('policy', op, name, bytes, '(info) ours: readWasm, names off', res.nonames);
      const header = rowFrom('policy', op, name, bytes, 'bare section-header scan', res.header);
      const oursFile = rowFrom('policy', op, name, bytes, 'ours from the file: checkFile', res.oursFile);
      const headerFile = rowFrom('policy', op, name, bytes, 'bare section-header scan of the file', res.headerFile);
      const importsFile = rowFrom('policy', op, name, bytes, '(info) header scan + import-section walk of the file', res.importsFile);
      componentRows.push({ name, ours, header, oursFile, headerFile, importsFile });
      continue;
    }
    const ours = rowFrom('policy', op, name, bytes, 'ours: readWasm (headers) + checkModel', res.ours);
    rowFrom('policy', op, name, bytes, '(info) ours: readWasm, names off', res.nonames);
    const header = rowFrom('policy', op, name, bytes, 'bare section-header scan', res.header);
    const oursFile = rowFrom('policy', op, name, bytes, 'ours from the file: checkFile', res.oursFile);
    const headerFile = rowFrom('policy', op, name, bytes, 'bare section-header scan of the file', res.headerFile);
    const importsFile = rowFrom('policy', op, name, bytes, '(info) header scan + import-section walk of the file', res.importsFile);
    const v8 = rowFrom('policy', op, name, bytes, 'V8 WebAssembly.validate', res.v8);
    const wabt = rowFrom('policy', op, name, bytes, 'wabt.js readWasm+validate', res.wabt);
    rowFrom('policy', op, name, bytes, '@webassemblyjs/wasm-parser decode', res.wajs);
    perModule.push({ name, bytes, codeBytes, ours, header, oursFile, headerFile, importsFile, v8, wabt });
  }
  for (const r of rows.filter((x) => x.group === 'policy')) {
    const m = perModule.find((x) => x.name === r.input) ?? componentRows.find((x) => x.name === r.input)!;
    // rows from the file compare with ours from the file; the others with ours in memory
    const ours = r.peer.endsWith('of the file') ? m.oursFile : m.ours;
    const p = medianOrCap(r);
    if (ours.stats && p) r.ratio = p.ms / ours.stats.median;
  }
  const ok = perModule.filter((m) => m.ours.stats);
  // >= 100x faster than wabt.js
  const wabtRatios = ok.map((m) => ({ m, p: medianOrCap(m.wabt) })).filter((x) => x.p);
  const worstWabt = wabtRatios.map((x) => ({ name: x.m.name, r: x.p!.ms / x.m.ours.stats!.median, lb: x.p!.lowerBound })).sort((a, b) => a.r - b.r);
  targets.push({
    group: 'policy', target: 'policy check >= 100x faster than wabt.js readWasm+validate (every module)',
    measured: worstWabt.map((w) => `${w.name} ${w.lb ? '>=' : ''}${fmtRatio(w.r)}`).join(', '),
    met: worstWabt.length ? worstWabt.every((w) => w.r >= 100) : 'n/a',
  });
  const big = ok.filter((m) => m.bytes > 10e6 && m.v8.stats);
  targets.push({
    group: 'policy', target: 'faster than V8 WebAssembly.validate on modules > 10 MB',
    measured: big.map((m) => `${m.name} ${fmtRatio(m.v8.stats!.median / m.ours.stats!.median)}`).join(', '),
    met: big.length ? big.every((m) => m.v8.stats!.median > m.ours.stats!.median) : 'n/a',
  });
  // Judged from the file, as the product and the issue's figure (~0.2 ms for a 45 MB module) have it:
  // checkFile against open + one positional read per section header + close. In memory (both given
  // the bytes) the scan is a ~10 µs loop over ~15 headers; that ratio is shown for information.
  const hs = perModule.filter((m) => m.oursFile.stats && m.headerFile.stats);
  targets.push({
    group: 'policy', target: 'within 3x of a bare section-header scan, from the file (checkFile / scan <= 3; info: in memory, and against the scan plus a walk of the import section)',
    measured: hs
      .map((m) => {
        const inMemory = m.ours.stats && m.header.stats ? fmtRatio(m.ours.stats.median / m.header.stats.median) : 'n/a';
        const withImports = m.importsFile.stats ? fmtRatio(m.oursFile.stats!.median / m.importsFile.stats.median) : 'n/a';
        return `${m.name} ${fmtRatio(m.oursFile.stats!.median / m.headerFile.stats!.median)} (${fmtMs(m.oursFile.stats!.median)} vs ${fmtMs(m.headerFile.stats!.median)} ms; in memory ${inMemory}; vs scan + import walk ${withImports})`;
      })
      .join(', '),
    met: hs.length ? hs.every((m) => m.oursFile.stats!.median <= 3 * m.headerFile.stats!.median) : 'n/a',
  });
  const ch = componentRows.filter((m) => m.oursFile.stats && m.headerFile.stats);
  targets.push({
    group: 'policy', target: 'components: the policy check within 3x of a bare section-header scan of the component, from the file (checkFile / scan <= 3)',
    measured: ch.map((m) => `${m.name} ${fmtRatio(m.oursFile.stats!.median / m.headerFile.stats!.median)} (${fmtMs(m.oursFile.stats!.median)} vs ${fmtMs(m.headerFile.stats!.median)} ms)`).join(', '),
    met: ch.length ? ch.every((m) => m.oursFile.stats!.median <= 3 * m.headerFile.stats!.median) : 'n/a',
  });
  // memory does not grow with code size: what one check allocates and holds (V8 heap + external, from a
  // GC to the call's return, the result kept) against the module's code section bytes, fitted slope (MB
  // per MB of code). Peak RSS deltas are shown too, but a fresh process's peak moves by several MB on its
  // own: the bare scan, which allocates nothing, rises 0-5 MB, more on the large inputs.
  const pts = ok.filter((m) => m.ours.allocMB !== undefined).map((m) => ({ x: m.codeBytes / 1e6, y: m.ours.allocMB! }));
  let slope = NaN;
  if (pts.length >= 2) {
    const mx = pts.reduce((a, p) => a + p.x, 0) / pts.length;
    const my = pts.reduce((a, p) => a + p.y, 0) / pts.length;
    slope = pts.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0) / pts.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  }
  targets.push({
    group: 'policy', target: 'memory does not grow with code size (what one check allocates and holds: slope < 0.05 MB per MB of code section)',
    measured: `slope ${slope.toFixed(4)}; ` + ok.map((m) => `${m.name}: code ${(m.codeBytes / 1e6).toFixed(1)} MB -> ${m.ours.allocMB !== undefined ? (m.ours.allocMB * 1024).toFixed(0) + ' KiB' : 'n/a'} (peak RSS +${m.ours.peakDeltaMB?.toFixed(0)} MB, bare scan's +${m.header.peakDeltaMB?.toFixed(0)})`).join(', '),
    met: Number.isFinite(slope) ? slope < 0.05 : 'n/a',
  });
}

// ---------------------------------------------------------------------------------------------
/**
 * The code rules' analysis pass (engine/code/code-analysis.ts: every function body through the streaming
 * decoder, every data segment) against our own validator (validateWasm, which also reads every body once)
 * on the same large modules: the issue's budget is within 2x of the validator.
 */
async function codeGroup(): Promise<void> {
  const inputs = QUICK ? { 'biome (Rust)': LARGE_MODULES['biome (Rust)'] } : LARGE_MODULES;
  const pairs: { name: string; scan: Row; validator: Row }[] = [];
  for (const [name, rel] of Object.entries(inputs)) {
    const file = path.join(NM, rel);
    const bytes = fs.statSync(file).size;
    const R = QUICK ? 1 : 3;
    const res = await runInterleaved([
      { key: 'scan', task: 'wasm', peer: 'code-scan', file, opts: { repeats: REPEATS, budgetMs: 30_000, capMs: 180_000 }, rounds: R },
      { key: 'validator', task: 'wasm', peer: 'validator', file, opts: { repeats: REPEATS, budgetMs: 30_000, capMs: 180_000 }, rounds: R },
    ]);
    const scan = rowFrom('code', 'code scan .wasm', name, bytes, 'ours: header read + code analysis pass', res.scan);
    const validator = rowFrom('code', 'code scan .wasm', name, bytes, 'ours: validateWasm (every body)', res.validator);
    if (scan.stats && validator.stats) validator.ratio = validator.stats.median / scan.stats.median;
    pairs.push({ name, scan, validator });
  }
  const ok = pairs.filter((p) => p.scan.stats && p.validator.stats);
  // false positives: every real module (all benign) checked with the code scan on, findings counted by rule and severity
  const counts: string[] = [];
  let errors = 0;
  for (const [name, rel] of Object.entries({ ...LARGE_MODULES, ...SMALL_MODULES })) {
    const file = path.join(NM, rel);
    const bytes = new Uint8Array(fs.readFileSync(file));
    const read = readWasm(bytes, { names: true });
    const found = checkModel(read.model, effectivePolicy({ code: { scan: true } }, file), { bytes }).filter((d) => CODE_RULE_IDS.has(d.code));
    const by = new Map<string, number>();
    for (const d of found) by.set(`${d.code} ${d.severity}`, (by.get(`${d.code} ${d.severity}`) ?? 0) + 1);
    errors += found.filter((d) => d.severity === 'error').length;
    counts.push(`${name}: ${[...by].map(([k, n]) => `${n} ${k}`).join(', ') || 'none'}`);
    log(`code findings on ${name}: ${[...by].map(([k, n]) => `${n} ${k}`).join(', ') || 'none'}`);
  }
  targets.push({ group: 'code', target: 'no error-severity code finding on the benign real modules (code.scan on, default severities)', measured: counts.join('; '), met: errors === 0 });
  targets.push({
    group: 'code',
    target: 'code scan of a large module within 2x of our validator\'s time on it (scan / validateWasm <= 2)',
    measured: ok.map((p) => `${p.name} ${fmtRatio(p.scan.stats!.median / p.validator.stats!.median)} (${fmtMs(p.scan.stats!.median)} vs ${fmtMs(p.validator.stats!.median)} ms, peak +${p.scan.peakDeltaMB?.toFixed(0)} MB)`).join(', '),
    met: ok.length ? ok.every((p) => p.scan.stats!.median <= 2 * p.validator.stats!.median) : 'n/a',
  });
}

/**
 * Spec validation of real binaries (issue 15): our validator (engine/validate) against V8's
 * WebAssembly.validate, wabt.js readWasm+validate (what Validate used before) and Debian's native
 * wasm-validate (its whole process: it is given the path, as a user runs it).
 */
async function validateGroup(): Promise<void> {
  const names = QUICK ? ['biome (Rust)'] : ['biome (Rust)', 'duckdb-eh (C++ emcc)', 'z3 (C++ emcc)'];
  const native = nativeCommand('wasm-validate');
  const op = 'validate .wasm';
  const per: { name: string; bytes: number; ours: Row; file: Row; v8: Row; wabt: Row; native?: Row }[] = [];
  for (const name of names) {
    const file = path.join(NM, LARGE_MODULES[name]);
    const bytes = fs.statSync(file).size;
    const R = QUICK ? 1 : 3;
    const res = await runInterleaved([
      { key: 'ours', task: 'validate', peer: 'ours', file, opts: { repeats: REPEATS + (QUICK ? 0 : 2), budgetMs: 30_000, capMs: 120_000 }, rounds: R },
      { key: 'file', task: 'validate', peer: 'ours-file', file, opts: { repeats: REPEATS, budgetMs: 30_000, capMs: 120_000 }, rounds: R },
      { key: 'v8', task: 'wasm', peer: 'v8', file, opts: { repeats: REPEATS + (QUICK ? 0 : 2), budgetMs: 20_000, capMs: 120_000 }, rounds: R },
      { key: 'wabt', task: 'wasm', peer: 'wabt', file, opts: { repeats: QUICK ? 1 : 3, budgetMs: 15_000, capMs: QUICK ? 30_000 : 90_000 } },
    ]);
    const row = {
      name,
      bytes,
      ours: rowFrom('validate', op, name, bytes, 'ours: validateWasm (engine/validate)', res.ours),
      file: rowFrom('validate', op, name, bytes, '(info) ours: the Validate operation from the file (read, policy check, validate)', res.file),
      v8: rowFrom('validate', op, name, bytes, 'V8 WebAssembly.validate', res.v8),
      wabt: rowFrom('validate', op, name, bytes, 'wabt.js readWasm+validate', res.wabt),
      native: native ? rowFrom('validate', op, name, bytes, 'native wasm-validate --enable-all (whole process)', timeProcess(native, ['--enable-all', file], QUICK ? 2 : 5, 120_000)) : undefined,
    };
    if (!native) rows.push({ group: 'validate', op, input: name, inputMB: bytes / 1e6, peer: 'native wasm-validate', note: 'unavailable (wabt not installed)' });
    for (const r of [row.file, row.v8, row.wabt, row.native]) {
      const p = r && medianOrCap(r);
      if (r && p && row.ours.stats) r.ratio = p.ms / row.ours.stats.median;
    }
    per.push(row);
  }
  const ok = per.filter((m) => m.ours.stats);
  const faster = (pick: (m: (typeof per)[number]) => Row | undefined, label: string, min: number): void => {
    const got = ok.map((m) => ({ m, r: pick(m), p: pick(m) && medianOrCap(pick(m)!) })).filter((x) => x.p);
    targets.push({
      group: 'validate', target: `>= ${min}x faster than ${label} (every module)`,
      measured: got.map((x) => `${x.m.name} ${x.p!.lowerBound ? '>=' : ''}${fmtRatio(x.p!.ms / x.m.ours.stats!.median)} (${fmtMs(x.m.ours.stats!.median)} vs ${fmtMs(x.p!.ms)} ms)`).join(', ') || 'no measurement',
      met: got.length ? got.every((x) => x.p!.ms / x.m.ours.stats!.median >= min) : 'n/a',
    });
  };
  faster((m) => m.wabt, 'wabt.js readWasm+validate', 5);
  faster((m) => m.native, 'native wasm-validate (its whole process)', 5);
  const v8 = ok.filter((m) => m.v8.stats);
  targets.push({
    group: 'validate', target: 'within 8x of V8 WebAssembly.validate (ours / V8, every module)',
    measured: v8.map((m) => `${m.name} ${fmtRatio(m.ours.stats!.median / m.v8.stats!.median)} (${fmtMs(m.ours.stats!.median)} vs ${fmtMs(m.v8.stats!.median)} ms)`).join(', ') || 'no measurement',
    met: v8.length ? v8.every((m) => m.ours.stats!.median <= 8 * m.v8.stats!.median) : 'n/a',
  });
  // memory above the file's size: the child reads the file before its baseline, so the peak RSS delta is
  // what validation adds; allocMB is what one call allocates and holds (a GC before, the result kept)
  targets.push({
    group: 'validate', target: 'at most 300 MB of memory above the file\'s size (peak RSS while validating, over the process with the file read)',
    measured: ok.map((m) => `${m.name} (${(m.bytes / 1e6).toFixed(0)} MB): +${m.ours.peakDeltaMB?.toFixed(0)} MB peak, holds ${m.ours.allocMB !== undefined ? (m.ours.allocMB * 1024).toFixed(0) + ' KiB' : 'n/a'}`).join(', '),
    met: ok.length ? ok.every((m) => (m.ours.peakDeltaMB ?? Infinity) <= 300) : 'n/a',
  });
}

// ---------------------------------------------------------------------------------------------
function timeProcess(cmd: string, args: string[], repeats: number, capMs: number): ChildResult {
  const times: number[] = [];
  let failure: string | undefined;
  let capped = false;
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    const r = spawnSync(cmd, args, { timeout: capMs, encoding: 'utf8' });
    const dt = performance.now() - t;
    if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') {
      capped = true;
      break;
    }
    if (r.status !== 0) {
      failure = (r.stderr || String(r.error)).slice(0, 200);
      break;
    }
    times.push(dt);
  }
  return { times, failure, capped, capMs };
}

async function watGroup(): Promise<void> {
  const wat2wasm = nativeCommand('wat2wasm');
  const out = path.join(os.tmpdir(), `ww-bench-${process.pid}.wasm`);
  const inputs: { label: string; file: string; large: boolean }[] = [];
  const large = ensureWat(WAT_LARGE);
  if (large) inputs.push({ label: `${WAT_LARGE.name} (wasm2wat of sql.js)`, file: large, large: true });
  for (const w of QUICK ? WAT_SMALL.slice(0, 1) : WAT_SMALL) {
    const f = ensureWat(w);
    if (f) inputs.push({ label: w.name, file: f, large: false });
  }
  if (!inputs.length) {
    targets.push({ group: 'wat', target: 'WAT parse targets', measured: 'native wasm2wat unavailable: no WAT inputs', met: 'n/a' });
    return;
  }
  const byInput: Record<string, Record<string, Row>> = {};
  for (const inp of inputs) {
    const bytes = fs.statSync(inp.file).size;
    const op = 'WAT parse';
    const g: Record<string, Row> = (byInput[inp.label] = {});
    const R = QUICK ? 1 : inp.large ? 1 : 3;
    const res = await runInterleaved([
      { key: 'ours', task: 'wat', peer: 'ours', file: inp.file, opts: { repeats: inp.large ? Math.min(REPEATS, 5) : REPEATS * 2 + (QUICK ? 0 : 1), budgetMs: 30_000, capMs: 180_000 }, rounds: R },
      { key: 'binaryen', task: 'wat', peer: 'binaryen', file: inp.file, opts: { repeats: inp.large ? 3 : REPEATS * 2 + (QUICK ? 0 : 1), budgetMs: 30_000, capMs: QUICK ? 60_000 : 120_000 }, rounds: R },
      { key: 'wabt', task: 'wat', peer: 'wabt', file: inp.file, opts: { repeats: inp.large ? 1 : REPEATS * 2 + (QUICK ? 0 : 1), budgetMs: 30_000, capMs: inp.large ? (QUICK ? 20_000 : 60_000) : 60_000 }, rounds: R },
      { key: 'wast', task: 'wat', peer: 'wast-parser', file: inp.file, opts: { repeats: inp.large ? 1 : REPEATS, budgetMs: 30_000, capMs: QUICK ? 20_000 : 60_000 } },
    ]);
    g.ours = rowFrom('wat', op, inp.label, bytes, 'ours: parseWat (tree+spans+model)', res.ours);
    g.binaryen = rowFrom('wat', op, inp.label, bytes, 'binaryen.js parseText', res.binaryen);
    g.wabt = rowFrom('wat', op, inp.label, bytes, 'wabt.js parseWat', res.wabt, inp.large ? 'known to hang on deep nesting: capped' : undefined);
    g.wast = rowFrom('wat', op, inp.label, bytes, '@webassemblyjs/wast-parser parse', res.wast);
    if (wat2wasm) {
      g.native = rowFrom('wat', op, inp.label, bytes, 'native wat2wasm (whole process, nothing subtracted)', timeProcess(wat2wasm, ['--enable-all', inp.file, '-o', out], inp.large ? 5 : REPEATS, 120_000));
    } else {
      rows.push({ group: 'wat', op, input: inp.label, inputMB: bytes / 1e6, peer: 'native wat2wasm', note: 'unavailable (wabt not installed)' });
    }
    for (const r of Object.values(g)) {
      const p = medianOrCap(r);
      if (g.ours.stats && p) r.ratio = p.ms / g.ours.stats.median;
    }
  }
  fs.rmSync(out, { force: true });
  const L0 = inputs.find((i) => i.large);
  if (L0) await watValidationRows(L0);
  // information: the whole spec test suite in script mode (no peer parses .wast scripts the same way)
  const spec = path.resolve(ROOT, '..', 'shared', 'corpus', 'spec-testsuite');
  if (fs.existsSync(spec)) {
    const files = fs.readdirSync(spec).filter((f) => f.endsWith('.wast'));
    const bytes = files.reduce((a, f) => a + fs.statSync(path.join(spec, f)).size, 0);
    rowFrom('wat', 'WAST parse (info)', `../shared/corpus/spec-testsuite (${files.length} .wast)`, bytes, 'ours: parseWat script mode, all files', await runChild('wast-dir', 'ours', spec, { repeats: QUICK ? 3 : 5, budgetMs: 20_000, capMs: 120_000 }));
  }
  const L = inputs.find((i) => i.large);
  if (L) {
    const g = byInput[L.label];
    const b = medianOrCap(g.binaryen);
    targets.push({
      group: 'wat', target: `large WAT (${(fs.statSync(L.file).size / 1e6).toFixed(1)} MB): faster than binaryen.js parseText`,
      measured: g.ours.stats && b ? `binaryen / ours = ${b.lowerBound ? '>=' : ''}${fmtRatio(b.ms / g.ours.stats.median)}` : `ours ${g.ours.failure ?? '?'}; binaryen ${g.binaryen.failure ?? '?'}`,
      met: g.ours.stats && b ? b.ms > g.ours.stats.median : g.ours.stats ? 'n/a' : false,
    });
    const n = g.native;
    targets.push({
      group: 'wat', target: 'large WAT: within 3x of native wat2wasm (its whole process time)',
      measured: n?.stats && g.ours.stats ? `ours / wat2wasm = ${fmtRatio(g.ours.stats.median / n.stats.median)}` : 'native wat2wasm unavailable',
      met: n?.stats && g.ours.stats ? g.ours.stats.median <= 3 * n.stats.median : 'n/a',
    });
    const w = g.wabt;
    targets.push({
      group: 'wat', target: 'large WAT: wabt.js parseWat (info: capped, known to hang)',
      measured: w.stats ? `finished: wabt / ours = ${fmtRatio(w.ratio)}` : w.capped ? `did not finish within ${w.capMs} ms (ours ${fmtMs(g.ours.stats?.median)} ms)` : `failed: ${w.failure}`,
      met: 'n/a',
    });
  }
  const smalls = inputs.filter((i) => !i.large);
  const smallRes = smalls.map((s) => ({ s, g: byInput[s.label] })).filter((x) => x.g.ours.stats && x.g.wabt.stats);
  targets.push({
    group: 'wat', target: 'small WAT (~0.3 MB): throughput >= wabt.js parseWat (every input)',
    measured: smallRes.map((x) => `${x.s.label} ${fmtRatio(x.g.wabt.stats!.median / x.g.ours.stats!.median)}`).join(', '),
    met: smallRes.length ? smallRes.every((x) => x.g.wabt.stats!.median >= x.g.ours.stats!.median) : 'n/a',
  });
  const wastFails = Object.values(byInput).filter((g) => g.wast.failure).length;
  targets.push({
    group: 'wat', target: '@webassemblyjs/wast-parser: failures counted as failures',
    measured: `${wastFails}/${Object.keys(byInput).length} inputs rejected by wast-parser`, met: 'n/a',
  });
}

/**
 * What whole-module validation adds to our parse of the large WAT (issue 15: at most 30%), in the
 * same run, interleaved: (a) the parse as the server does it (parseWat), (b) the same parse followed
 * by the live type checker's first full check (the editor opening the file) and by the Validate
 * operation's spec validation of the parsed text (validateWatDocument).
 *
 * The target is judged run by run: each (b) run times its parse and its check apart, and the check's
 * share is set against the parse of the same run, in the same process (median over the runs). The
 * difference of medians from separate processes, (b - a) / a, is printed beside it: it measures the
 * same thing plus how much one Node process's parse differs from another's (10% either way on this
 * machine, a process's heap and JIT decisions being its own), which is as large as the margin judged.
 */
async function watValidationRows(inp: { label: string; file: string }): Promise<void> {
  const bytes = fs.statSync(inp.file).size;
  const op = 'WAT parse + whole-module validation';
  const opts = { repeats: QUICK ? 6 : 10, budgetMs: 60_000, capMs: 240_000 };
  const R = QUICK ? 2 : 3;
  const res = await runInterleaved([
    { key: 'parse', task: 'wat', peer: 'ours', file: inp.file, opts, rounds: R },
    { key: 'live', task: 'wat', peer: 'ours+live', file: inp.file, opts, rounds: R },
    { key: 'validate', task: 'wat', peer: 'ours+validate', file: inp.file, opts, rounds: R },
  ]);
  const parse = rowFrom('wat', op, inp.label, bytes, '(a) ours: parseWat', res.parse);
  const paths = [
    { name: 'live type check (file opened)', res: res.live, row: rowFrom('wat', op, inp.label, bytes, '(b) ours: parseWat + LiveTypeChecker.check (first full check)', res.live) },
    { name: 'Validate', res: res.validate, row: rowFrom('wat', op, inp.label, bytes, '(b) ours: parseWat + validateWatDocument (the Validate operation)', res.validate) },
  ];
  const a = parse.stats?.median;
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  /** per run: the check's time over the same run's parse */
  const shares = paths.map((p) => (p.res.parts?.length ? stats(p.res.parts.map((q) => q.check / q.parse)) : undefined));
  paths.forEach((p, k) => {
    if (!p.row.stats) return;
    const parts = p.res.parts ?? [];
    const check = stats(parts.map((q) => q.check))?.median;
    p.row.note = [
      shares[k] && `check / parse of the same run: median ${pct(shares[k]!.median)} (${pct(shares[k]!.min)}-${pct(shares[k]!.max)}), check ${fmtMs(check)} ms`,
      a !== undefined && `(b - a) / a across processes = ${pct((p.row.stats.median - a) / a)}`,
    ].filter(Boolean).join('; ');
  });
  const ok = paths.every((p, k) => p.row.stats && shares[k]);
  targets.push({
    group: 'wat', target: `large WAT (${(bytes / 1e6).toFixed(1)} MB): whole-module validation adds at most 30% to our parse (the live check and Validate; each run's check against its own parse, median)`,
    measured: ok
      ? paths.map((p, k) => `${p.name} +${pct(shares[k]!.median)} (across processes: ${a !== undefined ? `+${pct((p.row.stats!.median - a) / a)}, ${fmtMs(p.row.stats!.median)} vs ${fmtMs(a)} ms` : parse.failure ?? '-'})`).join(', ')
      : `parse ${parse.failure ?? fmtMs(a)}; ${paths.map((p) => `${p.name} ${p.row.failure ?? fmtMs(p.row.stats?.median)}`).join('; ')}`,
    met: ok ? shares.every((x) => x!.median <= 0.3) : false,
  });
}

// ---------------------------------------------------------------------------------------------
/**
 * Printing real modules (.wasm -> WAT) to a file: ours (the bundled CLI's `disassemble`, whole
 * process) against native wasm2wat (whole process) and jco's wasm-tools `print`, one run each (a run
 * writes hundreds of MB), with peak RSS; and the .wasm WAT view over LSP: request -> first text on
 * the 45 MB module, and a 1 MB function body on demand.
 */
function printRow(op: string, input: string, bytes: number, peer: string, r: ProcessRun): Row {
  const row: Row = {
    group: 'print', op, input, inputMB: bytes / 1e6, peer,
    stats: r.ms !== undefined ? stats([r.ms]) : undefined,
    mbPerS: r.ms !== undefined ? bytes / 1e6 / (r.ms / 1000) : undefined,
    maxRssMB: r.maxRssMB, failure: r.failure, capped: r.capped, capMs: r.capped ? PRINT_CAP_MS : undefined,
    note: r.outMB !== undefined ? `${r.outMB.toFixed(0)} MB of text` : undefined,
  };
  rows.push(row);
  log(`print ${input} ${peer}: ${r.failure ? 'FAILED ' + r.failure.slice(0, 80) : r.capped ? `>= ${PRINT_CAP_MS} ms` : `${fmtMs(r.ms)} ms, max RSS ${r.maxRssMB?.toFixed(0)} MB`}`);
  return row;
}

const PRINT_CAP_MS = 180_000;

async function printGroup(): Promise<void> {
  const inputs = QUICK ? ['biome (Rust)'] : ['biome (Rust)', 'z3 (C++ emcc)', 'duckdb-eh (C++ emcc)'];
  const out = path.join(os.tmpdir(), `ww-bench-print-${process.pid}`);
  fs.mkdirSync(out, { recursive: true });
  try {
    for (const label of inputs) {
      const file = path.join(NM, LARGE_MODULES[label]);
      if (!fs.existsSync(file)) continue;
      const bytes = fs.statSync(file).size;
      const op = 'print .wasm -> WAT file';
      const ours = printRow(op, label, bytes, 'ours: wasm-warden disassemble (whole process)', printOurs(file, path.join(out, 'ours.wat'), PRINT_CAP_MS));
      fs.rmSync(path.join(out, 'ours.wat'), { force: true });
      const native = printRow(op, label, bytes, 'native wasm2wat (whole process)', printNative(file, path.join(out, 'native.wat'), PRINT_CAP_MS));
      fs.rmSync(path.join(out, 'native.wat'), { force: true });
      const jco = printRow(op, label, bytes, "jco wasm-tools print (one string, then written)", printJco(file, path.join(out, 'jco.wat'), PRINT_CAP_MS));
      fs.rmSync(path.join(out, 'jco.wat'), { force: true });
      for (const r of [ours, native, jco]) {
        const p = medianOrCap(r);
        if (ours.stats && p) r.ratio = p.ms / ours.stats.median;
      }
      const vs = (r: Row, name: string) => (r.failure ? `${name} failed (${r.failure.slice(0, 60)})` : `${name} / ours = ${r.capped && !r.stats ? '>=' : ''}${fmtRatio(r.ratio)}`);
      targets.push({
        group: 'print', target: `${label} (${(bytes / 1e6).toFixed(0)} MB) to a file: faster than native wasm2wat and jco print`,
        measured: ours.stats ? `${vs(native, 'wasm2wat')}, ${vs(jco, 'jco')}` : `ours failed: ${ours.failure ?? 'capped'}`,
        met: !!ours.stats && [native, jco].every((r) => r.failure !== undefined || (medianOrCap(r)?.ms ?? 0) > ours.stats!.median),
      });
      targets.push({
        group: 'print', target: `${label}: peak memory of ours under 500 MB`,
        measured: `${ours.maxRssMB?.toFixed(0) ?? '?'} MB (wasm2wat ${native.maxRssMB?.toFixed(0) ?? '-'} MB, jco ${jco.maxRssMB?.toFixed(0) ?? '-'} MB)`,
        met: ours.maxRssMB !== undefined ? ours.maxRssMB < 500 : 'n/a',
      });
    }
    // the WAT view over LSP: the 45 MB module, and a 1 MB body
    const biome = path.join(NM, LARGE_MODULES['biome (Rust)']);
    if (fs.existsSync(biome)) {
      const v = await viewOverLsp(biome);
      const mb = fs.statSync(biome).size / 1e6;
      const chars = `${(v.viewChars / 1e6).toFixed(1)} M chars${v.headerOnly ? ', bodies on demand' : ''}`;
      rows.push({ group: 'print', op: 'WAT view: watView request -> first text (its first page, cold)', input: 'biome (Rust)', inputMB: mb, peer: 'ours: dist/server.js', stats: stats([v.viewMs]), note: chars });
      rows.push({ group: 'print', op: 'WAT view: watView request -> whole view available (all pages)', input: 'biome (Rust)', inputMB: mb, peer: 'ours: dist/server.js', stats: stats([v.viewWholeMs]), note: chars });
      rows.push({ group: 'print', op: `WAT view: its largest body (${(v.bodyBytes / 1e3).toFixed(0)} KB) on demand -> first text`, input: 'biome (Rust)', inputMB: mb, peer: 'ours: dist/server.js', stats: stats([v.bodyMs]), note: `${(v.bodyChars / 1e6).toFixed(1)} M chars` });
      rows.push({ group: 'print', op: `WAT view: its largest body (${(v.bodyBytes / 1e3).toFixed(0)} KB) on demand -> whole body`, input: 'biome (Rust)', inputMB: mb, peer: 'ours: dist/server.js', stats: stats([v.bodyWholeMs]), note: `${(v.bodyChars / 1e6).toFixed(1)} M chars` });
      targets.push({ group: 'print', target: `45 MB module's WAT view: LSP request -> first text <= 500 ms`, measured: `${fmtMs(v.viewMs)} ms (whole view of ${(v.viewChars / 1e6).toFixed(1)} M chars in ${fmtMs(v.viewWholeMs)} ms)`, met: v.viewMs <= 500 });
    }
    const oneMb = path.join(out, 'one-mb-body.wasm');
    fs.writeFileSync(oneMb, oneBodyModule(1024 * 1024));
    const b = await viewOverLsp(oneMb, 0);
    rows.push({ group: 'print', op: 'WAT view: a 1 MB function body on demand -> first text', input: 'generated (1 MB body)', inputMB: 1.05, peer: 'ours: dist/server.js', stats: stats([b.bodyMs]), note: `${(b.bodyChars / 1e6).toFixed(1)} M chars` });
    rows.push({ group: 'print', op: 'WAT view: a 1 MB function body on demand -> whole body', input: 'generated (1 MB body)', inputMB: 1.05, peer: 'ours: dist/server.js', stats: stats([b.bodyWholeMs]), note: `${(b.bodyChars / 1e6).toFixed(1)} M chars` });
    targets.push({ group: 'print', target: 'a 1 MB function body in the view: request -> first text <= 200 ms', measured: `${fmtMs(b.bodyMs)} ms (whole body in ${fmtMs(b.bodyWholeMs)} ms)`, met: b.bodyMs <= 200 });
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
/**
 * Assembling WAT (issue 16): the 14 MB wasm2wat text of sql.js, ours (parse + assemble, in-process)
 * against native wat2wasm (whole process), binaryen.js parseText + emitBinary and wabt.js
 * parseWat + toBinary (capped: it hangs on deep nesting). Then the round trip on real modules:
 * wasm2wat -> ours -> V8 accepts it, and wasm2wat of the result equals the first text (a fixed
 * point); how many are byte-identical to the original is counted.
 */
async function assembleGroup(): Promise<void> {
  const wat2wasm = nativeCommand('wat2wasm');
  const wasm2wat = nativeCommand('wasm2wat');
  const large = ensureWat(WAT_LARGE);
  if (!large || !wasm2wat) {
    targets.push({ group: 'assemble', target: 'assemble targets', measured: 'native wasm2wat unavailable: no WAT inputs', met: 'n/a' });
    return;
  }
  const out = path.join(os.tmpdir(), `ww-bench-asm-${process.pid}.wasm`);
  const bytes = fs.statSync(large).size;
  const label = `${WAT_LARGE.name} (wasm2wat of sql.js)`;
  const op = 'WAT assemble';
  // both in-process peers in two interleaved rounds, with enough counted runs that the median is the
  // steady state: a child's first counted run still pays for the JIT's last tier-ups (ours: 87-132 ms
  // against 72-80 after; binaryen's wasm tiers up too), and with 3 runs per child those stragglers were a
  // third of the samples. The cold whole process is its own row below.
  const res = await runInterleaved([
    { key: 'ours', task: 'assemble', peer: 'ours', file: large, opts: { repeats: QUICK ? 3 : 12, budgetMs: 30_000, capMs: 180_000 }, rounds: QUICK ? 1 : 2 },
    { key: 'binaryen', task: 'assemble', peer: 'binaryen', file: large, opts: { repeats: QUICK ? 1 : 6, budgetMs: 30_000, capMs: QUICK ? 60_000 : 120_000 }, rounds: QUICK ? 1 : 2 },
    { key: 'wabt', task: 'assemble', peer: 'wabt', file: large, opts: { repeats: 1, budgetMs: 30_000, capMs: QUICK ? 20_000 : 60_000 }, rounds: 1 },
  ]);
  const ours = rowFrom('assemble', op, label, bytes, 'ours: parse + assemble (in-process; source map per function, as Compile builds it)', res.ours);
  const binaryen = rowFrom('assemble', op, label, bytes, 'binaryen.js parseText + emitBinary', res.binaryen);
  const wabt = rowFrom('assemble', op, label, bytes, 'wabt.js parseWat + toBinary', res.wabt, 'known to hang on deep nesting: capped');
  const native = wat2wasm
    ? rowFrom('assemble', op, label, bytes, 'native wat2wasm (whole process, nothing subtracted)', timeProcess(wat2wasm, ['--enable-all', large, '-o', out], QUICK ? 3 : 5, 120_000))
    : undefined;
  // what a user of the CLI waits for: Node's start, loading the bundle, a cold JIT, validation and the write
  const cli = rowFrom('assemble', op, label, bytes, 'ours: wasm-warden compile (whole process, cold, validation included)',
    timeProcess(process.execPath, [path.join(ROOT, 'bin', 'wasm-warden.js'), 'compile', large, '-o', out, '--force'], QUICK ? 3 : 5, 120_000));
  for (const r of [ours, binaryen, wabt, native, cli]) {
    const p = r && medianOrCap(r);
    if (r && p && ours.stats) r.ratio = p.ms / ours.stats.median;
  }
  targets.push({
    group: 'assemble', target: `large WAT (${(bytes / 1e6).toFixed(1)} MB): within 2x of native wat2wasm (its whole process time)`,
    measured: native?.stats && ours.stats ? `ours / wat2wasm = ${fmtRatio(ours.stats.median / native.stats.median)}` : 'native wat2wasm unavailable',
    met: native?.stats && ours.stats ? ours.stats.median <= 2 * native.stats.median : 'n/a',
  });
  targets.push({
    group: 'assemble', target: 'large WAT: our CLI compile, whole process (cold), against native wat2wasm (info)',
    measured: native?.stats && cli.stats ? `${fmtMs(cli.stats.median)} ms: ours / wat2wasm = ${fmtRatio(cli.stats.median / native.stats.median)}` : `ours ${cli.failure ?? '?'}`,
    met: 'n/a',
  });
  const b = medianOrCap(binaryen);
  targets.push({
    group: 'assemble', target: 'large WAT: >= 10x faster than binaryen.js parseText + emitBinary',
    measured: ours.stats && b ? `binaryen / ours = ${b.lowerBound ? '>=' : ''}${fmtRatio(b.ms / ours.stats.median)}` : `ours ${ours.failure ?? '?'}; binaryen ${binaryen.failure ?? '?'}`,
    met: ours.stats && b ? b.ms >= 10 * ours.stats.median : false,
  });
  targets.push({
    group: 'assemble', target: 'large WAT: wabt.js parseWat + toBinary (info)',
    measured: wabt.stats ? `finished: wabt / ours = ${fmtRatio(wabt.ratio)}` : wabt.capped ? `did not finish within ${wabt.capMs} ms` : `failed: ${wabt.failure}`,
    met: 'n/a',
  });
  // the round trip: wasm2wat -> ours -> V8 validates, wasm2wat again gives the same text
  const results: string[] = [];
  let fixed = 0;
  let identical = 0;
  let total = 0;
  for (const m of QUICK ? ROUND_TRIP.slice(0, 2) : ROUND_TRIP) {
    const wat = ensureWat(m);
    if (!wat) continue;
    total++;
    const text = fs.readFileSync(wat, 'utf8');
    const a = assembleWat(text, { names: false });
    if (a.diagnostics.length > 0 || !(globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(a.bytes)) {
      results.push(`${m.name}: ${a.diagnostics[0]?.message ?? 'V8 rejects it'}`);
      continue;
    }
    fs.writeFileSync(out, a.bytes);
    const again = spawnSync(wasm2wat, ['--enable-all', out], { maxBuffer: 2 ** 30, encoding: 'utf8' });
    const same = again.status === 0 && again.stdout === text;
    if (same) fixed++;
    const original = fs.readFileSync(path.join(NM, m.from));
    if (Buffer.compare(original, Buffer.from(a.bytes)) === 0) identical++;
    results.push(`${m.name}: ${same ? 'fixed point' : 'DIFFERENT'}${Buffer.compare(original, Buffer.from(a.bytes)) === 0 ? ', byte-identical' : `, ${a.bytes.length} vs ${original.length} bytes`}`);
  }
  fs.rmSync(out, { force: true });
  targets.push({
    group: 'assemble', target: 'round trip of real modules: V8 accepts, wasm2wat of the result equals the first text',
    measured: `${fixed}/${total} fixed points, ${identical} byte-identical to the original (${results.join('; ')})`,
    met: total > 0 ? fixed === total : 'n/a',
  });
  ownTextRoundTrip();
}

/**
 * The round trip from OUR text (issue 16): each real module (the large ones: 14-45 MB) disassembled by
 * us into a file, compiled back with names by `compileFile` (a text over 256 MiB in pieces: biome's is
 * 680 MB), V8 validates it, our disassembly of it equals the first text; the bytes compared with the
 * original's. One child process per module (test/bench/own-round-trip.ts).
 */
function ownTextRoundTrip(): void {
  const modules = QUICK ? { 'z3 (C++ emcc)': LARGE_MODULES['z3 (C++ emcc)'], 'onig (C emcc)': SMALL_MODULES['onig (C emcc)'] } : { ...LARGE_MODULES, ...SMALL_MODULES };
  const results: string[] = [];
  let fixed = 0;
  let identical = 0;
  let total = 0;
  for (const [name, rel] of Object.entries(modules)) {
    const file = path.join(NM, rel);
    if (!fs.existsSync(file)) continue;
    total++;
    log(`own-text round trip: ${name}`);
    const r = spawnSync(process.execPath, ['--max-old-space-size=8192', '--import', 'tsx', path.join(__dirname, 'own-round-trip.ts'), file], { cwd: ROOT, encoding: 'utf8', timeout: 900_000, maxBuffer: 2 ** 24 });
    const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
    let o: OwnRoundTrip;
    try {
      o = JSON.parse(line) as OwnRoundTrip;
    } catch {
      o = { failure: r.error ? `${r.error.message} (cap 900 s)` : (r.stderr ?? '').trim().split('\n').slice(-1)[0] || `exit ${r.status}` };
    }
    if (o.failure !== undefined) {
      results.push(`${name}: ${o.failure}`);
      continue;
    }
    if (o.valid && o.fixedPoint) fixed++;
    if (o.identical) identical++;
    const what = !o.valid ? 'V8 REJECTS IT' : o.fixedPoint ? 'fixed point' : `DIFFERENT at ${o.firstDifference}`;
    const how = `${o.textMB!.toFixed(0)} MB of text${o.segmented ? ' compiled in pieces' : ''}, disassemble ${fmtMs(o.disassembleMs!)} ms, compile ${fmtMs(o.compileMs!)} ms, peak ${o.peakMB!.toFixed(0)} MB`;
    results.push(`${name} (${how}): ${what}, ${o.identical ? 'byte-identical' : o.differences!.join(', ')}`);
  }
  targets.push({
    group: 'assemble', target: 'round trip from our own text: V8 accepts, our disassembly of the result equals the first text',
    measured: `${fixed}/${total} fixed points, ${identical} byte-identical to the original (${results.join('; ')})`,
    met: total > 0 ? fixed === total : 'n/a',
  });
}

// ---------------------------------------------------------------------------------------------
/**
 * Opening a generated 45 MB module in the editor, the server's side (issue 22: 6.2 s cold in the editor
 * against the engine's 0.22-0.35 s). The whole path in a real VS Code (webview included) is measured by
 * the e2e run (test/e2e/first-hour.test.ts prints it).
 */
async function moduleOpenRows(): Promise<void> {
  const input = 'generated 45 MB module (35,000 functions, names)';
  try {
    const r = await moduleOpen(QUICK ? 2 : 5);
    const mb = r.bytes / 1e6;
    const inspect = stats(r.inspectMs)!;
    rows.push({ group: 'lsp', op: 'module editor: inspect request -> answer (first = cold)', input, inputMB: mb, peer: 'ours: dist/server.js', stats: inspect, note: `first ${fmtMs(r.inspectMs[0])} ms` });
    rows.push({ group: 'lsp', op: 'module editor: summary HTML rendered', input, inputMB: mb, peer: 'ours: client panels', stats: stats(r.renderMs)!, note: `${(r.htmlChars / 1e3).toFixed(0)} K chars` });
    rows.push({ group: 'lsp', op: 'WAT view: watView request -> text', input, inputMB: mb, peer: 'ours: dist/server.js', stats: stats([r.viewMs]), note: `${(r.viewChars / 1e6).toFixed(1)} M chars` });
    rows.push({ group: 'lsp', op: 'WAT view: didOpen -> its findings on it', input, inputMB: mb, peer: 'ours: dist/server.js', stats: stats([r.viewDidOpenMs]) });
    const cold = r.inspectMs[0] + r.renderMs[0];
    targets.push({
      group: 'lsp', target: '45 MB module: the server answers the summary and its HTML is rendered, cold, < 1 s (the e2e run measures it on screen)',
      measured: `${fmtMs(cold)} ms (inspect ${fmtMs(r.inspectMs[0])} + render ${fmtMs(r.renderMs[0])}); warm median ${fmtMs(inspect.median)} ms`, met: cold < 1000,
    });
  } catch (e) {
    rows.push({ group: 'lsp', op: 'module editor: inspect request -> answer', input, inputMB: 45, peer: 'ours', failure: (e as Error).message.slice(0, 300) });
  }
}

async function lspGroup(): Promise<void> {
  await moduleOpenRows();
  const wat = ensureWat(WAT_LSP);
  if (!wat) {
    targets.push({ group: 'lsp', target: 'edit -> diagnostics <= 50 ms', measured: 'no WAT input (wasm2wat unavailable)', met: 'n/a' });
    return;
  }
  const bytes = fs.statSync(wat).size;
  const label = `${WAT_LSP.name} (wasm2wat of onig)`;
  try {
    const r = await editToDiagnostics(wat, QUICK ? 7 : 21);
    const s = stats(r.samples)!;
    rows.push({ group: 'lsp', op: 'didOpen -> first publishDiagnostics', input: label, inputMB: bytes / 1e6, peer: 'ours: dist/server.js', stats: stats([r.openMs]) });
    rows.push({ group: 'lsp', op: '1-char didChange -> publishDiagnostics (with live type checking)', input: label, inputMB: bytes / 1e6, peer: 'ours: dist/server.js', stats: s, note: `${r.diagnosticsCount} diagnostics` });
    log(`lsp edit->diagnostics median ${fmtMs(s.median)} ms`);
    targets.push({ group: 'lsp', target: `edit -> diagnostics (with live type checking) on a ${(bytes / 1e6).toFixed(1)} MB WAT buffer <= 50 ms (median)`, measured: `${fmtMs(s.median)} ms (${fmtMs(s.min)}-${fmtMs(s.max)}, n=${s.n})`, met: s.median <= 50 });
  } catch (e) {
    rows.push({ group: 'lsp', op: '1-char didChange -> publishDiagnostics', input: label, inputMB: bytes / 1e6, peer: 'ours', failure: (e as Error).message.slice(0, 300) });
    targets.push({ group: 'lsp', target: 'edit -> diagnostics <= 50 ms', measured: `failed: ${(e as Error).message.slice(0, 120)}`, met: false });
  }
  await codeInsightRows(wat, label, bytes);
}

/** Code insight requests on the large WAT buffer (issue 17's latency targets). */
async function codeInsightRows(wat: string, label: string, bytes: number): Promise<void> {
  const screen = (text: string) => {
    const mid = Math.floor(text.split('\n').length / 2);
    return { start: { line: mid, character: 0 }, end: { line: mid + 60, character: 0 } };
  };
  const count = (a: unknown) => `${Array.isArray(a) ? a.length : Array.isArray((a as { data?: unknown[] })?.data) ? (a as { data: unknown[] }).data.length / 5 : 0} items`;
  const requests: LspRequest[] = [
    { op: 'semantic tokens (full)', method: 'textDocument/semanticTokens/full', params: (uri) => ({ textDocument: { uri } }), describe: count },
    { op: 'semantic tokens (range: 60 lines)', method: 'textDocument/semanticTokens/range', params: (uri, text) => ({ textDocument: { uri }, range: screen(text) }), describe: count },
    { op: 'inlay hints (60 lines)', method: 'textDocument/inlayHint', params: (uri, text) => ({ textDocument: { uri }, range: screen(text) }), describe: count },
    { op: 'code lenses (whole document)', method: 'textDocument/codeLens', params: (uri) => ({ textDocument: { uri } }), describe: count },
    { op: 'folding ranges (whole document)', method: 'textDocument/foldingRange', params: (uri) => ({ textDocument: { uri } }), describe: count },
  ];
  try {
    const results = await requestLatency(wat, requests, QUICK ? 5 : 11);
    for (const r of results) {
      const s = stats(r.samples)!;
      rows.push({ group: 'lsp', op: r.op, input: label, inputMB: bytes / 1e6, peer: 'ours: dist/server.js', stats: s, note: r.note });
      if (r.op === 'semantic tokens (full)') {
        targets.push({ group: 'lsp', target: `semantic tokens (full) on a ${(bytes / 1e6).toFixed(1)} MB WAT <= 250 ms (median)`, measured: `${fmtMs(s.median)} ms`, met: s.median <= 250 });
      }
    }
  } catch (e) {
    rows.push({ group: 'lsp', op: 'code insight requests', input: label, inputMB: bytes / 1e6, peer: 'ours', failure: (e as Error).message.slice(0, 300) });
  }
}

/** Completion, formatting and rename over LSP on large generated WAT buffers (issue 17's latency targets). */
async function editingGroup(): Promise<void> {
  const peer = 'ours: dist/server.js';
  const r = await editingBench(REPEATS);
  const completion = stats(r.completionMs)!;
  const format = stats(r.formatMs)!;
  const rename = stats(r.renameMs)!;
  const mb = (x: number) => `${x.toFixed(1)} MB`;
  rows.push({ group: 'editing', op: 'completion request -> items (after `call `)', input: `generated WAT ${mb(r.completionMB)}`, inputMB: r.completionMB, peer, stats: completion, note: `${r.completionItems} items` });
  rows.push({ group: 'editing', op: 'formatting request -> edit (unindented)', input: `generated WAT ${mb(r.formatMB)}`, inputMB: r.formatMB, peer, stats: format, note: `${r.formatEdits} edit` });
  rows.push({ group: 'editing', op: 'rename request -> edits', input: `generated WAT ${mb(r.renameMB)}`, inputMB: r.renameMB, peer, stats: rename, note: `${r.renameRefs} references` });
  targets.push({ group: 'editing', target: `completion in a ${mb(r.completionMB)} WAT <= 20 ms (median)`, measured: `${fmtMs(completion.median)} ms (n=${completion.n})`, met: completion.median <= 20 });
  targets.push({ group: 'editing', target: `formatting a ${mb(r.formatMB)} WAT <= 300 ms (median)`, measured: `${fmtMs(format.median)} ms (n=${format.n})`, met: format.median <= 300 });
  targets.push({ group: 'editing', target: `rename across ${r.renameRefs} references <= 100 ms (median)`, measured: `${fmtMs(rename.median)} ms (n=${rename.n})`, met: rename.median <= 100 && r.renameRefs >= 10_000 });
}

// ---------------------------------------------------------------------------------------------
function ensureScanFolder(copies: number): { dir: string; files: number; bytes: number } {
  const dir = path.join(CACHE, `scan-workspace-x${copies}`);
  const sources: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (e.isFile() && e.name.endsWith('.wasm')) sources.push(f);
    }
  };
  walk(NM);
  sources.sort();
  if (!fs.existsSync(path.join(dir, '.complete'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    for (let c = 0; c < copies; c++) {
      sources.forEach((src, i) => {
        const dst = path.join(dir, `copy${c}`, `pkg${i % 12}`, `${i}-${path.basename(src)}`);
        fs.mkdirSync(path.dirname(dst), { recursive: true });
        try {
          fs.linkSync(src, dst);
        } catch {
          fs.copyFileSync(src, dst);
        }
      });
    }
    fs.writeFileSync(path.join(dir, '.complete'), '');
  }
  const bytes = sources.reduce((a, f) => a + fs.statSync(f).size, 0) * copies;
  return { dir, files: sources.length * copies, bytes };
}

async function scanGroup(): Promise<void> {
  const ws = ensureScanFolder(QUICK ? 4 : 8);
  const label = `${ws.files} real modules, ${(ws.bytes / 1e6).toFixed(0)} MB`;
  const op = 'workspace scan';
  const reps = QUICK ? 2 : 3;
  const jobs = (['ours', 'read', 'headers'] as const).map((peer) => ({ key: peer, task: 'scan', peer, file: ws.dir, opts: { repeats: reps, budgetMs: 60_000, capMs: 300_000 }, rounds: reps }));
  const res = await runInterleaved(jobs);
  const ours = rowFrom('scan', op, label, ws.bytes, 'ours: scanFolder + checkFile over all', res.ours);
  const read = rowFrom('scan', op, label, ws.bytes, 'plain read of every file (same walk)', res.read);
  const heads = rowFrom('scan', op, label, ws.bytes, 'section headers only (positional reads)', res.headers);
  for (const r of [ours, read, heads]) if (ours.stats && r.stats) r.ratio = r.stats.median / ours.stats.median;
  targets.push({
    group: 'scan', target: 'workspace scan bounded by section headers: ours no slower than a plain read of all files (info: vs a header-only walk)',
    measured: ours.stats && read.stats && heads.stats
      ? `ours ${fmtMs(ours.stats.median)} ms = ${fmtRatio(ours.stats.median / read.stats.median)} a plain read (${fmtMs(read.stats.median)} ms), ${fmtRatio(ours.stats.median / heads.stats.median)} a header-only walk (${fmtMs(heads.stats.median)} ms)`
      : 'failed',
    met: ours.stats && read.stats ? ours.stats.median <= read.stats.median : false,
  });
}

// ---------------------------------------------------------------------------------------------
async function activationGroup(): Promise<void> {
  const n = QUICK ? 5 : 11;
  const req: number[] = [];
  const act: number[] = [];
  const total: number[] = [];
  const deferred: number[] = [];
  const deferredModules = new Set<string>();
  const heavy = new Set<string>();
  let err: string | undefined;
  for (let i = 0; i < n; i++) {
    const r = spawnSync(process.execPath, [path.join(__dirname, 'activation-child.cjs')], { encoding: 'utf8', timeout: 30_000, cwd: ROOT });
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    if (!line) {
      err = `activation child failed: ${r.stderr.slice(0, 200)}`;
      break;
    }
    const m = JSON.parse(line);
    req.push(m.requireMs);
    if (m.activateMs !== undefined) {
      act.push(m.activateMs);
      total.push(m.requireMs + m.activateMs);
    } else err = m.activateError;
    if (m.deferredMs !== undefined) deferred.push(m.deferredMs);
    for (const d of m.deferredModules ?? []) deferredModules.add(d);
    for (const h of [...m.heavyLoaded, ...(m.deferredHeavy ?? [])]) heavy.add(h);
  }
  const bundle = fs.readFileSync(path.join(ROOT, 'dist', 'client.js'), 'utf8');
  // the client's second bundle, which activate() leaves to the next turn of the event loop
  const lazyFile = path.join(ROOT, 'dist', 'language-client.js');
  const lazy = fs.existsSync(lazyFile) ? fs.readFileSync(lazyFile, 'utf8') : '';
  // a load of either library (a require/import, or its code inlined), not a mention in UI text
  const loadsHeavy = (code: string) => /require\(["'](wabt|binaryen)["']\)|import\(["'](wabt|binaryen)["']\)|WebAssemblyBinaryToolkit|BinaryenModule/.test(code);
  const inlined = loadsHeavy(bundle) || loadsHeavy(lazy);
  const label = `dist/client.js (${(bundle.length / 1e6).toFixed(2)} MB)`;
  rows.push({ group: 'activation', op: 'require bundled client (stub vscode)', input: label, inputMB: bundle.length / 1e6, peer: 'ours', stats: stats(req) });
  rows.push({ group: 'activation', op: 'activate(fake context)', input: label, inputMB: bundle.length / 1e6, peer: 'ours', stats: stats(act), failure: act.length ? undefined : err });
  const ts = stats(total);
  rows.push({ group: 'activation', op: 'require + activate', input: label, inputMB: bundle.length / 1e6, peer: 'ours', stats: ts });
  rows.push({
    group: 'activation', op: 'info: deferred by activate() to the next event-loop turn (still blocks the extension host)', input: label, inputMB: bundle.length / 1e6,
    peer: 'ours', stats: stats(deferred),
    note: deferredModules.size ? `loads ${[...deferredModules].join(', ')}${lazy ? ` (${(lazy.length / 1e6).toFixed(2)} MB)` : ''}` : 'nothing loaded',
  });
  log(`activation require+activate median ${fmtMs(ts?.median)} ms; deferred after activate median ${fmtMs(stats(deferred)?.median)} ms`);
  targets.push({
    group: 'activation', target: 'activation (require dist/client.js + activate) adds <= 50 ms',
    measured: ts ? `${fmtMs(ts.median)} ms (${fmtMs(ts.min)}-${fmtMs(ts.max)}, n=${ts.n}; require ${fmtMs(stats(req)!.median)} + activate ${fmtMs(stats(act)?.median)}); info: ${fmtMs(stats(deferred)?.median)} ms deferred to just after activate` : `failed: ${err}`,
    met: ts ? ts.median <= 50 : false,
  });
  targets.push({
    group: 'activation', target: 'wabt/binaryen not loaded by activation (require.cache; not inlined in the bundle)',
    measured: `require.cache (incl. the deferred client start): ${heavy.size ? [...heavy].join(', ') : 'none'}; bundles (client, language-client) load or inline wabt/binaryen: ${inlined ? 'yes' : 'no'}`,
    met: heavy.size === 0 && !inlined,
  });
}

// ---------------------------------------------------------------------------------------------
/** Fuzzer executions per second on a small export against a plain loop of calls (test/bench/fuzz.ts). */
async function fuzzGroup(): Promise<void> {
  const module = await smallExportModule();
  const n = QUICK ? 3 : 5;
  const fuzz: number[] = [];
  const plain: number[] = [];
  for (let i = 0; i < n; i++) {
    // alternated, so both see the same load
    plain.push(plainLoopRate(module, 2000));
    fuzz.push(fuzzerRate(module, QUICK ? 3 : 5));
  }
  const f = stats(fuzz)!;
  const p = stats(plain)!;
  rows.push({ group: 'fuzz', op: 'executions per second (median of runs)', input: 'sum(ptr, len) export', inputMB: 0, peer: 'ours: wasm-warden fuzz', note: `${Math.round(f.median)}/s (${fuzz.map(Math.round).join(', ')})` });
  rows.push({ group: 'fuzz', op: 'executions per second (median of runs)', input: 'sum(ptr, len) export', inputMB: 0, peer: 'plain JS loop of calls', note: `${Math.round(p.median)}/s (${plain.map(Math.round).join(', ')})` });
  const ratio = f.median / p.median;
  log(`fuzz: ${Math.round(f.median)}/s vs plain loop ${Math.round(p.median)}/s = ${(ratio * 100).toFixed(1)}%`);
  targets.push({ group: 'fuzz', target: "fuzzer's executions per second on a small export >= 50% of a plain loop of calls", measured: `${Math.round(f.median)} vs ${Math.round(p.median)} per s = ${(ratio * 100).toFixed(1)}%`, met: ratio >= 0.5 });
}

async function sandboxGroup(): Promise<void> {
  const guest = ensureGuest();
  if (!guest) {
    targets.push({ group: 'sandbox', target: 'sandbox targets', measured: 'clang --target=wasm32-wasi unavailable: no guest', met: 'n/a' });
    return;
  }
  const module = new Uint8Array(fs.readFileSync(guest));
  const run = await loadBundledRunner();
  const CALLS = 1_000_000;
  const n = QUICK ? 3 : 7;
  const res: Record<string, { startup: number[]; total: number[] }> = {};
  const add = (k: string, t: { startupMs: number; totalMs: number; ok: boolean; detail?: string }) => {
    if (!t.ok) throw new Error(`${k}: ${t.detail ?? 'failed'}`);
    (res[k] ??= { startup: [], total: [] }).startup.push(t.startupMs);
    res[k].total.push(t.totalMs);
  };
  try {
    // interleaved, so drift on the shared machine hits both alike; one warm-up each first
    await bareRun(module, ['loop', '0']);
    await sandboxRun(run, module, ['loop', '0']);
    for (let i = 0; i < n; i++) {
      add('bare:0', await bareRun(module, ['loop', '0']));
      add('ours:0', await sandboxRun(run, module, ['loop', '0']));
      add(`bare:${CALLS}`, await bareRun(module, ['loop', String(CALLS)]));
      add(`ours:${CALLS}`, await sandboxRun(run, module, ['loop', String(CALLS)]));
    }
  } catch (e) {
    targets.push({ group: 'sandbox', target: 'sandbox targets', measured: `failed: ${(e as Error).message.slice(0, 200)}`, met: false });
    return;
  }
  const label = `clock-loop.wasm (clang wasm32-wasi, ${(module.length / 1e3).toFixed(0)} KB)`;
  const med = (xs: number[]) => stats(xs)!.median;
  const runPhase = (k: string) => res[k].total.map((t, i) => t - res[k].startup[i]);
  for (const [k, peer] of [['ours:0', 'ours: runSandboxed (bundled runner)'], ['bare:0', 'bare node:wasi (forked)']] as const) {
    rows.push({ group: 'sandbox', op: 'start-up (spawn -> _start)', input: label, inputMB: module.length / 1e6, peer, stats: stats(res[k].startup) });
    rows.push({ group: 'sandbox', op: 'total, no WASI loop', input: label, inputMB: module.length / 1e6, peer, stats: stats(res[k].total) });
  }
  for (const [k, peer] of [[`ours:${CALLS}`, 'ours: runSandboxed (bundled runner)'], [`bare:${CALLS}`, 'bare node:wasi (forked)']] as const) {
    rows.push({ group: 'sandbox', op: `run phase, ${CALLS / 1e6}M clock_time_get`, input: label, inputMB: module.length / 1e6, peer, stats: stats(runPhase(k)) });
  }
  const oursRows = rows.filter((r) => r.group === 'sandbox' && r.peer.startsWith('ours'));
  for (const r of rows.filter((x) => x.group === 'sandbox' && x.peer.startsWith('bare'))) {
    const o = oursRows.find((x) => x.op === r.op);
    if (o?.stats && r.stats) r.ratio = r.stats.median / o.stats.median;
  }
  const su = med(res['ours:0'].startup) / med(res['bare:0'].startup);
  targets.push({
    group: 'sandbox', target: 'sandbox start-up <= 1.5x a bare node:wasi run',
    measured: `${fmtMs(med(res['ours:0'].startup))} ms vs ${fmtMs(med(res['bare:0'].startup))} ms = ${fmtRatio(su)}`,
    met: su <= 1.5,
  });
  const oursPer = (med(runPhase(`ours:${CALLS}`)) - med(runPhase('ours:0'))) / CALLS;
  const barePer = (med(runPhase(`bare:${CALLS}`)) - med(runPhase('bare:0'))) / CALLS;
  const over = oursPer / barePer - 1;
  targets.push({
    group: 'sandbox', target: 'monitoring overhead per WASI call <= 10% over node:wasi (1M clock_time_get)',
    measured: `${(oursPer * 1e6).toFixed(0)} ns vs ${(barePer * 1e6).toFixed(0)} ns per call (loop included) = ${over >= 0 ? '+' : ''}${(over * 100).toFixed(0)}%`,
    met: over <= 0.1,
  });
}

// ---------------------------------------------------------------------------------------------
function printTable(): string {
  const lines: string[] = [];
  const header = ['group', 'operation', 'input', 'MB', 'peer', 'median ms', 'min-max ms (n)', 'MB/s', 'peak +MB', 'max RSS MB', 'peer/ours'];
  const body = rows.map((r) => [
    r.group, r.op, r.input, r.inputMB.toFixed(2), r.peer,
    r.failure ? 'FAILED' : r.stats ? fmtMs(r.stats.median) : r.capped ? `>= ${r.capMs}` : r.note ?? '-',
    r.stats ? `${fmtMs(r.stats.min)}-${fmtMs(r.stats.max)} (${r.stats.n})${r.capped ? ' capped' : ''}` : r.failure ? r.failure.split('\n').join(' ').slice(0, 60) : '',
    r.mbPerS !== undefined ? r.mbPerS.toFixed(r.mbPerS >= 100 ? 0 : 1) : '',
    r.peakDeltaMB !== undefined ? r.peakDeltaMB.toFixed(0) : '',
    r.maxRssMB !== undefined ? r.maxRssMB.toFixed(0) : '',
    r.ratio !== undefined ? (r.capped && !r.stats ? '>=' : '') + fmtRatio(r.ratio) : '',
  ]);
  const md = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '/')).join(' | ')} |`;
  lines.push(md(header), md(header.map(() => '---')), ...body.map(md));
  lines.push('', md(['group', 'target', 'measured', 'met']), md(['---', '---', '---', '---']));
  for (const t of targets) lines.push(md([t.group, t.target, t.measured, t.met === 'n/a' ? 'n/a' : t.met ? 'MET' : 'NOT MET']));
  return lines.join('\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadBefore = os.loadavg();
  ensurePeers();
  await buildChild(log);
  if (!argv.includes('--no-build') && (want('lsp') || want('print') || want('editing') || want('activation') || want('sandbox') || want('fuzz'))) {
    log('building dist/ (node scripts/build.mjs)');
    const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (b.status !== 0) log('build failed: the LSP/activation/sandbox rows use whatever dist/ holds');
  }
  const groups: [string, () => Promise<void>][] = [
    ['activation', activationGroup], ['policy', policyGroup], ['validate', validateGroup], ['code', codeGroup], ['wat', watGroup], ['assemble', assembleGroup], ['print', printGroup], ['lsp', lspGroup], ['editing', editingGroup], ['scan', scanGroup], ['sandbox', sandboxGroup], ['fuzz', fuzzGroup],
  ];
  for (const [name, fn] of groups) {
    if (!want(name)) continue;
    log(`== ${name}`);
    try {
      await fn();
    } catch (e) {
      log(`${name} failed: ${(e as Error).stack}`);
      targets.push({ group: name, target: `${name} group`, measured: `crashed: ${(e as Error).message.slice(0, 200)}`, met: false });
    }
  }
  const table = printTable();
  console.log(table);
  console.log(`\nload average (1 min) before/after: ${loadBefore[0].toFixed(1)} / ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs`);
  const out = path.join(ROOT, '.bench', 'results.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const cpus = os.cpus();
  fs.writeFileSync(out, JSON.stringify({
    date: new Date().toISOString(), quick: QUICK, only: ONLY ? [...ONLY] : undefined, durationS: (Date.now() - started) / 1000,
    loadavg: { before: loadBefore, after: os.loadavg() },
    machine: { cpus: cpus.length, model: cpus[0]?.model, memGB: os.totalmem() / 2 ** 30, node: process.version, platform: `${os.platform()} ${os.release()}` },
    rows, targets, table,
  }, null, 2));
  log(`wrote ${path.relative(ROOT, out)} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
