/**
 * The `(module binary "...")` forms of the WebAssembly spec test suite: well-formed ones (plain
 * modules, assert_invalid, assert_unlinkable, ...) must read without errors; malformed ones
 * (assert_malformed) must never make the reader throw, and most must be flagged (the reader skips code
 * bodies, so malformations inside code are out of its reach).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readWasm, type ReadWasmOptions } from '../../../server/src/engine/binary/reader';
import { HEADER_READ_OPTIONS, readWasmFileHeaders } from '../../../server/src/engine/binary/file-reader';
import * as os from 'node:os';
import { measureBody } from '../../../server/src/engine/binary/body-shape';
import { stringBytes } from '../validate/wast-modules';

const CORPUS = path.resolve(__dirname, '../../..', '../shared/corpus/spec-testsuite');

interface BinaryForm {
  file: string;
  line: number;
  /** the top-level command holding the module: `module`, `assert_malformed`, `assert_invalid`, ... */
  command: string;
  bytes: Uint8Array;
}

/** The binary modules of one .wast file, with the command each sits in. */
function binaryForms(file: string, text: string): BinaryForm[] {
  const forms: BinaryForm[] = [];
  let depth = 0;
  let command = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === ';' && text[i + 1] === ';') i = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i);
    else if (c === '(' && text[i + 1] === ';') i = text.indexOf(';)', i) + 1;
    else if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '(') {
      const head = /^\(\s*([a-z_]+)(?:\s+\$[^\s()]+)?\s+(binary)?/.exec(text.slice(i, i + 200));
      if (depth === 0) command = head?.[1] ?? '';
      if (head?.[1] === 'module' && head[2] === 'binary') {
        const start = i;
        const bytes: number[] = [];
        let j = i + head[0].length;
        // string literals, with whitespace and `;;` / `(; ;)` comments between them
        // (a line comment runs to its newline, so a `""` inside it is never taken for a literal)
        const lit = /(?:\s|;;[^\n]*\n|\(;[\s\S]*?;\))*"((?:[^"\\]|\\.)*)"/y;
        for (;;) {
          lit.lastIndex = j;
          const m = lit.exec(text);
          if (!m) break;
          stringBytes(m[1], bytes);
          j = lit.lastIndex;
        }
        forms.push({ file, line: text.slice(0, start).split('\n').length, command, bytes: Uint8Array.from(bytes) });
        i = j - 1;
      }
      depth++;
    } else if (c === ')') depth--;
  }
  return forms;
}

function corpusForms(): BinaryForm[] {
  return fs
    .readdirSync(CORPUS)
    .filter((f) => f.endsWith('.wast'))
    .sort()
    .flatMap((f) => binaryForms(f, fs.readFileSync(path.join(CORPUS, f), 'utf8')));
}

test('spec test suite binary modules: well-formed read cleanly, malformed never throw', (t) => {
  if (!fs.existsSync(CORPUS)) {
    t.skip(`spec test suite not found at ../shared/corpus/spec-testsuite (relative to the project root)`);
    return;
  }
  const forms = corpusForms();
  assert.ok(forms.length > 200, `only ${forms.length} binary modules found`);
  let malformed = 0;
  let flagged = 0;
  const falseAlarms: string[] = [];
  for (const form of forms) {
    const r = readWasm(form.bytes);
    const errs = r.diagnostics.filter((d) => d.severity === 'error');
    if (form.command === 'assert_malformed') {
      malformed++;
      if (errs.length) flagged++;
      // the body scanner must cope with whatever the bodies hold
      for (const f of r.model.funcs) if (f.bodySize !== undefined) measureBody(form.bytes, f.span.start, f.span.end);
    } else if (errs.length) {
      falseAlarms.push(`${form.file}:${form.line} (${form.command}): ${errs[0].message}`);
    }
  }
  assert.deepEqual(falseAlarms, []);
  // Most malformed cases are in sections the reader decodes; the rest are inside code bodies.
  assert.ok(flagged / malformed > 0.9, `flagged ${flagged} of ${malformed} malformed binaries`);
  t.diagnostic(`${forms.length} binary modules, ${flagged} of ${malformed} malformed ones flagged by the reader`);
});

test('spec test suite binary modules: a lazy read, once everything is decoded, equals an eager read', (t) => {
  if (!fs.existsSync(CORPUS)) {
    t.skip(`spec test suite not found at ../shared/corpus/spec-testsuite (relative to the project root)`);
    return;
  }
  const eagerOptions: ReadWasmOptions = { ...HEADER_READ_OPTIONS, lazy: false };
  const keys = ['types', 'imports', 'funcs', 'tables', 'memories', 'globals', 'tags', 'exports', 'start', 'elems', 'customSections', 'sections', 'kind'] as const;
  const messages = (ds: { code: string; message: string; span: unknown }[]) => ds.map((d) => `${d.code} ${JSON.stringify(d.span)} ${d.message}`).sort();
  let compared = 0;
  let fromFiles = 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-spec-binary-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const [i, form] of corpusForms().entries()) {
    const where = `${form.file}:${form.line}`;
    const eager = readWasm(form.bytes, eagerOptions);
    // in memory, and from a file (each section in its own buffer; odd files fall back to a full read)
    const f = path.join(dir, `${i}.wasm`);
    fs.writeFileSync(f, form.bytes);
    const h = readWasmFileHeaders(f);
    if (!h.complete) fromFiles++;
    for (const lazy of [readWasm(form.bytes, HEADER_READ_OPTIONS), readWasm(h.bytes, { ...HEADER_READ_OPTIONS, file: h.file })]) {
    // features first: reading them decodes the globals and element segments they depend on
    assert.deepEqual([...lazy.model.features].sort(), [...eager.model.features].sort(), `${where} features`);
    lazy.decodeAll();
    for (const key of keys) assert.deepEqual(lazy.model[key], eager.model[key], `${where} ${key}`);
    assert.deepEqual(messages(lazy.diagnostics), messages(eager.diagnostics), `${where} diagnostics`);
    // serialised, it is the plain model
    assert.deepEqual(JSON.parse(JSON.stringify(lazy.model)), JSON.parse(JSON.stringify(eager.model)), `${where} JSON`);
    }
    compared++;
  }
  assert.ok(fromFiles > compared / 2, `${fromFiles} of ${compared} read as header-only files`);
  t.diagnostic(`${compared} binary modules read lazily and eagerly; ${fromFiles} also as header-only files`);
});
