/**
 * The `inspect` operation: everything a reviewer wants to see about one module at a glance: imports
 * with their WASI capability and the policy's verdict, exports, memories and tables with limits,
 * start, custom sections, features, and section sizes. Plain data, for panels, the CLI and JSON.
 */
import * as path from 'path';
import { checkFile } from './check';
import { describeImport } from '../wasi';
import { memoryMaxBytes, memoryMinBytes, type ModuleModel } from '../model';
import type { EngineDiagnostic } from '../diagnostic';
import type { PolicyStore } from '../policy/store';
import { describeLimits } from '../model-text';

export { describeLimits };

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
}

export function inspectFile(file: string, store: PolicyStore, source?: { text?: string; bytes?: Uint8Array }): Inspection {
  const result = checkFile(file, store, source);
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
