/**
 * The code decoder and the binary validator on hand-made cases: what an error says and where it
 * points, and hostile input (deep nesting, truncation, absurd counts, many functions).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodeDecoder } from '../../../server/src/engine/binary/code-decoder';
import { INSTRUCTION_SET } from '../../../server/src/engine/isa/instruction-set';
import { validateWasm } from '../../../server/src/engine/validate/module-validator';
import { ByteNameSet } from '../../../server/src/engine/validate/name-set';
import { compileC, module, section, str, u32, V8Wasm, wat } from '../binary/wasm-fixtures';
import { encodeSample } from '../isa/samples';

test('the decoder reads every encoding of the table with exactly its immediates', () => {
  for (const d of INSTRUCTION_SET) {
    const bytes = Uint8Array.from([...encodeSample(d), 0x01]); // then a nop
    const dec = new CodeDecoder(bytes, 0, bytes.length);
    assert.ok(dec.next(), `${d.name}: ${dec.error}`);
    assert.equal(dec.def, d);
    assert.ok(dec.next(), `${d.name}: the nop after it`);
    assert.equal(dec.def.name, 'nop', `${d.name} consumed the wrong number of bytes`);
    assert.equal(dec.next(), false);
    assert.equal(dec.error, undefined);
  }
});

test('the decoder never throws: unknown opcodes and truncated immediates end the stream with an error', () => {
  const cases: [number[], RegExp, number][] = [
    [[0xff], /illegal opcode 0xff/, 0],
    [[0xfc, 0x7f], /illegal opcode 0xfc 127/, 0],
    [[0x41], /unexpected end/, 1],
    [[0x28, 0x02], /unexpected end/, 2],
    [[0x28, 0x80, 0x01, 0x00], /malformed memop flags/, 1],
    [[0x0e, 0xff, 0xff, 0xff, 0xff, 0x0f], /cannot fit/, 1],
  ];
  for (const [bytes, error, offset] of cases) {
    const dec = new CodeDecoder(Uint8Array.from(bytes), 0, bytes.length);
    assert.equal(dec.next(), false);
    assert.match(dec.error!, error);
    assert.equal(dec.errorOffset, offset, bytes.join(' '));
  }
});

test('a type error names the instruction, what it expects and what the stack has, at the function and byte offset', async () => {
  const bytes = await wat('(module (func $ok) (func (result i32) (i32.add (i32.const 1) (f32.const 2))))'); // wabt writes no name section
  const r = validateWasm(bytes);
  assert.equal(r.valid, false);
  assert.equal(r.finding!.message, 'i32.add expects [i32 i32] but the stack has [i32 f32]');
  assert.equal(r.finding!.func, 1);
  assert.equal(bytes[r.finding!.offset], 0x6a, 'the offset is the i32.add opcode');
  const [d] = r.diagnostics;
  assert.equal(d.code, 'wasm-invalid');
  assert.equal(d.source, 'validator');
  assert.deepEqual(d.span, { start: r.finding!.offset, end: r.finding!.offset + 1 });
  assert.deepEqual(d.data, { func: 1, offset: r.finding!.offset, instruction: 'i32.add' });
  assert.equal(d.message, `func 1, i32.add at 0x${r.finding!.offset.toString(16)}: i32.add expects [i32 i32] but the stack has [i32 f32]`);
  assert.equal(V8Wasm.validate(bytes), false);
});

test('messages for unknown locals, immutable globals, missing operands, leftovers and bad alignment', async () => {
  const cases: [string, string][] = [
    ['(module (func (drop (local.get 5))))', 'unknown local 5: the function has 0 locals'],
    ['(module (global i32 (i32.const 0)) (func (global.set 0 (i32.const 1))))', 'global.set of immutable global 0: global is immutable'],
    ['(module (func (result i32) (i32.eqz)))', 'i32.eqz expects [i32] but the stack has []'],
    ['(module (func (i32.const 1)))', 'the function ends with [i32] left over after its results []'],
    ['(module (memory 1) (func (drop (i32.load align=8 (i32.const 0)))))', 'i32.load: alignment 2^3 must not be larger than natural (2^2)'],
    ['(module (func (block (result i32) (f32.const 0))))', 'the end of the block expects [i32] but the stack has [f32]'],
    ['(module (func (br 1)))', 'unknown label 1: 1 enclosing blocks'],
  ];
  for (const [source, message] of cases) {
    const r = validateWasm(await wat(source));
    assert.equal(r.finding?.message, message, source);
  }
});

test('dead code after unreachable is typed with the polymorphic stack', async () => {
  assert.equal(validateWasm(await wat('(module (func (result i32) (unreachable) (i32.add) (drop) (f32.const 0) (drop) (i32.const 0)))')).valid, true);
  const r = validateWasm(await wat('(module (func (result i32) (unreachable) (f32.const 0) (i32.add)))'));
  assert.equal(r.finding?.message, 'i32.add expects [i32 i32] but the stack has [f32]');
});

test('100,000 nested blocks validate without recursion; unclosed ones are an unexpected end', () => {
  const depth = 100_000;
  const body = [0x00, ...new Array(depth).fill([0x02, 0x40]).flat(), ...new Array(depth + 1).fill(0x0b)];
  const mod = (b: number[]) =>
    module([section(1, [1, 0x60, 0, 0]), section(3, [1, 0]), section(10, [1, ...u32(b.length), ...b])]);
  const ok = mod(body);
  assert.equal(validateWasm(ok).valid, true);
  assert.equal(V8Wasm.validate(ok), true);
  const open = mod(body.slice(0, 1 + 2 * depth));
  const r = validateWasm(open);
  assert.equal(r.valid, false);
  assert.match(r.finding!.message, /missing `end`/);
});

test('absurd local counts and truncated bodies are rejected, never thrown', () => {
  const withBody = (b: number[]) => module([section(1, [1, 0x60, 0, 0]), section(3, [1, 0]), section(10, [1, ...u32(b.length), ...b])]);
  const tooMany = withBody([2, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7e, 0x0b]);
  assert.match(validateWasm(tooMany).finding!.message, /too many locals/);
  // a billion locals of one group: accepted by the spec (V8 has a lower limit), without allocating them
  const many = withBody([1, 0x80, 0x94, 0xeb, 0xdc, 0x03, 0x7f, 0x20, 0x80, 0x94, 0xeb, 0xdc, 0x02, 0x1a, 0x0b]);
  assert.equal(validateWasm(many).valid, true);
  const bytes = compileC('int f(int x) { return x * 3 + 1; }\nint main(void) { return f(2); }\n');
  assert.ok(bytes, 'clang --target=wasm32-wasi must be installed');
  for (let cut = 9; cut < bytes.length; cut += Math.max(1, Math.floor(bytes.length / 500))) {
    const part = bytes.subarray(0, cut);
    const r = validateWasm(part);
    assert.equal(r.valid, V8Wasm.validate(part), `cut at ${cut}`);
  }
});

test('300,000 functions validate one at a time', () => {
  const n = 300_000;
  const funcs = [...u32(n), ...new Array(n).fill(0)];
  const bodies = [...u32(n), ...new Array(n).fill([3, 0, 0x01, 0x0b]).flat()];
  const bytes = module([section(1, [1, 0x60, 0, 0]), section(3, funcs), section(10, bodies)]);
  assert.equal(validateWasm(bytes).valid, true);
  // and a mistake in the last one is found there
  bytes[bytes.length - 2] = 0x1a; // the last nop becomes a drop with nothing on the stack
  const r = validateWasm(bytes);
  assert.equal(r.finding?.func, n - 1);
  assert.equal(r.finding?.message, 'drop expects an operand but the stack is empty');
});

test('bulk memory and table instructions name all their operands in a mismatch', async () => {
  const cases: [string, string][] = [
    ['(module (memory 1) (func (memory.copy (i32.const 0) (i64.const 0) (i32.const 0))))', 'memory.copy expects [i32 i32 i32] but the stack has [i32 i64 i32]'],
    ['(module (memory 1) (func (memory.fill (i32.const 0) (f32.const 0) (i32.const 0))))', 'memory.fill expects [i32 i32 i32] but the stack has [i32 f32 i32]'],
    ['(module (table 1 funcref) (func (table.set (i32.const 0) (i32.const 0))))', 'table.set expects [i32 funcref] but the stack has [i32 i32]'],
  ];
  for (const [source, message] of cases) assert.equal(validateWasm(await wat(source)).finding?.message, message, source);
});

test('a non-nullable local must be set before it is read, also past the first 65,536 locals', () => {
  const far = 70_000;
  const withBody = (code: number[]) => {
    // 70,000 i32 locals, then one (ref func); the function is exported, which declares it for ref.func
    const b = [2, ...u32(far), 0x7f, 1, 0x64, 0x70, ...code, 0x0b];
    return module([section(1, [1, 0x60, 0, 0]), section(3, [1, 0]), section(7, [1, ...str('f'), 0, 0]), section(10, [1, ...u32(b.length), ...b])]);
  };
  const get = [0x20, ...u32(far), 0x1a];
  assert.equal(validateWasm(withBody([0xd2, 0, 0x21, ...u32(far), ...get])).valid, true);
  assert.match(validateWasm(withBody(get)).finding!.message, /local 70000 is read before it is set .*uninitialized local/);
  // a set inside a block does not outlive the block
  const inBlock = [0x02, 0x40, 0xd2, 0, 0x21, ...u32(far), 0x0b, ...get];
  assert.match(validateWasm(withBody(inBlock)).finding!.message, /uninitialized local/);
});

test('a local of a type the module does not have is invalid', () => {
  const b = [1, 1, 0x63, 5, 0x0b]; // one local of (ref null 5); the module has one type
  const r = validateWasm(module([section(1, [1, 0x60, 0, 0]), section(3, [1, 0]), section(10, [1, ...u32(b.length), ...b])]));
  assert.equal(r.finding?.message, 'a local has unknown type 5');
  assert.equal(r.finding?.func, 0);
});

test('the fast path and the general path agree: legacy exceptions, select, call_indirect, return, else, br_table, deep labels, memory.copy/fill, the ends of functions, padded LEB128 indexes and constants (V8 as the judge)', async () => {
  const cases: [string, RegExp | undefined][] = [
    ['(module (tag $e) (func (try (do (throw $e)) (catch_all nop))))', undefined],
    ['(module (func (result i32) (try (result i32) (do (i32.const 1)) (catch_all (i32.const 2)))))', undefined],
    ['(module (func (block (try (do (try (do nop) (delegate 1))) (catch_all (rethrow 0))))))', undefined],
    ['(module (func (result i32) (try (result i32) (do (i32.const 1)) (catch_all (f32.const 2)))))', /^the end of the catch_all expects \[i32\] but the stack has \[f32\]$/],
    ['(module (func (try (do (rethrow 0)) (catch_all))))', /rethrow 0: the label is not a catch block/],
    ['(module (func (try (do (i32.const 1)) (catch_all))))', /the try ends with \[i32\] left over/],
    ['(module (func (result i32) (select (i32.const 1) (i32.const 2) (i32.const 0))))', undefined],
    ['(module (func (result i32) (select (i32.const 1) (f32.const 2) (i32.const 0))))', /^select expects two operands of one type but the stack has \[i32 f32\]$/],
    ['(module (type $t (func (param i32) (result i32))) (table 1 funcref) (func (result i32) (call_indirect (type $t) (i32.const 1) (i32.const 0))))', undefined],
    ['(module (type $t (func (param i32) (result i32))) (table 1 funcref) (func (result i32) (call_indirect (type $t) (f32.const 1) (i32.const 0))))', /^call_indirect expects \[i32\] but the stack has \[f32\]$/],
    ['(module (func (result i32) (return (i32.const 1))))', undefined],
    ['(module (func (result i32) (return (f32.const 1))))', /^return expects \[i32\] but the stack has \[f32\]$/],
    ['(module (func (result i32) (if (result i32) (i32.const 1) (then (i32.const 1)) (else (i32.const 2)))))', undefined],
    ['(module (func (result i32) (if (result i32) (i32.const 1) (then (f32.const 1)) (else (i32.const 2)))))', /^the end of the if expects \[i32\] but the stack has \[f32\]$/],
    ['(module (func (result i32) (if (result i32) (i32.const 1) (then (i32.const 1) (i32.const 1)) (else (i32.const 2)))))', /the if ends with \[i32\] left over/],
    ['(module (func (if (i32.const 1) (then (unreachable)) (else (i32.const 2) (drop)))))', undefined],
    ['(module (func (param i32) (result i32) (block (result i32) (block (result i32) (br_table 0 1 1 (i32.const 7) (local.get 0))))))', undefined],
    ['(module (func (param i32) (block (loop (block (br_table 0 1 2 (local.get 0)))))))', undefined],
    ['(module (func (param i32) (result i32) (block (result i32) (block (br_table 0 1 (i32.const 7) (local.get 0))) (i32.const 1))))', /br_table targets have different arities/],
    ['(module (func (param i32) (result i32) (block (result i32) (block (result f32) (br_table 0 1 (f32.const 7) (local.get 0))) (drop) (i32.const 1))))', /^br_table expects \[i32\] but the stack has \[f32\]$/],
    ['(module (func (param i32) (block (br_table 0 2 (local.get 0)))))', /unknown label 2/],
    ['(module (func (param f32) (block (br_table 0 (local.get 0)))))', /^br_table expects \[i32\] but the stack has \[f32\]$/],
    ['(module (func (result i32) (i32.const 1) (i32.const 2)))', /the function ends with \[i32\] left over/],
    ['(module (func (result i32) (f32.const 1)))', /^the end of the function expects \[i32\] but the stack has \[f32\]$/],
    ['(module (func (result i32 i64) (i32.const 1) (i64.const 2)))', undefined],
    ['(module (memory 1) (func (memory.copy (i32.const 1) (i32.const 2) (i32.const 3)) (memory.fill (i32.const 1) (i32.const 2) (i32.const 3))))', undefined],
    ['(module (memory 1) (func (memory.copy (i32.const 1) (i64.const 2) (i32.const 3))))', /^memory.copy expects \[i32 i32 i32\] but the stack has \[i32 i64 i32\]$/],
    ['(module (memory 1) (func (memory.fill (i32.const 1) (i64.const 2) (i32.const 3))))', /^memory.fill expects \[i32 i32 i32\] but the stack has \[i32 i64 i32\]$/],
    ['(module (func (memory.fill (i32.const 1) (i32.const 2) (i32.const 3))))', /unknown memory 0/],
    [`(module (func (result i32) ${'(block '.repeat(130)}(br 129) ${')'.repeat(130)}(i32.const 1)))`, undefined],
    [`(module (func (result i32) (block (result i32) ${'(block '.repeat(130)}(br 130 (f32.const 1)) ${')'.repeat(130)}(i32.const 1))))`, /^br expects \[i32\] but the stack has \[f32\]$/],
  ];
  for (const [source, error] of cases) {
    const bytes = await wat(source);
    const r = validateWasm(bytes);
    assert.equal(r.valid, V8Wasm.validate(bytes), `${source}: ours ${r.valid} (${r.finding?.message}), V8 the other way`);
    if (error) assert.match(r.finding!.message, error, source);
    else assert.equal(r.valid, true, `${source}: ${r.finding?.message}`);
  }
  // indexes padded to 5 bytes, as linkers leave relocated ones: call 0, global.get 0, i32.const 0, local.get 0, i32.load offset=0
  const body = [1, 1, 0x7f, 0x10, 0x80, 0x80, 0x80, 0x80, 0x00, 0x23, 0x80, 0x80, 0x80, 0x80, 0x00, 0x1a, 0x41, 0x80, 0x80, 0x80, 0x80, 0x00, 0x28, 0x02, 0x80, 0x80, 0x80, 0x80, 0x00, 0x20, 0x80, 0x80, 0x80, 0x80, 0x00, 0x6a, 0x1a, 0x0b];
  const padded = module([
    section(1, [1, 0x60, 0, 0]),
    section(3, [1, 0]),
    section(5, [1, 0, 1]),
    section(6, [1, 0x7f, 0, 0x41, 0, 0x0b]),
    section(10, [1, ...u32(body.length), ...body]),
  ]);
  assert.equal(V8Wasm.validate(padded), true);
  assert.equal(validateWasm(padded).valid, true, validateWasm(padded).finding?.message);
  // memory64 (Node 20's V8 does not enable it: the spec's rule is the judge): addresses and sizes are i64, fill's value i32
  const m64 = await wat('(module (memory i64 1) (func (memory.copy (i64.const 1) (i64.const 2) (i64.const 3)) (memory.fill (i64.const 1) (i32.const 2) (i64.const 3))))');
  assert.equal(validateWasm(m64).valid, true, validateWasm(m64).finding?.message);
  const bad64 = validateWasm(await wat('(module (memory i64 1) (func (memory.fill (i64.const 1) (i64.const 2) (i64.const 3))))'));
  assert.equal(bad64.finding?.message, 'memory.fill expects [i64 i32 i64] but the stack has [i64 i64 i64]');
  // i64.const in its longest form (10 bytes): the last byte holds bit 63 and copies of it
  for (const [last, ok] of [[0x7f, true], [0x00, true], [0x01, false], [0x7e, false], [0x80, false]] as const) {
    const konst = [0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, last, ...(last === 0x80 ? [0x00] : [])];
    const b = [0, ...konst, 0x1a, 0x0b];
    const m = module([section(1, [1, 0x60, 0, 0]), section(3, [1, 0]), section(10, [1, ...u32(b.length), ...b])]);
    assert.equal(V8Wasm.validate(m), ok, `i64.const ending in ${last}`);
    assert.equal(validateWasm(m).valid, ok, `i64.const ending in ${last}: ${validateWasm(m).finding?.message}`);
  }
  // the same with a bit past 32 in the padding's last byte: malformed for both
  const over = Uint8Array.from(padded);
  over[over.indexOf(0x10) + 5] = 0x10;
  assert.equal(V8Wasm.validate(over), false);
  assert.equal(validateWasm(over).valid, false);
});

test('operators after the end of a body are malformed, also when the fast path typed that end', () => {
  const bodies = [
    [0, 0x0b, 0x01], // nop after the end
    [0, 0x41, 0x01, 0x1a, 0x0b, 0x0b], // an end too many
  ];
  for (const body of bodies) {
    const bytes = module([section(1, [1, 0x60, 0, 0]), section(3, [1, 0]), section(10, [1, ...u32(body.length), ...body])]);
    assert.equal(V8Wasm.validate(bytes), false);
    const r = validateWasm(bytes);
    assert.equal(r.valid, false);
    assert.match(r.finding!.message, /operators remaining after the end of the function/);
  }
});

test('export names: a duplicate is found among many (UTF-8 and a leading U+FEFF alike) and named in the message; a name that is not UTF-8 is malformed', () => {
  const exportsOf = (names: number[][]): Uint8Array =>
    module([section(1, [1, 0x60, 0, 0]), section(3, [1, 0]), section(7, [...u32(names.length), ...names.flatMap((n) => [...u32(n.length), ...n, 0, 0])]), section(10, [1, 2, 0, 0x0b])]);
  const enc = (s: string): number[] => [...new TextEncoder().encode(s)];
  // 2,000 distinct names sharing long prefixes (as C++ mangled names do): valid
  const many = Array.from({ length: 2000 }, (_, i) => enc(`_ZN6duckdb17SomeLongNamespace${i}Ev`));
  assert.equal(V8Wasm.validate(exportsOf(many)), true);
  assert.equal(validateWasm(exportsOf(many)).valid, true, validateWasm(exportsOf(many)).finding?.message);
  for (const dup of ['_ZN6duckdb17SomeLongNamespace1234Ev', 'grüße', '\u{feff}', '']) {
    const names = [...many.slice(0, 1000), enc(dup), ...many.slice(1000), enc(dup)];
    // '' and the BOM name are not among the 2,000: only the second copy is a duplicate
    const bytes = exportsOf(dup.startsWith('_Z') ? many.concat([enc(dup)]) : names);
    assert.equal(V8Wasm.validate(bytes), false, dup);
    const r = validateWasm(bytes);
    assert.equal(r.valid, false, dup);
    assert.equal(r.finding!.message, `duplicate export name "${dup}"`);
  }
  // a name that differs only in its last byte is no duplicate; a name of invalid UTF-8 is malformed
  assert.equal(validateWasm(exportsOf([enc('ab'), enc('ac'), enc('a'), enc('abc')])).valid, true);
  const bad = validateWasm(exportsOf([enc('ok'), [0x61, 0xff]]));
  assert.equal(bad.valid, false);
  assert.match(bad.finding!.message, /not valid UTF-8/);
  assert.equal(bad.finding!.malformed, true);
});

test('the byte name set grows past its first guess: every repeat found, a prefix and the empty name are names of their own', () => {
  const names = Array.from({ length: 3000 }, (_, i) => `name${i}`);
  const text = new TextEncoder().encode(names.join('') + names.join(''));
  const set = new ByteNameSet(text); // no size hint: it grows from 16 slots
  let at = 0;
  for (const n of names) {
    assert.equal(set.add(at, n.length), true, n);
    at += n.length;
  }
  for (const n of names) {
    assert.equal(set.add(at, n.length), false, `${n} again`);
    at += n.length;
  }
  // the empty name and a prefix of a name are names of their own
  assert.equal(set.add(0, 0), true);
  assert.equal(set.add(0, 0), false);
  assert.equal(set.add(0, 3), true);
});
