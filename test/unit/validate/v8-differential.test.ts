/**
 * Differential test against V8: our verdict on real modules (toolchain outputs found in the repo's
 * dependencies, C programs compiled with clang, the example module, the hostile-input base fixture)
 * and on seeded byte-flip mutants of their code bodies equals `WebAssembly.validate`'s. A
 * disagreement is allowed only when the mutant uses a proposal Node 20's V8 (11.3) does not enable,
 * or passes a V8 implementation limit; anything else is a bug and fails the test. Prints the
 * agreement rate and the causes.
 *
 * Each mutant keeps the module's declarations and one code body (the mutated one); every other body
 * becomes `unreachable`, so a verdict costs one function, not the whole module.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateWasm } from '../../../server/src/engine/validate/module-validator';
import { CodeDecoder } from '../../../server/src/engine/binary/code-decoder';
import { ByteReader } from '../../../server/src/engine/binary/byte-reader';
import { HT_EXTERN, HT_FUNC, heapOf, isRef } from '../../../server/src/engine/isa/value-type';
import { compileC, HOSTILE_BASE_WAT, prng, u32, V8Wasm, wat } from '../binary/wasm-fixtures';

const ROOT = path.resolve(__dirname, '../../..');
const MUTANTS = 3000;
/** Proposals whose instructions Node 20's V8 does not validate (not enabled by default there). */
const V8_MISSING = new Set(['gc', 'function-references', 'stack-switching']);
/** Exceptions with exnref (the legacy form is enabled in V8 11.3; these are not). */
const V8_MISSING_INSTRUCTIONS = new Set(['try_table', 'throw_ref']);
/** V8's limit on locals per function. */
const V8_MAX_LOCALS = 50_000;

interface Split {
  bytes: Uint8Array;
  /** [start, end) of each section's whole encoding (id, size, payload) */
  sections: { id: number; start: number; end: number; payload: number }[];
  /** payload [start, end) of each code body */
  bodies: { start: number; end: number }[];
}

function split(bytes: Uint8Array): Split {
  const r = new ByteReader(bytes, 8, bytes.length);
  const sections: Split['sections'] = [];
  const bodies: Split['bodies'] = [];
  while (!r.atEnd()) {
    const start = r.pos;
    const id = r.u8();
    const size = r.u32();
    const payload = r.pos;
    sections.push({ id, start, end: payload + size, payload });
    if (id === 10) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const s = r.u32();
        bodies.push({ start: r.pos, end: r.pos + s });
        r.pos += s;
      }
    }
    r.pos = payload + size;
  }
  return { bytes, sections, bodies };
}

/** The module with every body but `keep` replaced by `unreachable`, and `keep`'s body replaced by `body`. */
function withOneBody(s: Split, keep: number, body: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [s.bytes.subarray(0, 8)];
  const stub = Uint8Array.of(3, 0x00, 0x00, 0x0b);
  for (const sec of s.sections) {
    if (sec.id !== 10) {
      parts.push(s.bytes.subarray(sec.start, sec.end));
      continue;
    }
    const n = s.bodies.length;
    const head = Uint8Array.from(u32(n));
    const size = Uint8Array.from(u32(body.length));
    const payloadLength = head.length + (n - 1) * stub.length + size.length + body.length;
    parts.push(Uint8Array.of(10, ...u32(payloadLength)), head);
    if (keep > 0) parts.push(repeat(stub, keep));
    parts.push(size, body);
    if (n - keep - 1 > 0) parts.push(repeat(stub, n - keep - 1));
  }
  return new Uint8Array(Buffer.concat(parts));
}

function repeat(unit: Uint8Array, times: number): Uint8Array {
  const out = new Uint8Array(unit.length * times);
  for (let i = 0; i < times; i++) out.set(unit, i * unit.length);
  return out;
}

/** Why V8 may rightly disagree about this body: a proposal it does not enable, or one of its limits. */
function v8Gap(body: Uint8Array): string | undefined {
  const dec = new CodeDecoder(body, 0, body.length);
  let locals = 0;
  let typed: string | undefined;
  const noteType = (t: number): void => {
    if (isRef(t) && !((heapOf(t) === HT_FUNC || heapOf(t) === HT_EXTERN) && (t & 1) === 1)) typed = 'typed or GC reference types';
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
    if (d.imm === 'memory' && dec.idx !== 0) return 'multi-memory (memory index)';
    if (d.imm === 'blocktype' && dec.blockKind === 1) noteType(dec.blockValue);
    if (d.imm === 'valtypes') dec.valtypes.forEach(noteType);
    if (d.name === 'ref.null' && dec.heap0 !== HT_FUNC && dec.heap0 !== HT_EXTERN) typed = 'typed or GC reference types';
    if (typed) return typed;
  }
  return typed;
}

