/**
 * Fixtures for the binary tests, built at test time: WAT compiled with wabt, or modules assembled
 * from byte arrays (for encodings wabt.js cannot write: rec/sub/array types, custom page sizes,
 * components, malformed input).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WABT_FEATURES } from '../../../server/src/engine/toolchain/features';

const wabtPromise: Promise<Awaited<ReturnType<typeof import('wabt')>>> = (require('wabt') as typeof import('wabt'))();

export const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** WAT -> bytes with every wabt feature on (not validated); names are written to the `name` section. */
export async function wat(source: string): Promise<Uint8Array> {
  const wabt = await wabtPromise;
  const mod = wabt.parseWat('fixture.wat', source, WABT_FEATURES);
  try {
    mod.resolveNames();
    return new Uint8Array(mod.toBinary({ write_debug_names: true }).buffer);
  } finally {
    mod.destroy();
  }
}

export function u32(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function str(s: string): number[] {
  const b = [...Buffer.from(s, 'utf8')];
  return [...u32(b.length), ...b];
}

export function section(id: number, payload: number[]): number[] {
  return [id, ...u32(payload.length), ...payload];
}

/** A module from raw sections: `module([section(1, [...]), ...])`. */
export function module(sections: number[][], header = HEADER): Uint8Array {
  return Uint8Array.from([...header, ...sections.flat()]);
}

/** The MVP module every hostile test starts from: imports, memory, table, globals, code, data, names. */
export const HOSTILE_BASE_WAT = `(module $base
  (type $bin (func (param i32 i32) (result i32)))
  (import "env" "log" (func $log (param i32)))
  (import "env" "memory" (memory 1 16))
  (import "env" "base" (global $base i32))
  (table $tab 2 funcref)
  (global $counter (mut i32) (i32.const 0))
  (func $add (export "add") (type $bin) local.get 0 local.get 1 i32.add)
  (func $bump (export "bump") (result i32)
    global.get $counter i32.const 1 i32.add global.set $counter global.get $counter
    call $log (global.get $counter))
  (elem (i32.const 0) $add $bump)
  (data (i32.const 16) "hello, \\"world\\"\\00")
  (start $init)
  (func $init (i32.store (i32.const 0) (i32.const 42)))
)`;

/**
 * A small C program compiled with Debian's clang for wasm32-wasi, or undefined when clang (or the
 * wasi sysroot) is not installed.
 */
export function compileC(source: string): Uint8Array | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-binary-'));
  try {
    const c = path.join(dir, 'prog.c');
    const out = path.join(dir, 'prog.wasm');
    fs.writeFileSync(c, source);
    execFileSync('clang', ['--target=wasm32-wasi', '-O1', '-g0', '-o', out, c], { stdio: 'pipe', timeout: 30_000 });
    return new Uint8Array(fs.readFileSync(out));
  } catch {
    return undefined;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Small deterministic PRNG (mulberry32) for the fuzz tests. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ModuleDescriptor {
  module?: string;
  name: string;
  kind: string;
}

/** The engine's own WebAssembly API (the project's `lib` setting has no DOM/WebAssembly types). */
export const V8Wasm = (globalThis as unknown as { WebAssembly: unknown }).WebAssembly as {
  validate(bytes: Uint8Array): boolean;
  Module: {
    new (bytes: Uint8Array): object;
    imports(m: object): Required<ModuleDescriptor>[];
    exports(m: object): ModuleDescriptor[];
  };
};
