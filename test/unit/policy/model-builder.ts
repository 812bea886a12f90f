/**
 * Builds ModuleModels by hand for the policy tests, in either origin: 'wat' models get spans that point
 * into a synthetic text, 'binary' models get byte-offset spans and section info, as the real producers do.
 */
import { emptyModel, type ExternKind, type Feature, type Limits, type ModuleModel } from '../../../server/src/engine/model';
import type { Span } from '../../../server/src/engine/span';

export type Origin = ModuleModel['origin'];
export const ORIGINS: Origin[] = ['wat', 'binary'];

export function limits(min: number, max?: number, extra: Partial<Limits> = {}): Limits {
  return { min, ...(max !== undefined && { max }), shared: false, index64: false, pageSizeLog2: 16, ...extra };
}

export class ModelBuilder {
  readonly model: ModuleModel;
  private cursor: number;

  constructor(readonly origin: Origin) {
    this.cursor = origin === 'wat' ? 8 : 8; // after `(module ` or the 8-byte header
    this.model = emptyModel(origin, { start: 0, end: 100_000 });
  }

  /** A fresh span of `len` units (text or bytes), past every earlier one. */
  next(len = 10): Span {
    const s = { start: this.cursor, end: this.cursor + len };
    this.cursor += len + 1;
    return s;
  }

  import(module: string, name: string, kind: ExternKind = 'func', lim?: Limits): this {
    const index = this.model.imports.filter((i) => i.kind === kind).length;
    const span = this.next(module.length + name.length + 20);
    this.model.imports.push({ module, name, kind, index, span, ...(lim && { limits: lim }) });
    if (kind === 'memory' && lim) {
      this.model.memories.push({ index, limits: lim, imported: { module, name }, span, limitsSpan: { start: span.end - 4, end: span.end - 1 } });
    }
    if (kind === 'table' && lim) {
      this.model.tables.push({ index, limits: lim, refType: 'funcref', imported: { module, name }, span });
    }
    if (kind === 'func') this.model.funcs.push({ index, imported: { module, name }, span });
    return this;
  }

  /** An imported memory the model lists only among the imports (no MemoryEntry). */
  importOnly(module: string, name: string, kind: 'memory' | 'table', lim: Limits): this {
    const index = this.model.imports.filter((i) => i.kind === kind).length;
    this.model.imports.push({ module, name, kind, index, span: this.next(30), limits: lim });
    return this;
  }

  memory(lim: Limits): this {
    const span = this.next(20);
    this.model.memories.push({ index: this.model.memories.length, limits: lim, span, limitsSpan: { start: span.start + 8, end: span.end - 1 } });
    return this;
  }

  table(lim: Limits): this {
    const span = this.next(20);
    this.model.tables.push({ index: this.model.tables.length, limits: lim, refType: 'funcref', span, limitsSpan: { start: span.start + 7, end: span.end - 9 } });
    return this;
  }

  func(): this {
    this.model.funcs.push({ index: this.model.funcs.length, span: this.next(15) });
    return this;
  }

  export(name: string, kind: ExternKind = 'func', index = 0): this {
    const span = this.next(name.length + 20);
    this.model.exports.push({ name, kind, index, span, nameSpan: { start: span.start + 8, end: span.start + 10 + name.length } });
    return this;
  }

  start(func = 0): this {
    this.model.start = { func, span: this.next(9) };
    return this;
  }

  custom(name: string, size: number): this {
    this.model.customSections.push({ name, size, span: this.next(size + name.length + 2) });
    return this;
  }

  features(...f: Feature[]): this {
    this.model.features.push(...f);
    return this;
  }

  build(): ModuleModel {
    if (this.origin === 'binary') this.model.byteLength = this.cursor;
    this.model.span = { start: 0, end: this.cursor + 1 };
    return this.model;
  }
}

export function model(origin: Origin): ModelBuilder {
  return new ModelBuilder(origin);
}
