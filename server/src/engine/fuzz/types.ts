/** The fuzzer's inputs, findings and progress (see docs/sandbox.md, Fuzzing). Plain data: they cross threads and processes. */

export type NumType = 'i32' | 'i64' | 'f32' | 'f64';

/** One exported function the fuzzer calls: its name and parameter types (numeric only). */
export interface FuzzTarget {
  export: string;
  params: NumType[];
  /** its result types (any: a target with a result other than a number is called from JavaScript, not by the driver) */
  results?: string[];
}

/** An argument as data: integers in decimal, floats by their bits (hex), so NaN payloads survive JSON. */
export interface ArgValue {
  type: NumType;
  /** decimal for integers; for floats the value as JavaScript writes it (NaN, Infinity, -0 as "-0") */
  value: string;
  /** floats: the IEEE bits in hex (8 or 16 digits) */
  bits?: string;
}

export interface ExportInput {
  kind: 'export';
  export: string;
  args: ArgValue[];
}

export interface CommandInput {
  kind: 'command';
  /** argv[1..] (argv[0] is the module's name) */
  argv: string[];
  env: Record<string, string>;
  /** base64 */
  stdin: string;
  /** files put in the scratch mount (`/scratch`) before the run; data in base64 */
  files: { name: string; data: string }[];
}

export type FuzzInput = ExportInput | CommandInput;

export type FindingKind = 'trap' | 'timeout' | 'memory' | 'output' | 'violation';

export interface FuzzFinding {
  kind: 'wasm-warden-fuzz-finding';
  version: 1;
  /** the module, as given */
  module: string;
  cause: {
    kind: FindingKind;
    /** what distinguishes it from other findings (e.g. `trap:divide-by-zero@div`) */
    key: string;
    detail: string;
    /** wasm function names, innermost first (traps and timeouts) */
    stack?: string[];
  };
  seed: number;
  /** the execution (0-based) that found it */
  exec: number;
  /** the input, minimised (the cause still happens with it) */
  input: FuzzInput;
  /** the input as first found */
  original: FuzzInput;
  /** where it was written (set by the operation) */
  file?: string;
}

export interface FuzzProgress {
  execs: number;
  execsPerSec: number;
  elapsedMs: number;
  /** sites (function entries and loop headers) reached so far / in the module */
  coverage: { sites: number; covered: number; functions: number; functionsCovered: number };
  corpus: number;
  findings: number;
}

/** What the sandbox's guest thread needs to fuzz (SandboxOptions.fuzz). */
export interface FuzzPlan {
  seed: number;
  /** stop after this many executions (undefined: until the time budget) */
  maxExecs?: number;
  /** time budget of the fuzzing loop, ms */
  durationMs: number;
  /** instruction budget of one execution; past it the input is a `timeout` finding */
  fuelPerExec: number;
  /** stdout plus stderr of one execution past which it is an `output` finding */
  maxOutputPerExec: number;
  /** exports mode: the functions to call; command mode: absent */
  targets?: FuzzTarget[];
  /** command mode: host folder mounted as the guest's `/scratch` (fresh files per execution) */
  scratchHost?: string;
  /** command mode: a host folder outside the mounts for the stdin file */
  stdinHost?: string;
  /** constants and strings found in the module (dictionary.ts) */
  dictionary: { numbers: string[]; strings: string[] };
  /** replay: run exactly this input once (no generation, no minimisation) */
  replay?: FuzzInput;
}
