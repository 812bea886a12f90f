/**
 * The `inspect` operation: everything a reviewer wants to see about one module at a glance: imports
 * with their WASI capability and the policy's verdict, exports, memories and tables with limits,
 * start, custom sections, features, and section sizes. Plain data, for panels, the CLI and JSON.
 */
import * as path from 'path';
import { checkFile } from './check';
import { readWasmFileFully } from '../binary/file-reader';
import { describeImport } from '../wasi';
import { describeComponentExtern, interfaceFunctions } from '../component/wasi-catalog';
import { allNestedModules, type ComponentInfo } from '../component/model';
import { memoryMaxBytes, memoryMinBytes, type ModuleModel } from '../model';
import { describeLimits } from '../model-text';

export { describeLimits };
import type { EngineDiagnostic } from '../diagnostic';
import type { PolicyStore } from '../policy/store';
import { codeAnalysisOf } from '../code/code-scan';
import { codeSummary, type CodeSummary } from '../code/code-summary';
import { customPayloadsFromFile, customPayloadsOf, dependenciesOf, type Dependencies } from './deps';

/**
 * Modules up to this size get the code summary in every inspection; larger ones when asked for (`code: true`,
 * `inspect --code`) or when the policy turns the code scan on: it reads every function body (about a
 * second per 10-20 MB), which a summary opened with the editor should not wait for.
 */
export const INSPECT_CODE_MAX_BYTES = 8 * 1024 * 1024;

export interface InspectOptions {
  /** compute the code summary whatever the module's size */
  code?: boolean;
}

export interface ImportRow {
  module: string;
  name: string;
  kind: string;
  capability?: string;
  doc?: string;
  /** rule ids and messages of the findings on this import; empty when allowed */
  findings: { rule: string; severity: string; message: string }[];
}

export interface Inspection {
  file: string;
  kind: 'wat' | 'wast' | 'wasm' | 'component';
  byteLength?: number;
  policyFile?: string;
  imports: ImportRow[];
  exports: { name: string; kind: string; index: number }[];
  memories: { index: number; id?: string; imported?: string; limits: string; minBytes: number; maxBytes?: number }[];
  tables: { index: number; id?: string; imported?: string; refType: string; limits: string }[];
  globals: number;
  functions: { imported: number; defined: number };
  start?: number;
  customSections: { name: string; size: number }[];
  /** custom sections past the listed ones (a hostile number of them): counted, not listed */
  customSectionsOmitted?: { count: number; bytes: number; names: string[] };
  features: string[];
  sections: { name: string; size: number }[];
  findings: EngineDiagnostic[];
  /** binaries: the code summary (instruction mix, largest functions, start function, hashing kernels, data strings) */
  code?: CodeSummary;
  /** binaries without a code summary: why (over INSPECT_CODE_MAX_BYTES) */
  codeNote?: string;
  /** binaries: import providers, toolchain (producers), Rust crates (cargo-auditable) */
  dependencies?: Dependencies;
  /** components: their parts (the imports and exports above are the component's own, by name) */
  component?: ComponentInspection;
}

export interface ComponentInspection {
  /** core modules inside (nested components' too): where, and how big */
  modules: { path: string; offset: number; size: number }[];
  /** components inside, at any depth */
  components: number;
  canonicalFunctions: number;
  /** imports toolchains add whatever the program calls (wasi:cli, wasi:io...) */
  toolchainImports: string[];
}

