/**
 * Real components for the tests, built offline when a test asks (never committed): component WAT
 * assembled by wasm-tools (jco's `parse`), and C programs compiled by Debian's clang for wasm32-wasi and
 * wrapped with the WASI preview1 command adapter (jco's `componentNew`). wasm-tools' own reading of a
 * component (`componentWit`) is the oracle the reader is compared with.
 */
import * as fs from 'node:fs';
import { compileC } from '../binary/wasm-fixtures';

type Jco = {
  parse(wat: string): Promise<Uint8Array>;
  print(bytes: Uint8Array): Promise<string>;
  componentWit(bytes: Uint8Array): Promise<string>;
  componentNew(core: Uint8Array, adapters: [string, Uint8Array][]): Promise<Uint8Array>;
  preview1AdapterCommandPath(): URL;
  preview1AdapterReactorPath(): URL;
};

let jco: Promise<Jco> | undefined;
/** jco is an ES module: loaded on first use. */
export function loadJco(): Promise<Jco> {
  return (jco ??= import('@bytecodealliance/jco') as unknown as Promise<Jco>);
}

/** Component WAT -> bytes (wasm-tools). */
export async function assembleComponent(wat: string): Promise<Uint8Array> {
  return new Uint8Array(await (await loadJco()).parse(wat));
}

/**
 * A C program compiled for wasm32-wasi and made a component with the preview1 command adapter, or
 * undefined when clang cannot build it (see test/clang.ts).
 */
export async function componentFromC(source: string): Promise<Uint8Array | undefined> {
  const core = compileC(source);
  if (!core) return undefined;
  const j = await loadJco();
  const adapter = new Uint8Array(fs.readFileSync(j.preview1AdapterCommandPath()));
  return new Uint8Array(await j.componentNew(core, [['wasi_snapshot_preview1', adapter]]));
}

/** The names a component's world imports and exports, as wasm-tools' WIT of it lists them. */
export async function witWorld(bytes: Uint8Array): Promise<{ imports: string[]; exports: string[]; wit: string }> {
  const wit = await (await loadJco()).componentWit(bytes);
  const imports: string[] = [];
  const exports: string[] = [];
  let inWorld = false;
  for (const line of wit.split('\n')) {
    if (/^world /.test(line)) inWorld = true;
    else if (/^}/.test(line)) inWorld = false;
    else if (inWorld) {
      const m = /^ {2}(import|export) (.+?)(?:;|: |\s*\{)/.exec(line);
      if (m) (m[1] === 'import' ? imports : exports).push(m[2]);
    }
  }
  return { imports, exports, wit };
}

/** A C program that reads the environment, writes stdout and creates a file. */
export const FILE_WRITER_C = `#include <stdio.h>
#include <stdlib.h>
int main(void) {
  printf("hello %s\\n", getenv("USER"));
  FILE *f = fopen("/out.txt", "w");
  if (f) { fputs("x", f); fclose(f); }
  return 0;
}
`;

/** A component importing sockets and outgoing HTTP, as a proxy or client would (interfaces trimmed to a function each). */
export const NETWORK_COMPONENT_WAT = `(component
  (type $tcp (instance (export "connect" (func (param "host" string) (result u32)))))
  (import "wasi:sockets/tcp@0.2.3" (instance (type $tcp)))
  (type $out (instance (export "handle" (func (param "url" string) (result (result string (error u32)))))))
  (import "wasi:http/outgoing-handler@0.2.3" (instance (type $out)))
  (type $rnd (instance (export "get-random-u64" (func (result u64)))))
  (import "wasi:random/random@0.2.3" (instance (type $rnd)))
  (import "wasi:randomly/thing@0.2.3" (instance (type $rnd)))
  (import "log" (func (param "msg" string)))
  (core module $m
    (import "wasi_snapshot_preview1" "sock_send" (func (param i32 i32 i32 i32 i32) (result i32)))
  )
)`;