async function realModules(): Promise<{ name: string; bytes: Uint8Array }[]> {
  const found: { name: string; bytes: Uint8Array }[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 6 || !fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const f = path.join(dir, e.name);
      if (e.isDirectory()) walk(f, depth + 1);
      else if (e.isFile() && e.name.endsWith('.wasm')) found.push({ name: path.relative(ROOT, f), bytes: new Uint8Array(fs.readFileSync(f)) });
    }
  };
  walk(path.join(ROOT, 'node_modules'), 0);
  walk(path.join(ROOT, 'examples'), 0);
  const c = compileC(
    '#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n' +
      'static int cmp(const void *a, const void *b) { return *(const double *)a < *(const double *)b ? -1 : 1; }\n' +
      'int main(int argc, char **argv) { double v[16]; for (int i = 0; i < 16; i++) v[i] = (i * 7919) % 31 / 3.0;\n' +
      '  qsort(v, 16, sizeof v[0], cmp); char buf[128]; snprintf(buf, sizeof buf, "%s %g %d", argv[0], v[3], argc);\n' +
      '  puts(buf); return (int)strlen(buf) & 1; }\n',
  );
  assert.ok(c, 'clang --target=wasm32-wasi must be installed for this test');
  found.push({ name: 'C program (clang wasm32-wasi)', bytes: c });
  found.push({ name: 'hostile-input base fixture (wabt)', bytes: await wat(HOSTILE_BASE_WAT) });
  return found;
}

test('V8 differential: real modules and seeded byte-flip mutants of their code bodies', async (t) => {
  const modules = await realModules();
  assert.ok(modules.length >= 4, `only ${modules.length} real modules found`);
  const bugs: string[] = [];
  for (const m of modules) {
    const ours = validateWasm(m.bytes).valid;
    const v8 = V8Wasm.validate(m.bytes);
    if (ours !== v8) bugs.push(`${m.name}: ours ${ours}, V8 ${v8}`);
    t.diagnostic(`${m.name} (${m.bytes.length} bytes): ours ${ours ? 'valid' : 'invalid'}, V8 ${v8 ? 'valid' : 'invalid'}`);
  }
  const splits = modules.filter((m) => V8Wasm.validate(m.bytes)).map((m) => ({ name: m.name, s: split(m.bytes) }));
  const random = prng(15);
  let agreed = 0;
  let validMutants = 0;
  const causes = new Map<string, number>();
  for (let i = 0; i < MUTANTS; i++) {
    const { name, s } = splits[i % splits.length];
    const keep = Math.floor(random() * s.bodies.length);
    const b = s.bodies[keep];
    const body = Uint8Array.from(s.bytes.subarray(b.start, b.end));
    const at = Math.floor(random() * body.length);
    body[at] ^= 1 + Math.floor(random() * 255);
    const mutant = withOneBody(s, keep, body);
    const ours = validateWasm(mutant);
    const v8 = V8Wasm.validate(mutant);
    if (v8) validMutants++;
    if (ours.valid === v8) {
      agreed++;
      continue;
    }
    const gap = ours.valid ? v8Gap(body) : undefined;
    const cause = gap ?? `BUG: ours ${ours.valid ? 'valid' : `invalid (${ours.finding!.message})`}, V8 ${v8 ? 'valid' : 'invalid'}`;
    causes.set(gap ? `V8 does not enable: ${gap}` : 'bug', (causes.get(gap ? `V8 does not enable: ${gap}` : 'bug') ?? 0) + 1);
    if (!gap) bugs.push(`${name} function body ${keep}, byte ${at} of its body: ${cause}`);
  }
  t.diagnostic(`${MUTANTS} mutants (${validMutants} valid for V8): agreement ${agreed}/${MUTANTS} = ${((100 * agreed) / MUTANTS).toFixed(2)}%`);
  for (const [cause, n] of causes) t.diagnostic(`disagreements: ${n} × ${cause}`);
  assert.deepEqual(bugs, []);
  // the mutants must exercise both verdicts
  assert.ok(validMutants > MUTANTS / 20 && validMutants < MUTANTS - MUTANTS / 20, `${validMutants} of ${MUTANTS} mutants valid`);
});
