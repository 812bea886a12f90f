/**
 * The printer on hand-made inputs: names that are not plain ids, byte-offset maps, deep nesting,
 * streaming in chunks, and truncated or corrupted binaries (print what can be read, report the rest,
 * never throw).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { printModule, printFunction, ByteSink, ChunkedSink, OffsetMap, PrintContext, StringSink, type PrintOptions } from '../../../server/src/engine/print';
import { parseWat } from '../../../server/src/engine/wat';
import { compileWatText } from '../../../server/src/engine/operations/compile';
import { HOSTILE_BASE_WAT, module, prng, section, str, u32, wat, V8Wasm } from '../binary/wasm-fixtures';

function print(bytes: Uint8Array, options: PrintOptions = {}): { text: string; errors: string[] } {
  const sink = new StringSink();
  const r = printModule(bytes, sink, options);
  return { text: sink.text(), errors: r.diagnostics.map((d) => d.message) };
}

function parseErrors(text: string): string[] {
  return parseWat(text)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => `${d.message} @${d.span.start}: ${JSON.stringify(text.slice(d.span.start - 30, d.span.start + 30))}`);
}

/** A name section: function names (subsection 1) and local names (2) of function 0. */
function nameSection(funcs: [number, string][], locals: [number, string][]): number[] {
  const fn = [...u32(funcs.length), ...funcs.flatMap(([i, n]) => [...u32(i), ...str(n)])];
  const lc = [...u32(1), ...u32(0), ...u32(locals.length), ...locals.flatMap(([i, n]) => [...u32(i), ...str(n)])];
  return section(0, [...str('name'), 1, ...u32(fn.length), ...fn, 2, ...u32(lc.length), ...lc]);
}

