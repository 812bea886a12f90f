/**
 * Code-section rewriting for the runner:
 * - fuel (instruction budget): a mutable i64 global is charged at every function entry (the number of
 *   instructions of the body outside loops) and at every loop header (the number of instructions of the
 *   loop body); when it goes negative the guest executes `unreachable`. The charge is static, so the
 *   count approximates (from above, for straight-line code) the instructions executed. Each function
 *   charges through an appended i64 local holding its copy of the fuel (stored to the global at every
 *   charge, reloaded from it after every call), so a loop's charge is register arithmetic plus a store.
 * - memory.grow on memory 0 is redirected to an appended function that performs the grow and counts
 *   the failures in an exported i32 global, so a refused grow can be reported.
 *   With `growNotify`, the hook also calls an appended import (`__warden_<random>.memory_grown`, given the
 *   grow's result) so the runner learns of every grow at once, even while the guest computes without WASI
 *   calls.
 * The names of what is appended (the exported fuel and grow-failure globals, the notify import's module)
 * end in 128 random bits chosen per run (newInstrumentNames), and a module that already uses one is
 * refused: nothing a guest exports or imports can be taken for the sandbox's own.
 * Only new globals and one new function are appended at the end of their index spaces. The notify import
 * is the exception: a new function import shifts every defined function's index by one, so calls,
 * return_calls, ref.func, exports, the start function, element segments, global initialisers and the
 * name section's function-indexed subsections are renumbered. Modules using GC or other unknown opcodes
 * are left alone (InstrumentError).
 */
import { randomBytes } from 'crypto';
import { leb, ModuleFormatError, sections } from './memory-limit';

/** The names of the instrumentation's exports and import: unguessable, one set per run. */
export interface InstrumentNames {
  /** export of the fuel global (i64, what is left) */
  fuel: string;
  /** export of the i32 global counting refused memory.grow */
  growFailed: string;
  /** module of the import the grow hook calls with `growNotify` (its name is NOTIFY_GROW) */
  notifyModule: string;
  /**
   * export of the module's start function, whose start section is removed: the sandbox calls it once the
   * instance exists, so the start function runs with WASI's memory set, metered and with its proc_exit,
   * output and fuel seen like `_start`'s (run by the engine during instantiation, none of that was possible)
   */
  start: string;
}
export const NOTIFY_GROW = 'memory_grown';

export function newInstrumentNames(): InstrumentNames {
  const tag = randomBytes(16).toString('hex');
  return { fuel: `__warden_fuel_${tag}`, growFailed: `__warden_grow_failed_${tag}`, notifyModule: `__warden_${tag}`, start: `__warden_start_${tag}` };
}

export class InstrumentError extends Error {}

export interface InstrumentResult {
  bytes: Uint8Array;
  /** the names used (given, or chosen at random) */
  names: InstrumentNames;
  fuel: boolean;
  growHook: boolean;
  /** the module's last import is NOTIFY_MODULE.NOTIFY_GROW (param i32) */
  growNotify: boolean;
  /** the module had a start function: it is now exported as `names.start` and must be called by the host */
  deferredStart: boolean;
  /**
   * with `coverage`: each site (every function's entry and every loop: just before it, once per entry of the
   * loop rather than per iteration) sets one bit of the i32 globals (the fuzzer lets them accumulate)
   * exported as `coverageExport(names, k)`, site i as bit i % 32 of global floor(i / 32) (sites past
   * MAX_COVERAGE_SITES share bits); `sites[i]` says where site i is (defined function index, loop or entry)
   */
  coverage?: { globals: number; sites: { func: number; loop: boolean }[] };
}

/** at most this many distinct coverage sites (1024 globals); further sites share their bits */
export const MAX_COVERAGE_SITES = 32 * 1024;

/** The export name of coverage global `k`. */
export function coverageExport(names: InstrumentNames, k: number): string {
  return `${names.fuel}_cov${k}`;
}

class R {
  constructor(readonly b: Uint8Array, public p: number) {}
  byte(): number {
    if (this.p >= this.b.length) throw new ModuleFormatError('unexpected end');
    return this.b[this.p++];
  }
  u32(): number {
    let r = 0;
    let s = 0;
    for (;;) {
      const x = this.byte();
      r += (x & 0x7f) * 2 ** s;
      if (!(x & 0x80)) return r;
      s += 7;
      if (s > 35) throw new ModuleFormatError('bad LEB');
    }
  }
  skipLeb(): void {
    for (let i = 0; i < 10; i++) if (!(this.byte() & 0x80)) return;
    throw new ModuleFormatError('bad LEB');
  }
  skip(n: number): void {
    this.p += n;
    if (this.p > this.b.length) throw new ModuleFormatError('unexpected end');
  }
  name(): void {
    this.skip(this.u32());
  }
}

