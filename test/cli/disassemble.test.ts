/**
 * `wasm-warden disassemble` with the engine's printer: to a file and to stdout, folded and with
 * offsets, a generated module over the old 8 MiB limit (streamed, memory bounded), and malformed input
 * (what can be read is written, the problem reported, exit 1).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, build, cli, fixtureDir, rm, type CliResult } from './helpers';
import { parseWat } from '../../server/src/engine/wat';

before(() => build());

function u32(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function section(id: number, payload: number[] | Buffer): Buffer {
  return Buffer.concat([Buffer.from([id, ...u32(payload.length)]), Buffer.from(payload)]);
}

/**
 * A module of `funcs` functions of `(i32.const k) (drop)` pairs, `bodyBytes` each, and a data segment
 * of `dataBytes`: real size, built here (never committed).
 */
function bigModule(funcs: number, bodyBytes: number, dataBytes: number): Buffer {
  const body: number[] = [0]; // no locals
  while (body.length + 4 <= bodyBytes - 1) body.push(0x41, 0x2a, 0x1a, 0x01); // i32.const 42, drop, nop
  body.push(0x0b);
  const oneBody = Buffer.from([...u32(body.length), ...body]);
  const code = Buffer.concat([Buffer.from(u32(funcs)), ...new Array(funcs).fill(oneBody)]);
  const data = Buffer.alloc(dataBytes);
  for (let i = 0; i < dataBytes; i++) data[i] = (i * 7) & 0xff;
  const dataSection = Buffer.concat([Buffer.from([1, 0, 0x41, 0, 0x0b, ...u32(dataBytes)]), data]);
  return Buffer.concat([
    Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
    section(1, [1, 0x60, 0, 0]),
    section(3, [...u32(funcs), ...new Array(funcs).fill(0)]),
    section(5, [1, 0, 1 + (dataBytes >> 16)]),
    section(7, [1, 1, 0x66, 0, 0]),
    section(10, code),
    section(11, dataSection),
  ]);
}

/** The CLI with its own peak RSS (bytes), written at exit by a preload. */
function cliWithPeak(args: string[], cwd: string): Promise<CliResult & { peak: number }> {
  const preload = path.join(cwd, '.peak-rss.cjs');
  const out = path.join(cwd, '.peak-rss');
  fs.writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, String(process.resourceUsage().maxRSS * 1024)));\n`);
  const env = { ...process.env };
  delete env.CI;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--require', preload, BIN, ...args], { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number | null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr, peak: Number(fs.readFileSync(out, 'utf8')) });
    });
  });
}

test('disassemble a 10 MiB module (over the old 8 MiB limit): streamed to the file, parses back, bounded memory', async () => {
  const d = await fixtureDir([]);
  try {
    const funcs = 20_000;
    const bytes = bigModule(funcs, 400, 2 * 1024 * 1024);
    assert.ok(bytes.length > 10 * 1024 * 1024 - 512 * 1024, `${bytes.length} bytes`);
    fs.writeFileSync(path.join(d, 'big.wasm'), bytes);
    const r = await cliWithPeak(['disassemble', 'big.wasm'], d);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^wrote big\.wat \(\d+\.\d MB\)/);
    const text = fs.readFileSync(path.join(d, 'big.wat'), 'latin1');
    assert.ok(text.length > 50 * 1024 * 1024, `${text.length} characters`);
    assert.equal(text.match(/^ {2}\(func /gm)?.length, funcs);
    assert.deepEqual(parseWat(text).diagnostics.filter((x) => x.severity === 'error').slice(0, 3), []);
    // the text (over 50 MB) is never held whole: the process stays near the module's own size
    assert.ok(r.peak < 400 * 1024 * 1024, `peak RSS ${(r.peak / 1024 ** 2).toFixed(0)} MB`);
  } finally {
    rm(d);
  }
});

test('disassemble -o - writes the same text to stdout; --fold and --offsets change the style', async () => {
  const d = await fixtureDir(['hi.wasm']);
  try {
    const file = await cli(['disassemble', 'hi.wasm'], d);
    assert.equal(file.code, 0, file.stderr);
    const text = fs.readFileSync(path.join(d, 'hi.wat'), 'utf8');
    const out = await cli(['disassemble', 'hi.wasm', '-o', '-'], d);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, text);
    const folded = await cli(['disassemble', 'hi.wasm', '-o', '-', '--fold', '--offsets'], d);
    assert.equal(folded.code, 0, folded.stderr);
    assert.match(folded.stdout, /\(call [^\n]*\) ;; @0x[0-9a-f]+\n/);
    assert.deepEqual(parseWat(folded.stdout).diagnostics.filter((x) => x.severity === 'error'), []);
  } finally {
    rm(d);
  }
});

test('a truncated module: what can be read is written, the problem reported, exit 1; not a module: nothing written', async () => {
  const d = await fixtureDir(['hi.wasm']);
  try {
    const whole = fs.readFileSync(path.join(d, 'hi.wasm'));
    fs.writeFileSync(path.join(d, 'cut.wasm'), whole.subarray(0, whole.length - 20));
    const r = await cli(['disassemble', 'cut.wasm'], d);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cut\.wasm.*(truncated|declares \d+ bytes)/);
    const text = fs.readFileSync(path.join(d, 'cut.wat'), 'utf8');
    assert.match(text, /^\(module\n {2}\(type/m);
    assert.match(text, /;; (error|the file ends)/);
    fs.writeFileSync(path.join(d, 'junk.wasm'), 'not a module at all');
    const junk = await cli(['disassemble', 'junk.wasm'], d);
    assert.equal(junk.code, 1);
    assert.match(junk.stderr, /not a WebAssembly module/);
    assert.ok(!fs.existsSync(path.join(d, 'junk.wat')));
  } finally {
    rm(d);
  }
});
