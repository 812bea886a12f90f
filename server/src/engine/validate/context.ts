/**
 * What the validator knows of a module when it checks code: the index spaces and their types, built
 * by the module validator from the sections before the code (see module-validator.ts).
 */
import type { TypeSpace } from './types';

export interface TableInfo {
  /** element reference type */
  elem: number;
  /** address type: I32, or I64 for table64 */
  at: number;
}

export interface MemoryInfo {
  /** address type: I32, or I64 for memory64 */
  at: number;
}

export interface GlobalInfo {
  type: number;
  mutable: boolean;
}

export interface ModuleContext {
  types: TypeSpace;
  /** type index of every function (imports first) */
  funcs: number[];
  tables: TableInfo[];
  memories: MemoryInfo[];
  globals: GlobalInfo[];
  /** type index of every tag */
  tags: number[];
  /** reference type of every element segment */
  elems: number[];
  /** the data count section's value; undefined without one */
  dataCount: number | undefined;
  /** functions declared for `ref.func` (referenced outside function bodies) */
  refs: Set<number>;
  /** number of imported globals (constant expressions of global initialisers see only earlier globals) */
  importedGlobals: number;
}

/** A validation or decoding problem at a byte offset. */
export interface CodeFinding {
  offset: number;
  message: string;
  /** the bytes are malformed (not merely ill-typed) */
  malformed: boolean;
  /** the mnemonic of the instruction at fault, when the finding is about one */
  instruction?: string;
}