function skipHeapOrValType(r: R): void {
  const b = r.byte();
  if (b === 0x63 || b === 0x64) r.skipLeb(); // (ref null? ht)
}
function skipBlockType(r: R): void {
  const b = r.b[r.p];
  if (b === 0x40 || (b >= 0x69 && b <= 0x7f && b !== 0x63 && b !== 0x64)) return void r.p++;
  if (b === 0x63 || b === 0x64) return skipHeapOrValType(r);
  r.skipLeb(); // type index (s33)
}
function skipMemarg(r: R): void {
  const align = r.u32();
  if (align & 0x40) r.u32();
  r.skipLeb();
}

/** Decodes one instruction at r.p (opcode already read as `op`), skipping its immediates. */
function skipImmediates(r: R, op: number): void {
  if (op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || op === 0x0a || op === 0x19) return;
  if (op === 0x02 || op === 0x03 || op === 0x04 || op === 0x06) return skipBlockType(r);
  if (op === 0x07 || op === 0x08 || op === 0x09 || op === 0x18 || op === 0x0c || op === 0x0d) return void r.u32();
  if (op === 0x0e) {
    const n = r.u32();
    for (let i = 0; i <= n; i++) r.u32();
    return;
  }
  if (op === 0x1f) {
    skipBlockType(r);
    const n = r.u32();
    for (let i = 0; i < n; i++) {
      const k = r.byte();
      if (k === 0 || k === 1) r.u32();
      r.u32();
    }
    return;
  }
  if (op === 0x10 || op === 0x12 || op === 0x14 || op === 0x15) return void r.u32();
  if (op === 0x11 || op === 0x13) return void (r.u32(), r.u32());
  if (op === 0x1c) {
    const n = r.u32();
    for (let i = 0; i < n; i++) skipHeapOrValType(r);
    return;
  }
  if (op >= 0x20 && op <= 0x26) return void r.u32();
  if (op >= 0x28 && op <= 0x3e) return skipMemarg(r);
  if (op === 0x3f || op === 0x40) return void r.u32();
  if (op === 0x41 || op === 0x42) return r.skipLeb();
  if (op === 0x43) return r.skip(4);
  if (op === 0x44) return r.skip(8);
  if (op >= 0x45 && op <= 0xc4) return;
  if (op === 0xd0) return r.skipLeb();
  if (op === 0xd1 || op === 0xd3 || op === 0xd4) return;
  if (op === 0xd2 || op === 0xd5 || op === 0xd6) return void r.u32();
  if (op === 0xfc) {
    const s = r.u32();
    if (s <= 7) return;
    if (s === 8 || s === 10 || s === 12 || s === 14) return void (r.u32(), r.u32());
    if (s === 9 || s === 11 || s === 13 || (s >= 15 && s <= 17)) return void r.u32();
    throw new InstrumentError(`unknown 0xfc ${s}`);
  }
  if (op === 0xfd) {
    const s = r.u32();
    if (s <= 11 || s === 92 || s === 93) return skipMemarg(r);
    if (s === 12 || s === 13) return r.skip(16);
    if (s >= 21 && s <= 34) return r.skip(1);
    if (s >= 84 && s <= 91) return (skipMemarg(r), r.skip(1));
    return;
  }
  if (op === 0xfe) {
    const s = r.u32();
    if (s === 3) return r.skip(1);
    return skipMemarg(r);
  }
  throw new InstrumentError(`opcode 0x${op.toString(16)} is not supported by the instrumentation`);
}

interface Counts {
  funcImports: number;
  globalImports: number;
}

