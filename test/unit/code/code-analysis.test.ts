/**
 * The code analysis pass and its tables: the hash constants (computed from their definitions, checked
 * against published values), 64-bit immediates, the instruction mix, malformed code (reported, never
 * thrown), and the data strings' validation (Base58Check, top-level domains, version-like addresses).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readWasm } from '../../../server/src/engine/binary/reader';
import { analyzeCode } from '../../../server/src/engine/code/code-analysis';
import { importedFuncCount } from '../../../server/src/engine/code/code-scan';
import { AES_SBOX, AES_TE0, KECCAK_RC, MD5_T, SHA256_IV, SHA256_K, SHA512_IV, SHA512_K } from '../../../server/src/engine/code/hash-constants';
import { base58Check, DataStringCollector } from '../../../server/src/engine/code/data-strings';
import { module, section, u32, wat } from '../binary/wasm-fixtures';

function analyze(bytes: Uint8Array) {
  const model = readWasm(bytes).model;
  return analyzeCode(bytes, { importedFuncs: importedFuncCount(model), start: model.start?.func });
}

function strings(text: string) {
  const c = new DataStringCollector();
  const bytes = Buffer.from(text, 'latin1');
  c.scan(bytes, 0, bytes.length, 0);
  return c.result().items.map((s) => `${s.kind}:${s.value}`);
}

describe('hash constants', () => {
  it('match the published tables', () => {
    assert.deepEqual([SHA256_K[0], SHA256_K[1], SHA256_K[63]], [0x428a2f98, 0x71374491, 0xc67178f2]);
    assert.deepEqual([SHA256_IV[0], SHA256_IV[7]], [0x6a09e667, 0x5be0cd19]);
    assert.deepEqual([SHA512_K[0], SHA512_K[79]], [0x428a2f98d728ae22n, 0x6c44198c4a475817n]);
    assert.equal(SHA512_IV[0], 0x6a09e667f3bcc908n);
    assert.deepEqual([MD5_T[0], MD5_T[63]], [0xd76aa478, 0xeb86d391]);
    assert.equal(Buffer.from(AES_SBOX.subarray(0, 8)).toString('hex'), '637c777bf26b6fc5');
    assert.equal(AES_SBOX[0xff], 0x16);
    assert.equal(AES_TE0[0], 0xc66363a5);
    assert.equal(KECCAK_RC.length, 24);
  });
});

describe('analyzeCode', () => {
  it('counts 64-bit constants (negative ones too: Keccak\'s round constants have the top bit set)', async () => {
    const consts = KECCAK_RC.filter((v) => v >= 0x100000000n).slice(0, 7).map((v) => `(drop (i64.const ${v >= 1n << 63n ? v - (1n << 64n) : v}))`);
    const a = analyze(await wat(`(module (func ${consts.join(' ')} (drop (i64.const 1))))`));
    assert.equal(a.kernels.length, 1);
    assert.equal(a.kernels[0].constants.keccak, 7);
    assert.equal(a.constantFunctions.keccak, 1);
  });

  it('the mix adds up to the instructions; loops, calls and indirect calls are counted', async () => {
    const a = analyze(await wat(`(module (type $v (func)) (table 1 funcref) (func $f)
      (func (loop $l (call $f) (call_indirect (type $v) (i32.const 0)) (br_if $l (i32.const 0)))))`));
    const total = Object.values(a.mix).reduce((x, y) => x + y, 0);
    assert.equal(total, a.instructions);
    assert.equal(a.mix.call, 1);
    assert.equal(a.mix['indirect-call'], 1);
    assert.equal(a.indirectCalls, 1);
    assert.deepEqual(a.indirectTables, [0]);
    assert.equal(a.functions, 2);
    assert.equal(a.largest[0].loops, 1);
  });

  it('malformed code: the problem is reported with its function, what came before still counts, nothing throws', () => {
    // one type, one function, a body with an illegal opcode (0xff) after a nop
    const bytes = module([section(1, [1, 0x60, 0, 0]), section(3, [1, 0]), section(10, [1, ...u32(4), 0, 0x01, 0xff, 0x0b])]);
    const a = analyze(bytes);
    assert.match(a.error ?? '', /^function 0 at 0x[0-9a-f]+: illegal opcode/);
    assert.equal(a.instructions, 1);
    // a code section that runs past the end: an error, no throw
    const cut = module([section(1, [1, 0x60, 0, 0]), section(3, [1, 0]), section(10, [1, ...u32(40), 0, 0x0b])]);
    assert.ok(analyze(cut).error);
  });
});

describe('data strings', () => {
  it('endpoints: URLs need a host under a known top-level domain; version-like and loopback addresses are skipped', () => {
    assert.deepEqual(strings('see https://docs.example.com/x and http://www.years and http://.css\0'), ['url:https://docs.example.com/x']);
    assert.deepEqual(strings('connect 203.0.113.7:8443 now\0version 1.2.3.4\0bind 127.0.0.1\0'), ['ip:203.0.113.7:8443']);
    assert.deepEqual(strings('pool.example.net:3333\0pool.supportxmr.com\0console.info the text.com goes on and on in a long sentence'), ['pool:pool.example.net:3333', 'host:pool.supportxmr.com']);
  });

  it('wallets: a Bitcoin address needs a valid Base58Check checksum', () => {
    assert.equal(base58Check('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2'), true);
    assert.equal(base58Check('1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3'), false);
    assert.deepEqual(strings('pay 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 or 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3\0'), ['wallet:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2']);
  });

  it('bounded: at most 200 strings of a kind are kept, the rest counted', () => {
    const c = new DataStringCollector();
    const text = Array.from({ length: 300 }, (_, i) => `https://h${i}.example.com/\0`).join('');
    const bytes = Buffer.from(text, 'latin1');
    c.scan(bytes, 0, bytes.length, 0);
    assert.equal(c.result().items.length, 200);
    assert.equal(c.result().omitted.url, 100);
  });
});
