/**
 * The operations as the toolchain worker runs them: wabt and binaryen calls, loaded lazily on first
 * use. Only the worker process imports this file (it is never loaded in the language server).
 */
import { pathToFileURL } from 'url';
import { WABT_FEATURES } from './features';
import { printToFile } from '../operations/print-file';
import type {
  BinaryenVerdict,
  CompileResultRaw,
  DisassembleResultRaw,
  OptimizeLevel,
  OptimizeResultRaw,
  Requests,
  ToolFailure,
  ValidateResultRaw,
} from './protocol';
import type { WabtStage } from './wabt-messages';

type Wabt = any;
type Binaryen = any;

let wabtPromise: Promise<Wabt> | undefined;
let binaryenPromise: Promise<Binaryen> | undefined;
const loaded: string[] = [];

/** Set when a library aborted (its wasm instance may be unusable): the worker exits after answering. */
let tainted = false;

export function isTainted(): boolean {
  return tainted;
}

function loadWabt(): Promise<Wabt> {
  wabtPromise ??= (async () => {
    const factory = require('wabt') as () => Promise<Wabt>;
    const w = await factory();
    loaded.push('wabt');
    return w;
  })();
  return wabtPromise;
}

function loadBinaryen(): Promise<Binaryen> {
  binaryenPromise ??= (async () => {
    // binaryen is ESM only (with top-level await): import it by URL so a CJS bundle can load it too.
    const file = require.resolve('binaryen');
    const mod = await import(pathToFileURL(file).href);
    loaded.push('binaryen');
    return mod.default ?? mod;
  })();
  return binaryenPromise;
}

// ---- console capture: binaryen prints validator errors with console.error/console.log ----------

let capture: string[] | null = null;

/** Route console output to the current capture (or stderr): call before binaryen is loaded. */
export function installConsoleCapture(): void {
  const sink =
    (stream: NodeJS.WriteStream) =>
    (...args: unknown[]) => {
      const line = args.map((a) => (typeof a === 'string' ? a : String(a))).join(' ');
      if (capture) capture.push(line);
      else stream.write(line + '\n');
    };
  console.log = sink(process.stderr);
  console.info = sink(process.stderr);
  console.warn = sink(process.stderr);
  console.error = sink(process.stderr);
}

function captured<T>(fn: () => T): { value: T; output: string[] } {
  const prev = capture;
  capture = [];
  try {
    const value = fn();
    return { value, output: capture };
  } finally {
    capture = prev;
  }
}

// ---- helpers ---------------------------------------------------------------------------------

/** A Uint8Array that owns its whole ArrayBuffer (wabt reads the whole underlying buffer). */
function fresh(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

function errText(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === 'RuntimeError' || /^Aborted|out of memory/i.test(e.message)) {
      tainted = true;
      return `crashed (${e.message}): nesting too deep or input too large?`;
    }
    return e.message;
  }
  if (typeof e === 'number') {
    // emscripten may throw a pointer/number on abort
    tainted = true;
    return `internal error (${e})`;
  }
  if (e && typeof e === 'object') {
    const m = (e as { message?: unknown }).message;
    if (typeof m === 'string') return m;
    try {
      return JSON.stringify(e);
    } catch {
      /* fall through */
    }
  }
  return String(e);
}