function countImports(bytes: Uint8Array, start: number): Counts {
  const r = new R(bytes, start);
  const n = r.u32();
  const c = { funcImports: 0, globalImports: 0 };
  for (let i = 0; i < n; i++) {
    r.name();
    r.name();
    const k = r.byte();
    if (k === 0) (r.u32(), c.funcImports++);
    else if (k === 1) (skipHeapOrValType(r), r.byte() & 1 ? (r.u32(), r.u32()) : r.u32());
    else if (k === 2) {
      const f = r.byte();
      r.u32();
      if (f & 1) r.u32();
    } else if (k === 3) (skipHeapOrValType(r), r.byte(), c.globalImports++);
    else if (k === 4) (r.byte(), r.u32());
    else throw new InstrumentError(`import kind ${k}`);
  }
  return c;
}

/** dst.push(...src) without the argument-count limit (large sections overflowed the stack) */
function append(dst: number[], src: ArrayLike<number>): void {
  for (let i = 0; i < src.length; i++) dst.push(src[i]);
}

function section(id: number, body: ArrayLike<number>): Uint8Array {
  const head = [id, ...leb(body.length)];
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/** A growable byte buffer. */
class Bytes {
  private b = new Uint8Array(4096);
  len = 0;
  add(src: ArrayLike<number>): void {
    if (this.len + src.length > this.b.length) {
      const n = new Uint8Array(Math.max(this.b.length * 2, this.len + src.length));
      n.set(this.b.subarray(0, this.len));
      this.b = n;
    }
    this.b.set(src, this.len);
    this.len += src.length;
  }
  view(): Uint8Array {
    return this.b.subarray(0, this.len);
  }
}
function vecCount(bytes: Uint8Array, start: number): { n: number; after: number } {
  const r = new R(bytes, start);
  const n = r.u32();
  return { n, after: r.p };
}

/** Canonical order of the known sections (custom sections keep their place). */
const ORDER: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 };

