import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readWasm, type WasmReadResult } from '../../../server/src/engine/binary/reader';
import { MAX_COMPONENT_DEPTH } from '../../../server/src/engine/component/reader';
import { nestedModuleFindings } from '../../../server/src/engine/component/nested-modules';
import { renderComponentView } from '../../../server/src/engine/component/wit-text';
import { prng, section, str, u32 } from '../binary/wasm-fixtures';
import { assembleComponent, NETWORK_COMPONENT_WAT } from './component-fixtures';

const PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];
const component = (...sections: number[][]) => Uint8Array.from([...PREAMBLE, ...sections.flat()]);

function assertSane(bytes: Uint8Array, r: WasmReadResult, label: string): void {
  const inside = (s: { start: number; end: number }, what: string) =>
    assert.ok(s.start >= 0 && s.start <= s.end && s.end <= bytes.length, `${label}: ${what} span ${s.start}..${s.end} outside 0..${bytes.length}`);
  for (const d of r.diagnostics) inside(d.span, 'diagnostic');
  const c = r.model.component;
  if (!c) return;
  for (const i of [...c.imports, ...c.exports]) inside(i.span, 'extern');
  for (const m of c.modules) inside({ start: m.start, end: m.end }, 'module');
  // the view renders whatever was read
  renderComponentView(bytes, r);
}

test('every truncation of a component gives findings, never a crash', async () => {
  const bytes = await assembleComponent(NETWORK_COMPONENT_WAT);
  // a cut between two sections is a smaller, well-formed component
  const boundaries = new Set([8, ...readWasm(bytes).model.sections!.map((s) => s.payloadOffset + s.size)]);
  for (let n = 0; n < bytes.length; n++) {
    const cut = bytes.subarray(0, n);
    const r = readWasm(cut);
    assertSane(cut, r, `truncated at ${n}`);
    if (!boundaries.has(n)) assert.ok(r.diagnostics.some((d) => d.severity === 'error'), `truncated at ${n}: no error`);
  }
});

test('random byte flips of a component never crash the reader or the view', async () => {
  const bytes = await assembleComponent(NETWORK_COMPONENT_WAT);
  const rand = prng(18);
  for (let k = 0; k < 2000; k++) {
    const b = Uint8Array.from(bytes);
    const flips = 1 + Math.floor(rand() * 4);
    for (let f = 0; f < flips; f++) b[8 + Math.floor(rand() * (b.length - 8))] = Math.floor(rand() * 256);
    assertSane(b, readWasm(b), `flip round ${k}`);
  }
});

test('absurd counts are refused before anything is allocated', () => {
  const huge = u32(0xffff_fff0);
  for (const id of [2, 3, 5, 6, 7, 8, 10, 11, 12]) {
    const bytes = component(section(id, [...huge, 0, 0]));
    const r = readWasm(bytes);
    assertSane(bytes, r, `section ${id}`);
    assert.ok(r.diagnostics.some((d) => d.severity === 'error' && /count 4294967280 .* cannot fit/.test(d.message)), `section ${id}: ${JSON.stringify(r.diagnostics)}`);
  }
  // a record with a huge field count inside a type, and an instance type with a huge declaration count
  for (const payload of [[1, 0x72, ...huge], [1, 0x42, ...huge]]) {
    const r = readWasm(component(section(7, payload)));
    assert.ok(r.diagnostics.some((d) => /cannot fit/.test(d.message)), JSON.stringify(r.diagnostics));
  }
  // a section size past the end of the file
  const r = readWasm(component([10, ...u32(1 << 30)]));
  assert.ok(r.diagnostics.some((d) => /runs past the end/.test(d.message)));
});

/** Components nested `depth` levels deep (each one a component section holding the next), built outside in. */
function nested(depth: number): Uint8Array {
  const sizes = new Array<number>(depth + 1);
  sizes[depth] = 8;
  for (let i = depth - 1; i >= 0; i--) sizes[i] = 8 + 1 + u32(sizes[i + 1]).length + sizes[i + 1];
  const out = new Uint8Array(sizes[0]);
  let at = 0;
  for (let i = 0; i <= depth; i++) {
    out.set(PREAMBLE, at);
    at += 8;
    if (i === depth) break;
    out[at++] = 4;
    const len = u32(sizes[i + 1]);
    out.set(len, at);
    at += len.length;
  }
  return out;
}

test('100,000 levels of nested components: read to the depth limit, the rest reported, no stack overflow', () => {
  const bytes = nested(100_000);
  const r = readWasm(bytes);
  assertSane(bytes, r, 'deep');
  const limit = r.diagnostics.filter((d) => d.code === 'input-limit');
  assert.equal(limit.length, 1);
  assert.match(limit[0].message, new RegExp(`nested more than ${MAX_COMPONENT_DEPTH} levels deep`));
  let c = r.model.component!;
  let depth = 0;
  while (c.components.length) {
    c = c.components[0];
    depth++;
  }
  assert.equal(depth, MAX_COMPONENT_DEPTH);
  assert.equal(c.tooDeep, 1);
  // and a nesting within the limit is read without findings
  const ok = nested(50);
  assert.deepEqual(readWasm(ok).diagnostics, []);
});

test('a malformed nested module: a finding at its offset naming it, the component itself still read', () => {
  const badModule = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...section(2, [...u32(5), 1, 2])];
  const bytes = component(section(10, [1, 0x00, ...str('wasi:cli/stdout@0.2.0'), 0x01, 0x00]), section(1, badModule));
  const r = readWasm(bytes);
  // the import refers to a type that does not exist (index 0 of no types): read, type unknown
  assert.deepEqual(r.model.component!.imports.map((i) => i.name), ['wasi:cli/stdout@0.2.0']);
  const findings = nestedModuleFindings(bytes, r.model);
  assert.ok(findings.length > 0);
  const moduleStart = r.model.component!.modules[0].start;
  for (const f of findings) {
    assert.match(f.message, /^core module 0 @0x[0-9a-f]+: /);
    assert.ok(f.span.start >= moduleStart && f.span.end <= bytes.length, JSON.stringify(f.span));
  }
  // not a core module at all
  const notModule = component(section(1, [1, 2, 3]));
  assert.ok(readWasm(notModule).diagnostics.some((d) => /does not start with the core module preamble/.test(d.message)));
  assert.ok(nestedModuleFindings(notModule, readWasm(notModule).model).some((d) => d.severity === 'error'));
});

test('types nested past the limit inside one type section are refused, not recursed into', () => {
  // an instance type declaring a type that is an instance type ... 10,000 deep
  const depth = 10_000;
  const open: number[] = [];
  for (let i = 0; i < depth; i++) open.push(0x42, 1, 0x01);
  const payload = [1, ...open, 0x42, 0];
  const bytes = component(section(7, payload));
  const r = readWasm(bytes);
  assert.ok(r.diagnostics.some((d) => /nested deeper than 64 levels/.test(d.message)), JSON.stringify(r.diagnostics));
});
