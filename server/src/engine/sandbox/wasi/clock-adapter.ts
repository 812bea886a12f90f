/**
 * clock_time_get without a bigint per call. Its `precision` parameter is an i64, which V8 hands to a
 * JavaScript import as a new BigInt on every call; our clocks ignore it, yet in a guest that reads the
 * clock millions of times those BigInts fill the young generation and the scavenges cost about as much
 * as the rest of the monitoring. So the guest's import is a wasm function of a tiny adapter module that
 * calls our (JavaScript) clock_time_get with `(id, 0, out)`: the i64 never reaches JavaScript.
 *
 * Used only when every import of clock_time_get in the guest has preview1's type (i32 i64 i32) -> i32:
 * a wasm function, unlike a JavaScript one, links only with an exact type. (Imports with another type
 * are refused at link time anyway: wasi/signatures.ts; a GC module's imports still link to JavaScript.)
 */
import { HEADER_READ_OPTIONS } from '../../binary/file-reader';
import { readWasm } from '../../binary/reader';
import type { WasmModule } from '../wasm-api';
import { WA } from '../wasm-api';
import { WASI_MODULE } from './constants';

const I32 = 0x7f;
const I64 = 0x7e;

/**
 * (module
 *   (import "w" "f" (func $f (param i32 i32 i32) (result i32)))
 *   (func $clock_time_get (export "f") (param i32 i64 i32) (result i32)
 *     (call $f (local.get 0) (i32.const 0) (local.get 2))))
 * with a name section, so the frame reads `clock_time_get` in a trap's stack.
 */
const NAME = [...'clock_time_get'].map((c) => c.charCodeAt(0));
const ADAPTER = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  // types: 0 = (i32 i32 i32) -> i32, 1 = (i32 i64 i32) -> i32
  0x01, 0x0f, 0x02, 0x60, 0x03, I32, I32, I32, 0x01, I32, 0x60, 0x03, I32, I64, I32, 0x01, I32,
  // import "w" "f" (func (type 0))
  0x02, 0x07, 0x01, 0x01, 0x77, 0x01, 0x66, 0x00, 0x00,
  // one function of type 1
  0x03, 0x02, 0x01, 0x01,
  // export "f" (func 1)
  0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x01,
  // code: local.get 0, i32.const 0, local.get 2, call 0
  0x0a, 0x0c, 0x01, 0x0a, 0x00, 0x20, 0x00, 0x41, 0x00, 0x20, 0x02, 0x10, 0x00, 0x0b,
  // custom "name": function names, 1 -> clock_time_get
  0x00, 5 + 2 + 3 + NAME.length, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01, 3 + NAME.length, 0x01, 0x01, NAME.length, ...NAME,
]);

let compiled: WasmModule | undefined;

/** The guest's clock_time_get: an adapter around `fn`, which receives (id, 0, out). */
export function clockAdapter(fn: (id: number, precision: number, out: number) => number): unknown {
  compiled ??= new WA.Module(ADAPTER);
  return new WA.Instance(compiled, { w: { f: fn } }).exports.f;
}

/**
 * True when the module imports WASI_MODULE.clock_time_get, always with the type (i32 i64 i32) -> i32.
 * False when it does not, or with another type, or when the module uses GC types (rec groups and
 * subtypes change what an exact type is: then the import is linked as before, to a JavaScript function),
 * or when its declarations do not read cleanly. The engine's reader decodes them (a lazy read: the
 * types and imports only).
 */
export function clockImportIsExact(bytes: Uint8Array): boolean {
  const { model, diagnostics } = readWasm(bytes, HEADER_READ_OPTIONS);
  // `features` first: reading it decodes the type section, which fills in the imports' signatures
  if (model.kind !== 'module' || diagnostics.some((d) => d.severity === 'error') || model.features.includes('gc')) return false;
  const clocks = model.imports.filter((i) => i.module === WASI_MODULE && i.name === 'clock_time_get');
  return clocks.length > 0 && clocks.every((i) => i.kind === 'func' && i.sig?.params.join() === 'i32,i64,i32' && i.sig.results.join() === 'i32');
}