export function instrument(bytes: Uint8Array, opts: { fuel?: number; growHook: boolean; growNotify?: boolean; names?: InstrumentNames; coverage?: boolean }): InstrumentResult {
  const names = opts.names ?? newInstrumentNames();
  const secs = sections(bytes);
  const get = (id: number) => secs.find((s) => s.id === id);
  const imp = get(2);
  const counts = imp ? countImports(bytes, imp.start) : { funcImports: 0, globalImports: 0 };
  const fnSec = get(3);
  const definedFuncs = fnSec ? vecCount(bytes, fnSec.start).n : 0;
  const globSec = get(6);
  const definedGlobals = globSec ? vecCount(bytes, globSec.start).n : 0;
  const memSec = get(5);
  const hasMemory = !!memSec || (imp ? /* imported memory */ importsMemory(bytes, imp.start) : false);
  const growHook = opts.growHook && hasMemory;
  const fuel = opts.fuel !== undefined;
  if (!fuel && !growHook) return { bytes, names, fuel: false, growHook: false, growNotify: false, deferredStart: false };
  const code = get(10);
  if (!code) return { bytes, names, fuel: false, growHook: false, growNotify: false, deferredStart: false };
  refuseReservedNames(bytes, imp, get(7), names);
  const notify = growHook && !!opts.growNotify;
  const shift = notify ? 1 : 0;
  const fx = (i: number) => (i >= counts.funcImports ? i + shift : i);
  const notifyFunc = counts.funcImports;

  const fuelGlobal = counts.globalImports + definedGlobals;
  const growGlobal = fuelGlobal + (fuel ? 1 : 0);
  // coverage bits (only with fuel: the same two-pass rewrite), after the fuel and grow globals
  const coverage = fuel && !!opts.coverage;
  const covBase = growGlobal + (growHook ? 1 : 0);
  const sites: { func: number; loop: boolean }[] = [];
  const cov = (func: number, loop: boolean): number[] => {
    const i = sites.length < MAX_COVERAGE_SITES ? sites.length : sites.length % MAX_COVERAGE_SITES;
    sites.push({ func, loop });
    const g = covBase + (i >> 5);
    return [0x23, ...leb(g), 0x41, ...sleb((1 << (i & 31)) | 0), 0x72, 0x24, ...leb(g)];
  };
  const hookFunc = counts.funcImports + shift + definedFuncs;
  const typeSec = get(1);
  const typeCount = typeSec ? vecCount(bytes, typeSec.start).n : 0;
  // each defined function's parameter count, for the local that holds its fuel (undefined: charge the global alone)
  const paramCounts = fuel ? definedParamCounts(bytes, typeSec, fnSec) : undefined;

  // new code section
  const cr = new R(bytes, code.start);
  const nBodies = cr.u32();
  const out = new Bytes();
  out.add(leb(nBodies + (growHook ? 1 : 0)));
  const scratch = new Bytes();
  const charge = (k: number) => [
    0x23, ...leb(fuelGlobal), 0x42, ...sleb(k), 0x7d, 0x24, ...leb(fuelGlobal),
    0x23, ...leb(fuelGlobal), 0x42, 0x00, 0x53, 0x04, 0x40, 0x00, 0x0b,
  ];
  // With a local $f holding what is left (the function's own copy of the global): the charge is computed in
  // $f and stored to the global, so a loop's iterations depend on a register rather than on a load of what
  // the previous iteration stored (about half the cost of a metered iteration); the global is still exact
  // at every charge (callees, a trap and the host read it), and $f is reloaded after every call.
  const chargeEntry = (k: number, f: number[]) => [
    0x23, ...leb(fuelGlobal), 0x42, ...sleb(k), 0x7d, 0x22, ...f, 0x24, ...leb(fuelGlobal),
    0x20, ...f, 0x42, 0x00, 0x53, 0x04, 0x40, 0x00, 0x0b,
  ];
  const chargeLocal = (k: number, f: number[]) => [
    0x20, ...f, 0x42, ...sleb(k), 0x7d, 0x22, ...f, 0x24, ...leb(fuelGlobal),
    0x20, ...f, 0x42, 0x00, 0x53, 0x04, 0x40, 0x00, 0x0b,
  ];
  for (let i = 0; i < nBodies; i++) {
    const size = cr.u32();
    const end = cr.p + size;
    const r = new R(bytes, cr.p);
    const nl = r.u32();
    const entriesStart = r.p;
    let declared = 0;
    for (let j = 0; j < nl; j++) (declared += r.u32(), skipHeapOrValType(r));
    const localsEnd = r.p;
    if (!fuel) {
      // one pass: copy, replacing memory.grow 0 and renumbering function indices
      const body = scratch;
      body.len = 0;
      let from = cr.p; // start of the bytes not yet copied
      const hookCall = [0x10, ...leb(hookFunc)];
      while (r.p < end) {
        const start = r.p;
        const op = r.byte();
        if (op === 0x40 && r.b[r.p] === 0) {
          r.p++;
          body.add(bytes.subarray(from, start));
          body.add(hookCall);
          from = r.p;
          continue;
        }
        if (shift && (op === 0x10 || op === 0x12 || op === 0xd2)) {
          const idx = r.u32();
          body.add(bytes.subarray(from, start));
          body.add([op, ...leb(fx(idx))]);
          from = r.p;
          continue;
        }
        skipImmediates(r, op);
      }
      if (r.p !== end) throw new ModuleFormatError('function body overruns');
      body.add(bytes.subarray(from, end));
      out.add(leb(body.len));
      out.add(body.view());
      cr.p = end;
      continue;
    }
    // pass 1: instruction boundaries, loop extents
    const ops: { op: number; start: number; end: number }[] = [];
    const stack: number[] = [];
    const loopCost = new Map<number, number>(); // op index of loop -> instructions inside
    let outside = 0;
    const depthLoops: number[] = [];
    while (r.p < end) {
      const start = r.p;
      const op = r.byte();
      skipImmediates(r, op);
      const idx = ops.length;
      ops.push({ op, start, end: r.p });
      if (depthLoops.length) loopCost.set(depthLoops[depthLoops.length - 1], (loopCost.get(depthLoops[depthLoops.length - 1]) ?? 0) + 1);
      else outside++;
      if (op === 0x02 || op === 0x04 || op === 0x06 || op === 0x1f) stack.push(-1);
      else if (op === 0x03) {
        stack.push(idx);
        depthLoops.push(idx);
      } else if (op === 0x0b && stack.length) {
        const top = stack.pop()!;
        if (top >= 0) depthLoops.pop();
      }
    }
    if (r.p !== end) throw new ModuleFormatError('function body overruns');
    // pass 2: emit
    // the fuel local: after the parameters and the declared locals (not when the engine's limit is near, and
    // not in a function that catches: after a callee threw, its copy would not have been reloaded, and its
    // next charge would give back what the callee burnt; such a function charges the global itself)
    const catches = ops.some((o) => o.op === 0x06 || o.op === 0x1f);
    const fl = paramCounts && declared < 40_000 && !catches ? leb(paramCounts[i] + declared) : undefined;
    const body: number[] = fl ? [...leb(nl + 1), ...bytes.subarray(entriesStart, localsEnd), 0x01, 0x7e] : [...bytes.subarray(cr.p, localsEnd)];
    const reload = fl ? [0x23, ...leb(fuelGlobal), 0x21, ...fl] : [];
    if (fuel) body.push(...(fl ? chargeEntry(Math.max(1, outside), fl) : charge(Math.max(1, outside))));
    if (coverage) body.push(...cov(i, false));
    for (let k = 0; k < ops.length; k++) {
      const o = ops[k];
      if (growHook && o.op === 0x40 && o.end - o.start === 2 && bytes[o.start + 1] === 0) {
        body.push(0x10, ...leb(hookFunc));
        continue;
      }
      if (shift && (o.op === 0x10 || o.op === 0x12 || o.op === 0xd2)) {
        body.push(o.op, ...leb(fx(new R(bytes, o.start + 1).u32())));
        if (o.op === 0x10) body.push(...reload);
        continue;
      }
      // a loop's coverage bit is set before the loop, once per entry rather than once per iteration: the bit
      // says the same (the header was reached), and a hot loop does not pay for it
      if (coverage && o.op === 0x03) body.push(...cov(i, true));
      for (let p = o.start; p < o.end; p++) body.push(bytes[p]);
      // call, call_indirect, call_ref: the callee charged the global
      if (fl && (o.op === 0x10 || o.op === 0x11 || o.op === 0x14)) body.push(...reload);
      if (fuel && o.op === 0x03) body.push(...(fl ? chargeLocal(Math.max(1, loopCost.get(k) ?? 1), fl) : charge(Math.max(1, loopCost.get(k) ?? 1))));
    }
    out.add(leb(body.length));
    out.add(body);
    cr.p = end;
  }
  if (growHook) {
    const hook = [
      0x01, 0x01, 0x7f, // one i32 local
      0x20, 0x00, 0x40, 0x00, 0x21, 0x01,
      ...(notify ? [0x20, 0x01, 0x10, ...leb(notifyFunc)] : []),
      0x20, 0x01, 0x41, 0x7f, 0x46, 0x04, 0x40, 0x23, ...leb(growGlobal), 0x41, 0x01, 0x6a, 0x24, ...leb(growGlobal), 0x0b,
      0x20, 0x01, 0x0b,
    ];
    out.add([...leb(hook.length), ...hook]);
  }

  // rebuilt sections
  const replaced = new Map<number, ArrayLike<number>>();
  replaced.set(10, out.view());
  if (growHook) {
    const funcType = [0x60, 0x01, 0x7f, 0x01, 0x7f];
    replaced.set(1, appendVec(bytes, typeSec, notify ? [...funcType, 0x60, 0x01, 0x7f, 0x00] : funcType, notify ? 2 : 1));
    replaced.set(3, appendVec(bytes, fnSec, leb(typeCount)));
  }
  if (notify) {
    const nameBytes = (s: string) => [...leb(s.length), ...Buffer.from(s)];
    replaced.set(2, appendVec(bytes, imp, [...nameBytes(names.notifyModule), ...nameBytes(NOTIFY_GROW), 0x00, ...leb(typeCount + 1)]));
    const elem = get(9);
    if (elem) replaced.set(9, renumberElements(bytes, elem, fx));
  }
  const newGlobals: number[] = [];
  if (fuel) newGlobals.push(0x7e, 0x01, 0x42, ...sleb(opts.fuel!), 0x0b);
  if (growHook) newGlobals.push(0x7f, 0x01, 0x41, 0x00, 0x0b);
  const covGlobals = coverage ? Math.ceil(Math.min(sites.length, MAX_COVERAGE_SITES) / 32) : 0;
  for (let k = 0; k < covGlobals; k++) newGlobals.push(0x7f, 0x01, 0x41, 0x00, 0x0b);
  replaced.set(6, appendVec(bytes, globSec, newGlobals, (fuel ? 1 : 0) + (growHook ? 1 : 0) + covGlobals, shift && globSec ? renumberGlobals(bytes, globSec, fx) : undefined));
  const exportSec = get(7);
  const newExports: number[] = [];
  const nameBytes = (s: string) => [...leb(s.length), ...Buffer.from(s)];
  if (fuel) newExports.push(...nameBytes(names.fuel), 0x03, ...leb(fuelGlobal));
  if (growHook) newExports.push(...nameBytes(names.growFailed), 0x03, ...leb(growGlobal));
  for (let k = 0; k < covGlobals; k++) newExports.push(...nameBytes(coverageExport(names, k)), 0x03, ...leb(covBase + k));
  // the start function (renumbered) becomes an export the sandbox calls; its section is left out below
  const startSec = get(8);
  if (startSec) newExports.push(...nameBytes(names.start), 0x00, ...leb(fx(new R(bytes, startSec.start).u32())));
  replaced.set(7, appendVec(bytes, exportSec, newExports, (fuel ? 1 : 0) + (growHook ? 1 : 0) + covGlobals + (startSec ? 1 : 0), shift && exportSec ? renumberExports(bytes, exportSec, fx) : undefined));

  // reassemble: existing sections in place (replaced ones re-encoded), missing ones inserted in order
  // parts, concatenated once at the end (unchanged sections are copied as slices)
  const parts: ArrayLike<number>[] = [bytes.subarray(0, 8)];
  const present = new Set(secs.map((s) => s.id));
  const pendingNew = [...replaced.keys()].filter((id) => !present.has(id)).sort((a, b) => ORDER[a] - ORDER[b]);
  const flushNew = (beforeOrder: number) => {
    while (pendingNew.length && ORDER[pendingNew[0]] < beforeOrder) {
      const id = pendingNew.shift()!;
      parts.push(section(id, replaced.get(id)!));
    }
  };
  for (const s of secs) {
    if (s.id !== 0) flushNew(ORDER[s.id]);
    const names = s.id === 0 && shift ? renumberNames(bytes, s, fx) : undefined;
    if (names) parts.push(section(0, names));
    else if (s.id === 8) continue; // the start section: deferred (exported as names.start)
    else if (replaced.has(s.id)) parts.push(section(s.id, replaced.get(s.id)!));
    else parts.push(bytes.subarray(s.headerStart, s.end));
  }
  flushNew(Infinity);
  const result = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    result.set(p, at);
    at += p.length;
  }
  return { bytes: result, names, fuel, growHook, growNotify: notify, deferredStart: !!startSec, ...(coverage && { coverage: { globals: covGlobals, sites } }) };
}