export function inspectFile(file: string, store: PolicyStore, source?: { text?: string; bytes?: Uint8Array }, options: InspectOptions = {}): Inspection {
  let result = checkFile(file, store, source);
  // a component's check reads its own sections only: inspection lists its nested parts too
  const w = result.wasm;
  if (w?.read.model.kind === 'component' && w.bytes.length < (w.read.model.byteLength ?? 0)) result = checkFile(file, store, { bytes: readWasmFileFully(file).bytes });
  const model: ModuleModel | undefined = result.models[0];
  // inspection shows every section: decode what the check's lazy read left, with any problems found
  const read = result.wasm?.read;
  const seen = read?.diagnostics.length ?? 0;
  read?.decodeAll();
  const findings = read ? [...result.diagnostics, ...read.diagnostics.slice(seen)] : result.diagnostics;
  const overlapping = (start: number, end: number) =>
    findings.filter((d) => d.source === 'policy' && d.span.start < end && start < d.span.end);
  const base: Inspection = {
    file: path.resolve(file),
    kind: model?.kind === 'component' ? 'component' : result.kind,
    byteLength: result.wasm?.read.model.byteLength,
    policyFile: result.policy.file,
    imports: [],
    exports: [],
    memories: [],
    tables: [],
    globals: 0,
    functions: { imported: 0, defined: 0 },
    customSections: [],
    features: [],
    sections: [],
    findings,
  };
  if (!model) return base;
  if (model.component) return { ...base, ...inspectComponent(model.component, overlapping), customSections: model.customSections.map((c) => ({ name: c.name, size: c.size })), sections: (model.sections ?? []).map((s) => ({ name: s.name, size: s.size })) };
  if (result.wasm && model.kind === 'module') {
    const size = model.byteLength ?? 0;
    const wanted = options.code === true || result.policy.effective.code?.scan === true || size <= INSPECT_CODE_MAX_BYTES;
    let bytes = result.wasm.bytes;
    if (wanted && bytes.length !== size) bytes = readWasmFileFully(file).bytes;
    const analysis = wanted ? codeAnalysisOf(model, bytes) : undefined;
    if (analysis) base.code = codeSummary(analysis, bytes, result.policy.effective.code?.packedMinBytes);
    else base.codeNote = `module over ${INSPECT_CODE_MAX_BYTES / (1024 * 1024)} MB: the code summary reads every function body; run \`wasm-warden inspect --code\` or turn on code.scan in the policy`;
    const payloads = bytes.length === size ? customPayloadsOf(bytes) : result.wasm.file ? customPayloadsFromFile(model, result.wasm.file) : () => undefined;
    base.dependencies = dependenciesOf(model, payloads);
  }
  const ref = (i?: { module: string; name: string }) => (i ? `${i.module}.${i.name}` : undefined);
  return {
    ...base,
    imports: model.imports.map((imp) => {
      const info = describeImport(imp.module, imp.name);
      return {
        module: imp.module,
        name: imp.name,
        kind: imp.kind,
        capability: info.capability,
        doc: info.doc,
        findings: overlapping(imp.span.start, imp.span.end).map((d) => ({ rule: d.code, severity: d.severity, message: d.message })),
      };
    }),
    exports: model.exports.map((e) => ({ name: e.name, kind: e.kind, index: e.index })),
    memories: model.memories.map((m) => ({
      index: m.index,
      id: m.id,
      imported: ref(m.imported),
      limits: describeLimits(m.limits),
      minBytes: memoryMinBytes(m.limits),
      maxBytes: memoryMaxBytes(m.limits),
    })),
    tables: model.tables.map((t) => ({ index: t.index, id: t.id, imported: ref(t.imported), refType: t.refType, limits: describeLimits(t.limits) })),
    globals: model.globals.length,
    functions: {
      imported: model.funcs.filter((f) => f.imported).length,
      defined: model.funcs.filter((f) => !f.imported).length,
    },
    start: model.start?.func,
    customSections: model.customSections.map((c) => ({ name: c.name, size: c.size })),
    customSectionsOmitted: model.customSectionsOmitted && {
      count: model.customSectionsOmitted.count,
      bytes: model.customSectionsOmitted.bytes,
      names: model.customSectionsOmitted.names,
    },
    features: [...model.features],
    sections: (model.sections ?? []).map((s) => ({ name: s.name, size: s.size })),
  };
}

function inspectComponent(c: ComponentInfo, overlapping: (start: number, end: number) => EngineDiagnostic[]): Pick<Inspection, 'imports' | 'exports' | 'component'> {
  let components = 0;
  const stack = [...c.components];
  while (stack.length) {
    const x = stack.pop()!;
    components++;
    stack.push(...x.components);
  }
  return {
    imports: c.imports.map((imp) => {
      const info = describeComponentExtern(imp);
      const functions = interfaceFunctions(imp);
      return {
        module: '',
        name: imp.name,
        kind: imp.sort,
        capability: info.capabilities.join(', ') || undefined,
        doc: imp.sort === 'instance' ? `interface with ${functions.length} function${functions.length === 1 ? '' : 's'}${info.toolchain ? '; typically added by the toolchain' : ''}` : undefined,
        findings: overlapping(imp.span.start, imp.span.end).map((d) => ({ rule: d.code, severity: d.severity, message: d.message })),
      };
    }),
    exports: c.exports.map((e, index) => ({ name: e.name, kind: e.sort, index })),
    component: {
      modules: allNestedModules(c).map((m) => ({ path: m.path, offset: m.start, size: m.end - m.start })),
      components,
      canonicalFunctions: c.canons.length,
      toolchainImports: c.imports.filter((i) => describeComponentExtern(i).toolchain).map((i) => i.name),
    },
  };
}