/** Split binaryen validator output into one message per `[wasm-validator error ...]`. */
function splitValidatorOutput(lines: string[]): string[] {
  const out: string[] = [];
  let all = lines.join('\n');
  // binaryen's output is line-buffered: an earlier message without a newline may lead the text
  const first = all.indexOf('[wasm-validator error');
  if (first > 0) all = all.slice(first);
  for (const chunk of all.split('\n')) {
    if (/^\[wasm-validator error/.test(chunk) || out.length === 0) out.push(chunk);
    else out[out.length - 1] += '\n' + chunk;
  }
  return out.map((m) => m.trim()).filter(Boolean);
}

function binaryenCheck(b: Binaryen, make: () => any): BinaryenVerdict {
  let mod: any;
  try {
    const r = captured(make);
    mod = r.value;
  } catch (e) {
    return { read: false, valid: false, messages: [errText(e)] };
  }
  try {
    mod.setFeatures(b.Features.All);
    const { value, output } = captured(() => mod.validate());
    const valid = Boolean(value);
    return { read: true, valid, messages: valid ? [] : splitValidatorOutput(output) };
  } catch (e) {
    return { read: true, valid: false, messages: [errText(e)] };
  } finally {
    try {
      mod.dispose();
    } catch {
      /* ignore */
    }
  }
}

// ---- operations ------------------------------------------------------------------------------

async function validateWat(p: Requests['validate-wat']['payload']): Promise<ValidateResultRaw> {
  if (p.secondOpinion === 'instead') {
    const b = await loadBinaryen();
    return { wabt: { ok: false, skipped: true }, binaryen: binaryenCheck(b, () => b.parseText(p.text)) };
  }
  const wabt = await loadWabt();
  const res: ValidateResultRaw = { wabt: { ok: true } };
  let stage: WabtStage = 'parse';
  let mod: any;
  try {
    mod = wabt.parseWat('input.wat', p.text, WABT_FEATURES);
    stage = 'resolve';
    mod.resolveNames();
    stage = 'validate';
    mod.validate(WABT_FEATURES);
  } catch (e) {
    res.wabt = { ok: false, failure: { tool: 'wabt', stage, message: errText(e) } };
  } finally {
    mod?.destroy();
  }
  if (!res.wabt.ok && (p.secondOpinion === 'on-failure' || stage === 'parse')) {
    const b = await loadBinaryen();
    res.binaryen = binaryenCheck(b, () => b.parseText(p.text));
  }
  return res;
}

async function validateWasm(p: Requests['validate-wasm']['payload']): Promise<ValidateResultRaw> {
  const wabt = await loadWabt();
  const res: ValidateResultRaw = { wabt: { ok: true } };
  let stage: WabtStage = 'read';
  let mod: any;
  try {
    mod = wabt.readWasm(fresh(p.bytes), { readDebugNames: false, check: true, ...WABT_FEATURES });
    stage = 'validate';
    mod.validate(WABT_FEATURES);
  } catch (e) {
    res.wabt = { ok: false, failure: { tool: 'wabt', stage, message: errText(e) } };
  } finally {
    mod?.destroy();
  }
  if (!res.wabt.ok && (p.secondOpinion === 'on-failure' || stage === 'read')) {
    const b = await loadBinaryen();
    res.binaryen = binaryenCheck(b, () => b.readBinary(fresh(p.bytes)));
  }
  return res;
}

async function compileWat(p: Requests['compile-wat']['payload']): Promise<CompileResultRaw> {
  const wabt = await loadWabt();
  let stage: WabtStage = 'parse';
  let mod: any;
  try {
    mod = wabt.parseWat('input.wat', p.text, WABT_FEATURES);
    stage = 'resolve';
    mod.resolveNames();
    stage = 'validate';
    mod.validate(WABT_FEATURES);
    stage = 'binary';
    const out = mod.toBinary({ write_debug_names: p.debugNames, log: false });
    return { bytes: new Uint8Array(out.buffer) };
  } catch (e) {
    return { failure: { tool: 'wabt', stage, message: errText(e) } };
  } finally {
    mod?.destroy();
  }
}

async function disassemble(p: Requests['disassemble']['payload']): Promise<DisassembleResultRaw> {
  const wabt = await loadWabt();
  let stage: WabtStage = 'read';
  let mod: any;
  let wabtFailure: ToolFailure;
  try {
    mod = wabt.readWasm(fresh(p.bytes), { readDebugNames: true, check: true, ...WABT_FEATURES });
    stage = 'names';
    try {
      mod.generateNames();
      mod.applyNames();
    } catch {
      // wabt's applyNames rejects some modules (measured on about 7% of the spec suite's): print them
      // with plain indices instead
      mod.destroy();
      mod = undefined;
      mod = wabt.readWasm(fresh(p.bytes), { readDebugNames: false, check: true, ...WABT_FEATURES });
    }
    stage = 'text';
    return { text: mod.toText({ foldExprs: p.foldExprs, inlineExport: p.inlineExport }) };
  } catch (e) {
    wabtFailure = { tool: 'wabt', stage, message: errText(e) };
  } finally {
    mod?.destroy();
  }
  if (stage !== 'read' || tainted) return { failure: wabtFailure };
  // wabt could not read it (e.g. a proposal it lacks): let binaryen print it
  const b = await loadBinaryen();
  let bmod: any;
  try {
    bmod = captured(() => b.readBinary(fresh(p.bytes))).value;
    bmod.setFeatures(b.Features.All);
    return { text: captured(() => bmod.emitText()).value as string, via: 'binaryen', wabtFailure };
  } catch (e) {
    return { failure: wabtFailure, wabtFailure: { tool: 'binaryen', stage: 'read', message: errText(e) } };
  } finally {
    bmod?.dispose();
  }
}

const LEVELS: Record<OptimizeLevel, [number, number]> = {
  O1: [1, 0],
  O2: [2, 0],
  O3: [3, 0],
  O4: [4, 0],
  Os: [2, 1],
  Oz: [2, 2],
};

async function optimize(p: Requests['optimize']['payload']): Promise<OptimizeResultRaw> {
  const b = await loadBinaryen();
  let mod: any;
  try {
    mod = captured(() => b.readBinary(fresh(p.bytes))).value;
  } catch (e) {
    return { failure: { tool: 'binaryen', stage: 'read', message: `binaryen could not read the module: ${errText(e)}` } };
  }
  const saved = { opt: b.getOptimizeLevel(), shrink: b.getShrinkLevel(), debug: b.getDebugInfo() };
  try {
    mod.setFeatures(b.Features.All);
    const funcsBefore = mod.getNumFunctions() as number;
    const pre = captured(() => mod.validate());
    if (!pre.value) {
      const msgs = splitValidatorOutput(pre.output);
      return {
        funcsBefore,
        failure: { tool: 'binaryen', stage: 'validate', message: `the input is not valid: ${msgs[0] ?? 'validation failed'}` },
      };
    }
    const [opt, shrink] = LEVELS[p.level];
    b.setOptimizeLevel(opt);
    b.setShrinkLevel(shrink);
    b.setDebugInfo(!p.stripDebug);
    const passes: string[] = [];
    if (p.stripDebug) passes.push('strip-debug');
    if (p.stripProducers) passes.push('strip-producers');
    captured(() => {
      mod.optimize();
      if (passes.length) mod.runPasses(passes);
    });
    const funcsAfter = mod.getNumFunctions() as number;
    const post = captured(() => mod.validate());
    if (!post.value) {
      const msgs = splitValidatorOutput(post.output);
      return {
        funcsBefore,
        funcsAfter,
        failure: { tool: 'binaryen', stage: 'validate', message: `the optimized module is not valid: ${msgs[0] ?? 'validation failed'}` },
      };
    }
    const bytes = new Uint8Array(captured(() => mod.emitBinary()).value as Uint8Array);
    return { bytes, funcsBefore, funcsAfter };
  } catch (e) {
    return { failure: { tool: 'binaryen', stage: 'binary', message: `binaryen failed: ${errText(e)}` } };
  } finally {
    b.setOptimizeLevel(saved.opt);
    b.setShrinkLevel(saved.shrink);
    b.setDebugInfo(saved.debug);
    try {
      mod.dispose();
    } catch {
      /* ignore */
    }
  }
}

export async function runOp(op: string, payload: any): Promise<unknown> {
  switch (op) {
    case 'validate-wat':
      return validateWat(payload);
    case 'validate-wasm':
      return validateWasm(payload);
    case 'compile-wat':
      return compileWat(payload);
    case 'disassemble':
      return disassemble(payload);
    case 'optimize':
      return optimize(payload);
    case 'print-file':
      return printToFile(payload.input, payload.output, payload);
    case 'ping':
      return { pid: process.pid, loaded: [...loaded] };
    default:
      throw new Error(`unknown toolchain operation '${op}'`);
  }
}
