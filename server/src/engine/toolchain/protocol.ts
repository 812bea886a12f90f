/**
 * The messages between the toolchain client (parent) and the toolchain worker (child process).
 * Sent over the IPC channel with `serialization: 'advanced'`, so Uint8Arrays travel as bytes.
 */
import type { WabtStage } from './wabt-messages';

export type OptimizeLevel = 'O1' | 'O2' | 'O3' | 'O4' | 'Os' | 'Oz';

/** One failure reported by a tool, before it is mapped to spans by the parent. */
export interface ToolFailure {
  tool: 'wabt' | 'binaryen';
  stage: WabtStage;
  message: string;
}

export interface BinaryenVerdict {
  /** binaryen could read/parse the module */
  read: boolean;
  valid: boolean;
  /** validator messages (one per `[wasm-validator error ...]`) or the read error */
  messages: string[];
}

export interface ValidateResultRaw {
  /** `skipped`: wabt was not run (secondOpinion 'instead'); binaryen's verdict is the only one */
  wabt: { ok: boolean; failure?: ToolFailure; skipped?: boolean };
  binaryen?: BinaryenVerdict;
}

export interface CompileResultRaw {
  bytes?: Uint8Array;
  failure?: ToolFailure;
}

export interface DisassembleResultRaw {
  text?: string;
  failure?: ToolFailure;
  /** set when wabt could not read the module and binaryen printed it instead */
  via?: 'binaryen';
  wabtFailure?: ToolFailure;
}

export interface OptimizeResultRaw {
  bytes?: Uint8Array;
  failure?: ToolFailure;
  funcsBefore?: number;
  funcsAfter?: number;
}

export interface Requests {
  /** secondOpinion 'instead': binaryen only (a text nested too deeply for wabt's parser, see wat/nesting.ts) */
  'validate-wat': { payload: { text: string; secondOpinion: 'on-failure' | 'on-read-failure' | 'instead' }; result: ValidateResultRaw };
  'validate-wasm': { payload: { bytes: Uint8Array; secondOpinion: 'on-failure' | 'on-read-failure' }; result: ValidateResultRaw };
  'compile-wat': { payload: { text: string; debugNames: boolean }; result: CompileResultRaw };
  disassemble: { payload: { bytes: Uint8Array; foldExprs: boolean; inlineExport: boolean }; result: DisassembleResultRaw };
  /** the engine's printer, .wasm file -> WAT file (streamed), off the caller's thread (see operations/disassemble.ts) */
  'print-file': {
    payload: { input: string; output: string; foldExprs: boolean; offsets: boolean };
    result: { diagnostics: import('../diagnostic').EngineDiagnostic[]; printed: boolean; chars: number };
  };
  optimize: {
    payload: { bytes: Uint8Array; level: OptimizeLevel; stripDebug: boolean; stripProducers: boolean };
    result: OptimizeResultRaw;
  };
  /** answers with the worker's pid and which libraries it has loaded (tests, diagnostics) */
  ping: { payload: Record<string, never>; result: { pid: number; loaded: string[] } };
}

export type Op = keyof Requests;

export interface RequestMessage<K extends Op = Op> {
  id: number;
  op: K;
  payload: Requests[K]['payload'];
}

/** `retire`: the worker exits after this answer (a library aborted); do not send it more work. */
export type ResponseMessage =
  | { id: number; ok: true; result: unknown; retire?: boolean }
  | { id: number; ok: false; error: string; retire?: boolean };