/**
 * The parameter count of each defined function (function section order), or undefined when a type is not a
 * plain function type (GC's rec groups and subtypes: such modules are charged through the global alone).
 */
function definedParamCounts(bytes: Uint8Array, typeSec: { start: number } | undefined, fnSec: { start: number } | undefined): number[] | undefined {
  if (!typeSec || !fnSec) return fnSec ? undefined : [];
  const params: number[] = [];
  const r = new R(bytes, typeSec.start);
  for (let i = 0, n = r.u32(); i < n; i++) {
    if (r.byte() !== 0x60) return undefined;
    const np = r.u32();
    for (let j = 0; j < np; j++) skipHeapOrValType(r);
    const nr = r.u32();
    for (let j = 0; j < nr; j++) skipHeapOrValType(r);
    params.push(np);
  }
  const f = new R(bytes, fnSec.start);
  const out: number[] = [];
  for (let i = 0, n = f.u32(); i < n; i++) {
    const t = params[f.u32()];
    if (t === undefined) return undefined;
    out.push(t);
  }
  return out;
}

/** Throws if the module already exports one of `names` or imports from the notify module (never, by chance). */
function refuseReservedNames(bytes: Uint8Array, imp: { start: number } | undefined, exp: { start: number } | undefined, names: InstrumentNames): void {
  const text = (r: R) => {
    const n = r.u32();
    const s = Buffer.from(r.b.subarray(r.p, r.p + n)).toString();
    r.skip(n);
    return s;
  };
  if (exp) {
    const r = new R(bytes, exp.start);
    for (let i = 0, n = r.u32(); i < n; i++) {
      const name = text(r);
      if (name === names.fuel || name === names.growFailed || name === names.start) throw new InstrumentError(`the module exports ${name}, a name the sandbox reserved for this run`);
      r.byte();
      r.u32();
    }
  }
  if (imp) {
    const r = new R(bytes, imp.start);
    for (let i = 0, n = r.u32(); i < n; i++) {
      if (text(r) === names.notifyModule) throw new InstrumentError(`the module imports from ${names.notifyModule}, a module name the sandbox reserved for this run`);
      r.name();
      const k = r.byte();
      if (k === 0) r.u32();
      else if (k === 1) (skipHeapOrValType(r), r.byte() & 1 ? (r.u32(), r.u32()) : r.u32());
      else if (k === 2) {
        const f = r.byte();
        r.u32();
        if (f & 1) r.u32();
      } else if (k === 3) (skipHeapOrValType(r), r.byte());
      else if (k === 4) (r.byte(), r.u32());
      else throw new InstrumentError(`import kind ${k}`);
    }
  }
}

