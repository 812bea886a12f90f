/**
 * Guests attacking the run's bookkeeping rather than the filesystem: spoofing the instrumentation's
 * names, WASI imports with wrong types, exit codes that wrap to 0, violation floods that hide a later
 * escape attempt, table growth past the memory cap, control characters in violation details.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runSandboxed, SandboxOptions } from '../../../server/src/engine/sandbox/runner';
import { capTables, TableLimitError } from '../../../server/src/engine/sandbox/table-limit';
import { exitStatusOf } from '../../../server/src/engine/sandbox/exit-status';
import { escapeControls, jsonDisplaySafe, terminalSafe } from '../../../server/src/engine/sandbox/display-text';
import { MAX_VIOLATIONS } from '../../../server/src/engine/sandbox/monitor';
import { readWasm } from '../../../server/src/engine/binary/reader';
import { PREVIEW1_SIGNATURES } from '../../../server/src/engine/sandbox/wasi/signatures';
import { rmrf, tempDir, wat2wasm } from './helpers';

const T = { timeout: 60_000 };
const base = (extra: Partial<SandboxOptions> = {}): SandboxOptions => ({ dirs: [], env: {}, args: ['guest'], timeoutMs: 15_000, ...extra });
const EXIT = `(import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))`;
const OPEN = `(import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))`;
const REF_TYPES = { reference_types: true, multi_memory: false };

describe('instrumentation names cannot be spoofed', () => {
  it('a guest exporting __warden_fuel (negative) and __warden_grow_failed, without fuel, ends as its own trap with no violation', T, async () => {
    const r = await runSandboxed(await wat2wasm(`(module (memory (export "memory") 1)
      (global (export "__warden_fuel") (mut i64) (i64.const -1))
      (global (export "__warden_grow_failed") (mut i32) (i32.const 7))
      (func (export "_start") (unreachable)))`), base({ maxMemoryBytes: 4 * 65536 }));
    assert.equal(r.outcome, 'trap', JSON.stringify(r));
    assert.equal(r.trap?.kind, 'unreachable');
    assert.deepEqual(r.violations, []);
    assert.equal(r.violationCount, 0);
    assert.equal(r.fuelConsumed, undefined);
  });

  it('a clean run exporting the old names exits 0 with no violation', T, async () => {
    const r = await runSandboxed(await wat2wasm(`(module (memory (export "memory") 1)
      (global (export "__warden_fuel") i64 (i64.const -5))
      (func (export "_start")))`), base({ maxMemoryBytes: 2 * 65536 }));
    assert.equal(r.outcome, 'exit');
    assert.equal(r.exitCode, 0);
    assert.equal(r.violationCount, 0);
  });

  it('with fuel, the guest\'s own __warden_fuel is not the meter: the budget still stops the loop', T, async () => {
    const r = await runSandboxed(await wat2wasm(`(module
      (global (export "__warden_fuel") (mut i64) (i64.const 9223372036854775807))
      (func (export "_start") (loop $l (br $l))))`), base({ fuel: 100_000 }));
    assert.equal(r.outcome, 'limit');
    assert.equal(r.violations[0]?.kind, 'fuel-exhausted');
    assert.ok(r.fuelConsumed! >= 100_000);
  });

  it('a guest importing the old notify hook (__warden.memory_grown) is refused, not linked to the monitor', T, async () => {
    const r = await runSandboxed(await wat2wasm(`(module
      (import "__warden" "memory_grown" (func $g (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") (call $g (i32.const -1))))`), base({ maxMemoryBytes: 2 * 65536 }));
    assert.equal(r.outcome, 'error');
    assert.deepEqual(r.violations.map((v) => [v.kind, v.detail]), [['import-refused', '__warden.memory_grown (function)']]);
  });

  it('an export named memory that is a function is not taken for the memory', T, async () => {
    const r = await runSandboxed(await wat2wasm(`(module
      (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
      (memory (export "mem") 1)
      (data (i32.const 16) "hi\\n")
      (func (export "memory"))
      (func (export "_start")
        (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 3))
        (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`), base());
    assert.equal(r.outcome, 'exit', r.message);
    assert.equal(r.stdout, 'hi\n');
  });

  it('an invalid module reaching past its own globals and functions (where the meter is appended) is refused', T, async () => {
    // global 0 is the guest's; with fuel, global 1 would be the meter: refilling it would run forever
    const wabt = await (require('wabt') as () => Promise<any>)();
    const m = wabt.parseWat('x.wat', `(module (global (mut i32) (i32.const 0))
      (func (export "_start") (loop $l (global.set 1 (i64.const 9223372036854775807)) (br $l))))`, {});
    const invalid = new Uint8Array(m.toBinary({}).buffer);
    m.destroy();
    assert.equal((globalThis as any).WebAssembly.validate(invalid), false);
    const r = await runSandboxed(invalid, base({ fuel: 100_000, timeoutMs: 5000 }));
    assert.equal(r.outcome, 'error', JSON.stringify(r.message));
    assert.match(r.message!, /^cannot load module: .*global/i);
  });
});

describe('WASI imports with wrong types are refused at link time', () => {
  for (const [what, decl, expected, actual] of [
    ['proc_exit(f64)', '(import "wasi_snapshot_preview1" "proc_exit" (func (param f64)))', '(i32) -> ()', '(f64) -> ()'],
    ['fd_write with f64 parameters', '(import "wasi_snapshot_preview1" "fd_write" (func (param f64 f64 f64 f64) (result i32)))', '(i32, i32, i32, i32) -> i32', '(f64, f64, f64, f64) -> i32'],
    ['clock_time_get with an i32 precision', '(import "wasi_snapshot_preview1" "clock_time_get" (func (param i32 i32 i32) (result i32)))', '(i32, i64, i32) -> i32', '(i32, i32, i32) -> i32'],
    ['sched_yield without its result', '(import "wasi_snapshot_preview1" "sched_yield" (func))', '() -> i32', '() -> ()'],
    ['args_get as a global', '(import "wasi_snapshot_preview1" "args_get" (global i32))', '(i32, i32) -> i32', 'a global, not a function'],
  ] as const) {
    it(what, T, async () => {
      const r = await runSandboxed(await wat2wasm(`(module ${decl} (memory (export "memory") 1) (func (export "_start")))`), base());
      assert.equal(r.outcome, 'error');
      const name = /"wasi_snapshot_preview1" "(\w+)"/.exec(decl)![1];
      assert.equal(r.message, `refused to link: wrong type for wasi_snapshot_preview1.${name}: expected ${expected}, imported as ${actual}`);
      assert.equal(r.violations[0]?.kind, 'import-refused');
      assert.equal(r.startupMs, r.durationMs, 'nothing ran');
    });
  }

  it('imports with the right types link (every preview1 function at once)', T, async () => {
    const decls = Object.entries(PREVIEW1_SIGNATURES).map(([n, s]) =>
      `(import "wasi_snapshot_preview1" "${n}" (func (param ${s.params.join(' ')}) ${s.results.length ? `(result ${s.results.join(' ')})` : ''}))`);
    const r = await runSandboxed(await wat2wasm(`(module ${decls.join('\n')} (memory (export "memory") 1) (func (export "_start")))`), base());
    assert.equal(r.outcome, 'exit', r.message);
  });
});

describe('exit codes', () => {
  const exitWith = async (code: number, violate: boolean) => {
    const dir = tempDir('exit');
    try {
      return await runSandboxed(await wat2wasm(`(module ${EXIT} ${OPEN} (memory (export "memory") 1)
        (data (i32.const 100) "/etc/passwd")
        (func (export "_start")
          ${violate ? '(drop (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 11) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 200)))' : ''}
          (call $exit (i32.const ${code}))))`), base({ dirs: [{ host: dir, guest: '/d', readOnly: true }] }));
    } finally {
      rmrf(dir);
    }
  };

  it('proc_exit(256) after a violation: the report keeps 256, the exit status is 1', T, async () => {
    const r = await exitWith(256, true);
    assert.equal(r.outcome, 'exit');
    assert.equal(r.exitCode, 256);
    assert.equal(r.violationCount, 1);
    assert.equal(exitStatusOf(r).status, 1);
  });

  it('proc_exit(-1) is the u32 4294967295 and exits 1', T, async () => {
    const r = await exitWith(-1, false);
    assert.equal(r.exitCode, 4294967295);
    assert.equal(exitStatusOf(r).status, 1);
  });

  it('proc_exit from a start function is an exit with its code (it was a host-error trap "[object Object]")', T, async () => {
    const start = (body: string) => wat2wasm(`(module ${EXIT} ${OPEN} (memory (export "memory") 1)
      (func $init ${body}) (start $init) (func (export "_start") (unreachable)))`);
    const three = await runSandboxed(await start('(call $exit (i32.const 3))'), base());
    assert.deepEqual([three.outcome, three.exitCode, three.trap, exitStatusOf(three).status], ['exit', 3, undefined, 3]);
    // an absolute path from the start function, then exit 0
    const zero = await runSandboxed(await start('(drop (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 1) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 200))) (call $exit (i32.const 0))'), base());
    assert.deepEqual([zero.outcome, zero.exitCode, zero.trap], ['exit', 0, undefined], JSON.stringify(zero));
  });

  it('an invoked export returning a function reference exits 0 with result "funcref" (the worker failed with "[object Object]")', T, async () => {
    const r = await runSandboxed(await wat2wasm(`(module (memory (export "memory") 1) (func $g) (elem declare func $g)
      (func (export "f") (result funcref i32) (ref.func $g) (i32.const 7)))`, { ...REF_TYPES, multi_value: true }), base({ invoke: { export: 'f', args: [] } }));
    assert.deepEqual([r.outcome, r.exitCode, r.result], ['exit', 0, ['funcref', 7]], JSON.stringify(r.message));
  });

  it('a start function runs like _start: with WASI memory (its output and its escape attempt are seen) and metered by fuel', T, async () => {
    const WRITE = '(import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))';
    const dir = tempDir('start');
    const seen = await runSandboxed(await wat2wasm(`(module ${EXIT} ${OPEN} ${WRITE} (memory (export "memory") 1)
      (data (i32.const 100) "/etc/passwd") (data (i32.const 300) "from start\\n")
      (func $init
        (i32.store (i32.const 16) (i32.const 300)) (i32.store (i32.const 20) (i32.const 11))
        (drop (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
        (drop (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 11) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 200))))
      (start $init) (func (export "_start")))`), base({ maxMemoryBytes: 4 * 65536, dirs: [{ host: dir, guest: '/d', readOnly: true }] }));
    rmrf(dir);
    assert.deepEqual([seen.outcome, seen.exitCode, seen.stdout], ['exit', 0, 'from start\n'], JSON.stringify(seen.message));
    assert.deepEqual(seen.violationKinds.map((k) => k.kind), ['absolute-path']);
    const loop = await runSandboxed(await wat2wasm(`(module (memory (export "memory") 1)
      (func $init (loop $l (br $l))) (start $init) (func (export "_start")))`), base({ fuel: 1_000_000 }));
    assert.equal(loop.outcome, 'limit', JSON.stringify(loop));
    assert.deepEqual(loop.violationKinds.map((k) => k.kind), ['fuel-exhausted']);
  });

  it('maps every outcome and code (a run with violations never exits 0)', () => {
    const e = (exitCode: number, violationCount = 0) => exitStatusOf({ outcome: 'exit', exitCode, violationCount }).status;
    assert.deepEqual([0, 1, 3, 125, 126, 127, 128, 255, 256, 512, 0x100000000 - 1].map((c) => e(c)), [0, 1, 3, 125, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual([0, 3, 256].map((c) => e(c, 2)), [1, 3, 1]);
    for (let code = 0; code < 70_000; code += 1) assert.notEqual(e(code, 1), 0);
    assert.equal(exitStatusOf({ outcome: 'trap', violationCount: 0 }).status, 1);
    assert.equal(exitStatusOf({ outcome: 'limit', violationCount: 0 }).status, 1);
    assert.equal(exitStatusOf({ outcome: 'timeout', violationCount: 0 }).status, 1);
    assert.equal(exitStatusOf({ outcome: 'error', violationCount: 0 }).status, 2);
    assert.equal(exitStatusOf({ outcome: 'killed', violationCount: 0 }, true).status, 130);
  });
});

describe('violations are counted by kind and never lost', () => {
  let dir: string;
  before(() => (dir = tempDir('flood')));
  after(() => rmrf(dir));

  it('3000 absolute-path refusals, then one path escape: all counted, the escape kept, first and latest per kind', T, async () => {
    const r = await runSandboxed(await wat2wasm(`(module ${OPEN} (memory (export "memory") 1)
      (data (i32.const 100) "/etc/passwd")
      (data (i32.const 200) "../../etc/shadow")
      (data (i32.const 300) "/etc/last")
      (func (export "_start") (local $i i32)
        (loop $l
          (drop (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 11) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 400)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 2999))))
        (drop (call $open (i32.const 3) (i32.const 0) (i32.const 300) (i32.const 9) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 400)))
        (drop (call $open (i32.const 3) (i32.const 0) (i32.const 200) (i32.const 16) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 400)))))`),
    base({ dirs: [{ host: dir, guest: '/d', readOnly: true }] }));
    assert.equal(r.outcome, 'exit');
    assert.equal(r.violationCount, 3001);
    assert.equal(r.violations.length, MAX_VIOLATIONS + 1);
    assert.equal(r.violations.at(-1)!.kind, 'path-escape', 'the new kind after the cap is kept');
    assert.match(r.violations.at(-1)!.detail, /\.\.\/\.\.\/etc\/shadow/);
    const abs = r.violationKinds.find((k) => k.kind === 'absolute-path')!;
    assert.equal(abs.count, 3000);
    assert.equal(abs.first.detail, '/etc/passwd');
    assert.equal(abs.latest.detail, '/etc/last');
    assert.deepEqual(r.violationKinds.map((k) => [k.kind, k.count]), [['absolute-path', 3000], ['path-escape', 1]]);
  });

  it('a violation detail is cut at 1024 characters', T, async () => {
    const long = 'a/'.repeat(3000);
    const r = await runSandboxed(await wat2wasm(`(module ${OPEN} (memory (export "memory") 1)
      (data (i32.const 100) "/${long}")
      (func (export "_start")
        (drop (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const ${long.length + 1}) (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 40)))))`),
    base({ dirs: [{ host: dir, guest: '/d', readOnly: true }] }));
    assert.equal(r.violationCount, 1);
    assert.ok(r.violations[0].detail.length < 1100, String(r.violations[0].detail.length));
    assert.match(r.violations[0].detail, /\(6001 characters\)$/);
  });
});

describe('tables are capped', () => {
  const tableCount = (bytes: Uint8Array) => {
    const { model } = readWasm(bytes);
    return model.tables.map((t) => [t.limits.min, t.limits.max]); // imported ones included, first
  };

  it('shares the budget: initial sizes first, the spare elements in index order up to each declared maximum', async () => {
    const wasm = await wat2wasm(`(module (import "env" "t" (table 5 funcref)) (table 10 20 funcref) (table 3 externref) (table 1 1 funcref))`, REF_TYPES);
    const r = capTables(wasm, 100);
    assert.ok(r.capped);
    assert.equal(r.initialElements, 19);
    // the imported table (no maximum) comes first and takes the 81 spare elements; the rest keep their start size
    assert.deepEqual(r.maxima, [86, 10, 3, 1]);
    assert.deepEqual(tableCount(r.bytes), [[5, 86], [10, 10], [3, 3], [1, 1]]);
    const bounded = capTables(await wat2wasm(`(module (table 5 8 funcref) (table 10 20 funcref) (table 3 externref))`, REF_TYPES), 100);
    assert.deepEqual(bounded.maxima, [8, 20, 72]);
    assert.ok((globalThis as any).WebAssembly.validate(r.bytes));
    assert.deepEqual(capTables(wasm, 100).bytes, r.bytes);
  });

  it('leaves a module whose tables fit alone, refuses one that needs more at start', async () => {
    const small = await wat2wasm(`(module (table 2 2 funcref))`);
    assert.equal(capTables(small, 10).bytes, small);
    const big = await wat2wasm(`(module (table 60 funcref) (table 60 externref))`, REF_TYPES);
    assert.throws(() => capTables(big, 100), (e: unknown) => e instanceof TableLimitError && /tables need 120 elements at start; the cap is 100/.test((e as Error).message));
  });

  it('table.grow past the cap returns -1 (defined and imported-style tables), under a 16 MiB memory cap', T, async () => {
    const r = await runSandboxed(await wat2wasm(`(module (memory (export "memory") 1)
      (table $a 1 funcref) (table $b 1 externref)
      (func (export "grow") (result i32)
        (i32.add
          (i32.mul (table.grow $a (ref.null func) (i32.const 10000000)) (i32.const 1000))
          (table.grow $b (ref.null extern) (i32.const 5000000)))))`, REF_TYPES),
    base({ maxMemoryBytes: 16 * 1024 * 1024, invoke: { export: 'grow', args: [] } }));
    assert.equal(r.outcome, 'exit', JSON.stringify(r.message));
    assert.equal(r.result, -1001, 'both grows refused');
  });

  it('an imported memory whose initial size is above the memory cap ends as limit with a memory-limit violation (it was an internal error)', T, async () => {
    const r = await runSandboxed(await wat2wasm('(module (import "env" "memory" (memory 1000)) (func (export "_start")))'), base({ maxMemoryBytes: 16 * 65536 }));
    assert.equal(r.outcome, 'limit', JSON.stringify(r));
    assert.match(r.message ?? '', /imported memory env\.memory needs 1000 pages .* the cap is 16 pages/);
    assert.deepEqual(r.violationKinds.map((k) => k.kind), ['memory-limit']);
    assert.equal(exitStatusOf(r).status, 1);
  });

  it('a module whose tables exceed maxTableElements at start ends as limit with a table-limit violation', T, async () => {
    const r = await runSandboxed(await wat2wasm(`(module (table 5000 funcref) (func (export "_start")))`), base({ maxTableElements: 1000 }));
    assert.equal(r.outcome, 'limit');
    assert.deepEqual(r.violations.map((v) => v.kind), ['table-limit']);
  });
});

describe('guest text shown safely', () => {
  it('escapeControls makes every control, C1 and bidi character visible', () => {
    assert.equal(escapeControls('a\r\x1b[2Kb\n\t\x7f\x9b\u202e\u2066c\\'), 'a\\r\\x1b[2Kb\\n\\t\\x7f\\x9b\\u{202e}\\u{2066}c\\');
  });

  it('terminalSafe keeps newlines, tabs and colours, escapes cursor moves, erases, CR and bidi', () => {
    assert.equal(terminalSafe('\x1b[31mred\x1b[0m\tok\n'), '\x1b[31mred\x1b[0m\tok\n');
    assert.equal(terminalSafe('x\r\x1b[1A\x1b[2Kno violations\x1b]0;title\x07\u202e'), 'x\\r\\x1b[1A\\x1b[2Kno violations\\x1b]0;title\\x07\\u{202e}');
    assert.equal(terminalSafe('plain'), 'plain');
  });

  it('jsonDisplaySafe keeps JSON valid', () => {
    const s = JSON.stringify({ d: 'a\u202eb\x9bc\x1bd' });
    const safe = jsonDisplaySafe(s);
    assert.doesNotMatch(safe, /[\u202e\x9b\x1b]/);
    assert.deepEqual(JSON.parse(safe), { d: 'a\u202eb\x9bc\x1bd' });
  });
});
