/**
 * The slice of the JS WebAssembly API the sandbox uses. The project's tsconfig has no DOM lib (so no
 * `WebAssembly` types); these local declarations avoid touching it.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export interface WasmModule {
  readonly __brand?: 'module';
}
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
export interface WasmImportDesc {
  module: string;
  name: string;
  kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
}
export interface WasmExportDesc {
  name: string;
  kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
}
export interface WasmApi {
  Module: {
    new (bytes: Uint8Array): WasmModule;
    imports(m: WasmModule): WasmImportDesc[];
    exports(m: WasmModule): WasmExportDesc[];
  };
  Instance: new (m: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Global: new (d: { value: string; mutable?: boolean }, v?: unknown) => { value: unknown };
  validate(bytes: Uint8Array): boolean;
  RuntimeError: new (...a: unknown[]) => Error;
  CompileError: new (...a: unknown[]) => Error;
  LinkError: new (...a: unknown[]) => Error;
}

export const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