function importsMemory(bytes: Uint8Array, start: number): boolean {
  const r = new R(bytes, start);
  const n = r.u32();
  for (let i = 0; i < n; i++) {
    r.name();
    r.name();
    const k = r.byte();
    if (k === 2) return true;
    if (k === 0) r.u32();
    else if (k === 1) (skipHeapOrValType(r), r.byte() & 1 ? (r.u32(), r.u32()) : r.u32());
    else if (k === 3) (skipHeapOrValType(r), r.byte());
    else if (k === 4) (r.byte(), r.u32());
  }
  return false;
}

/** A vector section's contents (or `items`, its re-encoded items) with `extra` (encoded, `count` items) appended. */
function appendVec(bytes: Uint8Array, sec: { start: number; end: number } | undefined, extra: number[], count = 1, items?: number[]): number[] {
  if (!sec) return [...leb(count), ...extra];
  const { n, after } = vecCount(bytes, sec.start);
  return [...leb(n + count), ...(items ?? bytes.subarray(after, sec.end)), ...extra];
}

type Renumber = (i: number) => number;

/** Copies a constant expression up to its `end`, renumbering ref.func. */
function copyExpr(r: R, out: number[], fx: Renumber): void {
  for (;;) {
    const start = r.p;
    const op = r.byte();
    if (op === 0xd2) {
      out.push(op, ...leb(fx(r.u32())));
      continue;
    }
    skipImmediates(r, op);
    for (let p = start; p < r.p; p++) out.push(r.b[p]);
    if (op === 0x0b) return;
  }
}
function copyBytes(r: R, out: number[], from: number): void {
  for (let p = from; p < r.p; p++) out.push(r.b[p]);
}