test('names that are not plain ids print as $"..." and parse back; a repeated name gets no id', () => {
  const bytes = module([
    section(1, [1, 0x60, 1, 0x7f, 0]), // type 0: (func (param i32))
    section(3, [3, 0, 0, 0]),
    section(10, [3, ...[7, 1, 1, 0x7f, 0x20, 1, 0x1a, 0x0b], ...[2, 0, 0x0b], ...[2, 0, 0x0b]]),
    nameSection(
      [[0, 'a b'], [1, 'q"uote\n'], [2, 'a b']],
      [[0, 'p ar'], [1, '']],
    ),
  ]);
  assert.ok(V8Wasm.validate(bytes));
  const { text, errors } = print(bytes);
  assert.deepEqual(errors, []);
  assert.match(text, /\(func \$"a b" \(;0;\) \(type 0\) \(param \$"p ar" i32\)/);
  assert.match(text, /\(func \$"q\\"uote\\n" \(;1;\)/);
  assert.match(text, /\(func \(;2;\) \(type 0\)/, 'the repeated name is dropped');
  assert.match(text, /\(local i32\)\n\s+local\.get 1\n/, 'an empty name gives no id');
  assert.deepEqual(parseErrors(text), []);
  // without quoted ids the odd names are dropped (for tools that do not read `$"..."`)
  const plain = print(bytes, { quotedIds: false }).text;
  assert.doesNotMatch(plain, /\$"/);
  assert.match(plain, /\(func \(;0;\) \(type 0\) \(param i32\)/);
});

test('the offset map places entries and instructions on their lines, both ways', async () => {
  const bytes = await wat(HOSTILE_BASE_WAT);
  const map = new OffsetMap();
  const { text } = print(bytes, { map, instructionLines: true });
  const lineAt = (offset: number) => text.slice(text.lastIndexOf('\n', offset - 1) + 1, text.indexOf('\n', offset));
  const ctx = PrintContext.read(bytes);
  // the `i32.add` of $add: the body's third instruction
  const body = ctx.bodyStarts[0];
  const add = bytes.indexOf(0x6a, body);
  const hit = map.textForByte(add)!;
  assert.equal(lineAt(hit.start).trim(), 'i32.add');
  assert.equal(map.byteForText(hit.start + 2), add);
  // an import's byte lands on its import line
  const importSection = ctx.sections.find((s) => s.id === 2)!;
  assert.match(lineAt(map.textForByte(importSection.start + 3)!.start), /\(import "env" "log"/);
  // with offsets as comments, each instruction says where it is
  const withOffsets = print(bytes, { offsets: true }).text;
  assert.ok(withOffsets.includes(`i32.add ;; @0x${add.toString(16)}`));
});

test('100,000 nested blocks print flat and folded (no recursion per level), and parse back', () => {
  const depth = 100_000;
  const code = [0, ...new Array(depth).fill([0x02, 0x40]).flat(), ...new Array(depth).fill(0x0b), 0x0b];
  const bytes = module([section(1, [1, 0x60, 0, 0]), section(3, [1, 0]), section(10, [1, ...u32(code.length), ...code])]);
  for (const fold of [false, true]) {
    const { text, errors } = print(bytes, { fold });
    assert.deepEqual(errors, []);
    assert.equal(text.split('\n').length, 2 * depth + 6);
    assert.ok(text.length < 30 * 2 * depth * 4, 'the indentation is capped, so the text stays linear in the body');
    assert.deepEqual(parseErrors(text), []);
  }
});

test('text goes to the sink in chunks, never as one string', async () => {
  const bytes = await wat(HOSTILE_BASE_WAT);
  const whole = print(bytes).text;
  const chunks: string[] = [];
  const sink = new ChunkedSink((c) => chunks.push(c), 64);
  printModule(bytes, sink);
  sink.end();
  assert.ok(chunks.length > 5);
  assert.ok(chunks.every((c) => c.length < 64 + 200));
  assert.equal(chunks.join(''), whole);
});

test('text written as bytes (a file\'s way) is the same text: every style, odd names, a small buffer, offsets that count characters', async () => {
  const base = await wat(`(module
    (global (mut i32) (i32.const 0))
    (func (param i32) (local i32) local.get 1 drop block loop call 1 global.get 0 br_if 1 end end i32.const -123456 drop)
    (func (i32.store offset=70000 (i32.const 8) (i32.load offset=8 (i32.const 0))) (i64.const -99) drop)
    (func (call 0 (i32.const 4096)) (if (i32.const 1) (then nop) (else unreachable)))
    (memory 1))`);
  const bytes = new Uint8Array([...base, ...nameSection([[0, 'naïve ✓'], [1, 'plain'], [2, 'a'.repeat(300)]], [[0, 'p'], [1, 'lócal']])]);
  assert.ok(V8Wasm.validate(bytes));
  for (const options of [{}, { fold: true }, { offsets: true }, { fold: true, offsets: true }, { quotedIds: false }] as PrintOptions[]) {
    const whole = print(bytes, options).text;
    for (const size of [4096, 1 << 20]) {
      const chunks: Buffer[] = [];
      const sink = new ByteSink((b) => chunks.push(Buffer.from(b)), size);
      printModule(bytes, sink, options);
      sink.end();
      assert.equal(Buffer.concat(chunks).toString('utf8'), whole, JSON.stringify(options));
      assert.equal(sink.written, whole.length, 'written counts characters');
    }
  }
  const hostile = await wat(HOSTILE_BASE_WAT);
  const chunks: Buffer[] = [];
  const sink = new ByteSink((b) => chunks.push(Buffer.from(b)), 4096);
  printModule(hostile, sink);
  sink.end();
  assert.equal(Buffer.concat(chunks).toString('utf8'), print(hostile).text);
});

test('one function prints on its own from a context, like in the whole module', async () => {
  const bytes = await wat(HOSTILE_BASE_WAT);
  const ctx = PrintContext.read(bytes);
  const sink = new StringSink();
  assert.deepEqual(printFunction(ctx, 2, sink), []);
  const one = sink.text();
  assert.match(one, /^\(func \$bump \(;2;\) \(type \d+\) \(result i32\)\n/);
  const whole = print(bytes).text;
  const indented = one.replace(/^/gm, '  ').replace(/ +$/, '');
  assert.ok(whole.includes(indented), 'the same text as in the module, one level less indented');
});

test('truncated binaries print what they can, report the rest and never throw', async () => {
  const bytes = await wat(HOSTILE_BASE_WAT);
  let reported = 0;
  for (let n = 0; n < bytes.length; n++) {
    const cut = bytes.subarray(0, n);
    const { text, errors } = print(cut);
    if (n < bytes.length) {
      if (errors.length) reported++;
      if (n >= 8 && errors.length) assert.match(text, /;; (error|the file ends)/, `cut at ${n}: the text says where it broke`);
    }
    if (n >= 8) assert.ok(text.startsWith('(module') || text.startsWith(';; error'), `cut at ${n}`);
  }
  // every cut inside a section is reported (cuts between whole sections are well-formed modules)
  assert.ok(reported > bytes.length * 0.8, `${reported} of ${bytes.length} cuts reported`);
  // a cut inside a function body: the functions before it print in full, then the error
  const ctx = PrintContext.read(bytes);
  const mid = ctx.bodyStarts[1] + 3;
  const { text, errors } = print(bytes.subarray(0, mid));
  assert.match(text, /\(func \(;1;\)[\s\S]*i32\.add/);
  assert.ok(errors.some((e) => /section 10|function|truncated/.test(e)), errors.join('; '));
});

test('corrupted binaries never make the printer throw, and the text stays well-formed', async () => {
  const base = await wat(HOSTILE_BASE_WAT);
  const rnd = prng(16);
  let unparseable = 0;
  for (let k = 0; k < 2000; k++) {
    const bytes = Uint8Array.from(base);
    const flips = 1 + Math.floor(rnd() * 4);
    for (let f = 0; f < flips; f++) bytes[8 + Math.floor(rnd() * (bytes.length - 8))] = Math.floor(rnd() * 256);
    const { text } = print(bytes, { fold: k % 2 === 1 });
    // the module printed may be invalid (two start functions, an f64 table...): its S-expressions stay whole
    const errs = parseErrors(text).filter((e) => /missing '\)'|unexpected '\)'|malformed token|unterminated|unexpected end/i.test(e));
    if (errs.length) {
      unparseable++;
      if (unparseable < 3) console.log(errs[0]);
    }
  }

  assert.equal(unparseable, 0);
});

test('components and non-wasm input get a diagnostic and a comment, not a crash', () => {
  const comp = print(Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]));
  assert.match(comp.errors[0], /component/);
  assert.match(comp.text, /^;; error/);
  const junk = print(Buffer.from('hello world'));
  assert.match(junk.errors[0], /not a WebAssembly module/);
});

test('struct field names (name subsection 10) print on their fields and at struct.get/set, and compile back to the same bytes', () => {
  const source = `(module
  (type $point (struct (field $x (mut i32)) (field $y f64) (field i64)))
  (type $other (struct (field $x i32)))
  (func $get (param $p (ref $point)) (result i32)
    local.get $p
    i32.const 3
    struct.set $point $x
    (struct.get $point $x (local.get $p))
    (drop (struct.get $point $y (local.get $p)))
    (drop (struct.get $point 2 (local.get $p)))
    (struct.get $other $x (struct.new $other (i32.const 1)))
    i32.add))`;
  const first = compileWatText(source, { debugNames: true });
  assert.deepEqual(first.diagnostics, []);
  const { text, errors } = print(first.bytes!);
  assert.deepEqual(errors, []);
  assert.match(text, /\(struct \(field \$x \(mut i32\)\) \(field \$y f64\) \(field i64\)\)/);
  assert.match(text, /struct\.set \$point \$x/);
  assert.match(text, /struct\.get \$point \$y/);
  assert.match(text, /struct\.get \$point 2/);
  assert.match(text, /struct\.get \$other \$x/);
  const again = compileWatText(text, { debugNames: true });
  assert.deepEqual(again.diagnostics, []);
  assert.deepEqual(again.bytes, first.bytes);
  // without names, fields print by index
  assert.match(print(first.bytes!, { names: false }).text, /struct\.get 0 1/);
});
