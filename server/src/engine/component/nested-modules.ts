/**
 * The core modules nested in a component, read by the core reader (binary/reader.ts) at their offsets:
 * their findings come back in the file's byte offsets, prefixed with where the module sits
 * (`module 2 @0x3a8c: ...`). The component reader only locates them, so a policy check of a component
 * reads none of them unless the policy asks (`imports.nestedModules`) or the user does (validate,
 * inspect, the per-module WAT view).
 */
import type { EngineDiagnostic } from '../diagnostic';
import type { ModuleModel } from '../model';
import { hex } from '../binary/byte-reader';
import { readWasm, type ReadWasmOptions, type WasmReadResult } from '../binary/reader';
import { allNestedModules, type NestedModule } from './model';

/** Most findings kept per nested module (the rest are counted in one). */
const MAX_FINDINGS_PER_MODULE = 20;

/** The bytes of a nested module (a view of the component's bytes, not a copy). */
export function nestedModuleBytes(bytes: Uint8Array, mod: NestedModule): Uint8Array {
  return bytes.subarray(mod.start, Math.min(mod.end, bytes.length));
}

/** Reads one nested module; its model's spans are relative to the module's own first byte. */
export function readNestedModule(bytes: Uint8Array, mod: NestedModule, options: ReadWasmOptions = {}): WasmReadResult {
  return readWasm(nestedModuleBytes(bytes, mod), options);
}

/** A finding of a nested module (spans relative to it) in the file's offsets, saying which module. */
export function shiftFinding(d: EngineDiagnostic, mod: NestedModule): EngineDiagnostic {
  return {
    ...d,
    message: `core ${mod.path} @${hex(mod.start)}: ${d.message}`,
    span: { start: d.span.start + mod.start, end: d.span.end + mod.start },
    data: { ...d.data, nestedModule: mod.path, nestedModuleOffset: mod.start },
  };
}

/** Reads every core module of a component (nested components' too): their format findings, in file offsets. */
export function nestedModuleFindings(bytes: Uint8Array, model: ModuleModel): EngineDiagnostic[] {
  const out: EngineDiagnostic[] = [];
  if (!model.component) return out;
  for (const mod of allNestedModules(model.component)) {
    const read = readNestedModule(bytes, mod, { names: false });
    const findings = read.diagnostics;
    for (const d of findings.slice(0, MAX_FINDINGS_PER_MODULE)) out.push(shiftFinding(d, mod));
    if (findings.length > MAX_FINDINGS_PER_MODULE) {
      out.push({
        code: 'wasm-malformed',
        severity: 'error',
        message: `core ${mod.path} @${hex(mod.start)}: ${findings.length - MAX_FINDINGS_PER_MODULE} more problems in this module are not listed`,
        span: { start: mod.start, end: mod.start + 1 },
        source: 'wasm-reader',
      });
    }
  }
  return out;
}