/** The items (without their count) of the global section, ref.func renumbered. */
function renumberGlobals(bytes: Uint8Array, sec: { start: number; end: number }, fx: Renumber): number[] {
  const r = new R(bytes, sec.start);
  const n = r.u32();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = r.p;
    skipHeapOrValType(r);
    r.byte();
    copyBytes(r, out, s);
    copyExpr(r, out, fx);
  }
  return out;
}

function renumberExports(bytes: Uint8Array, sec: { start: number; end: number }, fx: Renumber): number[] {
  const r = new R(bytes, sec.start);
  const n = r.u32();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = r.p;
    r.name();
    const kind = r.byte();
    copyBytes(r, out, s);
    const idx = r.u32();
    out.push(...leb(kind === 0 ? fx(idx) : idx));
  }
  return out;
}

/** The element section re-encoded with function indices (and ref.func in expressions) renumbered. */
function renumberElements(bytes: Uint8Array, sec: { start: number; end: number }, fx: Renumber): number[] {
  const r = new R(bytes, sec.start);
  const n = r.u32();
  const out: number[] = [...leb(n)];
  for (let i = 0; i < n; i++) {
    const flags = r.u32();
    out.push(...leb(flags));
    if (flags > 7) throw new InstrumentError(`element segment flags ${flags}`);
    if (flags === 2 || flags === 6) out.push(...leb(r.u32())); // table index
    if (!(flags & 1)) copyExpr(r, out, fx); // active: offset
    if (flags & 3 && !(flags & 4)) out.push(r.byte()); // elemkind
    if (flags & 4 && flags & 3) {
      const s = r.p;
      skipHeapOrValType(r); // reftype
      copyBytes(r, out, s);
    }
    const m = r.u32();
    out.push(...leb(m));
    for (let j = 0; j < m; j++) {
      if (flags & 4) copyExpr(r, out, fx);
      else out.push(...leb(fx(r.u32())));
    }
  }
  if (r.p !== sec.end) throw new ModuleFormatError('element section has trailing bytes');
  return out;
}

/** The `name` custom section with its function-indexed subsections renumbered; undefined for other custom sections. */
function renumberNames(bytes: Uint8Array, sec: { start: number; end: number }, fx: Renumber): number[] | undefined {
  const r = new R(bytes, sec.start);
  const len = r.u32();
  if (r.p + len > sec.end || Buffer.from(bytes.subarray(r.p, r.p + len)).toString() !== 'name') return undefined;
  r.p += len;
  const out: number[] = [...bytes.subarray(sec.start, r.p)];
  try {
    while (r.p < sec.end) {
      const id = r.byte();
      const size = r.u32();
      const end = r.p + size;
      if (end > sec.end) throw new ModuleFormatError('name subsection runs past the end');
      if (id < 1 || id > 3) {
        out.push(id, ...leb(size));
        append(out, bytes.subarray(r.p, end));
        r.p = end;
        continue;
      }
      const body: number[] = [];
      const n = r.u32();
      body.push(...leb(n));
      for (let i = 0; i < n; i++) {
        body.push(...leb(fx(r.u32())));
        const s = r.p;
        if (id === 1) r.name();
        else {
          const m = r.u32();
          for (let j = 0; j < m; j++) (r.u32(), r.name());
        }
        copyBytes(r, body, s);
      }
      if (r.p !== end) throw new ModuleFormatError('name subsection size mismatch');
      out.push(id, ...leb(body.length));
      append(out, body);
    }
  } catch {
    return [...leb(4), ...Buffer.from('name')]; // a malformed name section is dropped (V8 ignores it too)
  }
  return out;
}

export function sleb(v: number): number[] {
  let x = BigInt(Math.trunc(v));
  const out: number[] = [];
  for (;;) {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    if ((x === 0n && !(b & 0x40)) || (x === -1n && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** The position after the constant expression starting at `p` (up to and including its `end`). */
export function skipConstantExpression(bytes: Uint8Array, p: number): number {
  const r = new R(bytes, p);
  for (;;) {
    const op = r.byte();
    skipImmediates(r, op);
    if (op === 0x0b) return r.p;
  }
}

/** The position after the reference type starting at `p`. */
export function skipRefType(bytes: Uint8Array, p: number): number {
  const r = new R(bytes, p);
  skipHeapOrValType(r);
  return r.p;
}

/**
 * The fuzzer's dictionary (engine/fuzz): the integer constants of the code (`i32.const`, `i64.const`, as
 * decimal text) and the printable strings of the data section (runs of 2-64 printable ASCII characters), at
 * most `max` of each, in order of first appearance. Magic values a guest compares its inputs with are found
 * this way rather than by chance.
 */
export function moduleConstants(bytes: Uint8Array, max = 512): { numbers: string[]; strings: string[] } {
  const numbers = new Set<string>();
  const strings = new Set<string>();
  const secs = sections(bytes);
  const code = secs.find((s) => s.id === 10);
  const sleb = (r: R, bits: number): bigint => {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const b = r.byte();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (!(b & 0x80)) {
        if (shift < BigInt(bits) && b & 0x40) result |= -1n << shift;
        return BigInt.asIntN(bits, result);
      }
    }
    throw new ModuleFormatError('bad LEB');
  };
  try {
    if (code) {
      const cr = new R(bytes, code.start);
      const n = cr.u32();
      for (let i = 0; i < n && numbers.size < max; i++) {
        const size = cr.u32();
        const end = cr.p + size;
        const r = new R(bytes, cr.p);
        const nl = r.u32();
        for (let j = 0; j < nl; j++) (r.u32(), skipHeapOrValType(r));
        while (r.p < end && numbers.size < max) {
          const op = r.byte();
          if (op === 0x41) numbers.add(sleb(r, 32).toString());
          else if (op === 0x42) numbers.add(sleb(r, 64).toString());
          else skipImmediates(r, op);
        }
        cr.p = end;
      }
    }
  } catch {
    // a body the walker cannot read: the constants found so far
  }
  const data = secs.find((s) => s.id === 11);
  if (data) {
    let run = '';
    for (let p = data.start; p < data.end && strings.size < max; p++) {
      const b = bytes[p];
      if (b >= 0x20 && b < 0x7f) {
        run += String.fromCharCode(b);
        continue;
      }
      if (run.length >= 2 && run.length <= 64) strings.add(run);
      run = '';
    }
    if (run.length >= 2 && run.length <= 64) strings.add(run);
  }
  return { numbers: [...numbers], strings: [...strings] };
}
