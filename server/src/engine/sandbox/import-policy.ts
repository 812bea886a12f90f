/**
 * What a run does with a module's imports. Decided before the run, where the policy is known
 * (planImports, called by operations/run.ts), and applied when the guest is linked (ImportLinker, in
 * guest.ts, inside the sandbox process):
 *
 * - Imports the policy denies (the findings of the import rules at severity error, exactly as the
 *   diagnostics report them) are linked to a function that records an `import-denied` violation and traps
 *   (`denied-import`) when the guest calls it, unless the user allowed them for this one run.
 * - Imports the sandbox cannot provide (anything but WASI preview1 functions and a memory: emscripten's
 *   `env.*`, wasm-bindgen's `__wbindgen_*`) refuse the run before it starts, with one message; or, when the
 *   user asks, are linked to generated stubs (`trap`: a call traps with `stub-called`; `zero`: a call returns
 *   zero of its result types; globals are zero, tables empty), as `wasmtime --trap-unknown-imports` and
 *   `--default-values-unknown-imports` do.
 */
import type { ModuleModel } from '../model';
import type { EffectivePolicy } from '../policy/definition';
import { RULES } from '../policy/rules';
import { PREVIEW1_FUNCTIONS, WASI_MODULE } from './wasi/constants';

/** The rules whose findings deny an import (at severity error). */
const IMPORT_RULES = new Set(['import-not-allowed', 'wasi-capability-denied', 'unknown-wasi-import']);

export type StubMode = 'trap' | 'zero';
export const STUB_MODES: readonly StubMode[] = ['trap', 'zero'];

export interface DeniedImport {
  module: string;
  name: string;
  kind: string;
  /** the diagnostics' messages: why the policy denies it */
  reasons: string[];
}

/** An import linked to a generated stub; what the stub needs to be made. */
export interface ImportStub {
  module: string;
  name: string;
  kind: 'function' | 'global' | 'table';
  mode: StubMode;
  /** functions: result types (i32, i64, f32, f64, v128, funcref, externref) */
  results?: string[];
  /** globals: value type and mutability */
  global?: { valType: string; mutable: boolean };
  /** tables: element type and limits */
  table?: { refType: string; min: number; max?: number };
}

/** The imports of a module as a run treats them (in the run's result, and said before the run). */
export interface ImportPlan {
  /** imports the policy denies */
  denied: DeniedImport[];
  /** the user allowed the denied imports for this run: they are linked as usual */
  deniedAllowed: boolean;
  /** imports the sandbox cannot provide, as `module.name (kind)` */
  unlinkable: string[];
  /** the toolchain the unlinkable imports look like (emscripten, wasm-bindgen, Go, AssemblyScript) */
  toolchain?: string;
  /** stubs linked for the unlinkable imports (with stubImports) */
  stubs: ImportStub[];
  /** set when the run cannot go ahead: the unlinkable imports and no stubs asked for, or imports no stub can stand for */
  refusal?: string;
}

export interface ImportPlanOptions {
  /** link the policy-denied imports as usual, this once */
  allowDenied?: boolean;
  /** link the unlinkable imports to generated stubs */
  stubImports?: StubMode;
}

const PROVIDED = new Set<string>(PREVIEW1_FUNCTIONS);

/** An import's kind as the JS API names it ('function'), whichever way it is given (the model's 'func'). */
function kindName(kind: string): string {
  return kind === 'func' ? 'function' : kind;
}

/**
 * A map key for an import: its module and name, unambiguous. Names are any UTF-8, NUL included, so a
 * joined `module\0name` let `"env\0x"."y"` and `"env"."x\0y"` share an entry (a denied global was then
 * planned as a function and linked to a stub).
 */
export function importKey(module: string, name: string): string {
  return JSON.stringify([module, name]);
}

/** True when the sandbox links this import itself: a WASI preview1 function, or a memory. */
export function sandboxProvides(module: string, name: string, kind: string): boolean {
  return kind === 'memory' || (kindName(kind) === 'function' && module === WASI_MODULE && PROVIDED.has(name));
}

/** The imports `model` has that `policy` denies: the import rules' findings at severity error, one entry per import. */
export function deniedImports(model: ModuleModel, policy: EffectivePolicy): DeniedImport[] {
  if (model.kind === 'component') return [];
  const byKey = new Map<string, DeniedImport>();
  const kinds = new Map(model.imports.map((i) => [importKey(i.module, i.name), kindName(i.kind)]));
  for (const rule of RULES) {
    if (!IMPORT_RULES.has(rule.id)) continue;
    if ((policy.rules?.[rule.id] ?? rule.defaultSeverity) !== 'error') continue;
    let findings;
    try {
      findings = rule.check({ model, policy });
    } catch {
      continue; // reported by the diagnostics (policy-rule-crashed); the run goes on without it
    }
    for (const f of findings) {
      const module = f.data?.module;
      const name = f.data?.name;
      if (typeof module !== 'string' || typeof name !== 'string') continue;
      const key = importKey(module, name);
      const entry = byKey.get(key) ?? { module, name, kind: kinds.get(key) ?? 'function', reasons: [] };
      if (!entry.reasons.includes(f.message)) entry.reasons.push(f.message);
      byKey.set(key, entry);
    }
  }
  return [...byKey.values()];
}

/** A guess at the host a module was built for, from the names of the imports the sandbox cannot provide. */
export function toolchainOf(imports: readonly { module: string; name: string }[]): string | undefined {
  if (imports.some((i) => /^__wbindgen|^__wbg_/.test(i.name) || /^__wbindgen_placeholder__$|^wbg$/.test(i.module))) return 'wasm-bindgen (JavaScript)';
  if (imports.some((i) => i.module === 'env' && /^(emscripten_|__syscall_|_emscripten_|invoke_|__cxa_|_embind_)/.test(i.name))) return 'emscripten (JavaScript)';
  if (imports.some((i) => i.module === 'go' || i.module === 'gojs')) return "Go's js/wasm (JavaScript)";
  if (imports.some((i) => i.module === 'env' && i.name === 'abort') && imports.every((i) => i.module === 'env' && /^(abort|trace|seed)$/.test(i.name))) return 'AssemblyScript';
  if (imports.some((i) => i.module === 'wasi_unstable')) return 'WASI preview0 (wasi_unstable), which the sandbox does not implement';
  return undefined;
}

function listed(items: readonly string[], max = 3): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** Decides, before the run, what happens to each import of `model` (see the file comment). */
export function planImports(model: ModuleModel, policy: EffectivePolicy, options: ImportPlanOptions = {}): ImportPlan {
  const denied = deniedImports(model, policy);
  const deniedAllowed = options.allowDenied === true;
  const missing = model.kind === 'component' ? [] : model.imports.filter((i) => !sandboxProvides(i.module, i.name, i.kind));
  const unlinkable = missing.map((i) => `${i.module}.${i.name} (${kindName(i.kind)})`);
  const toolchain = missing.length ? toolchainOf(missing) : undefined;
  const plan: ImportPlan = { denied, deniedAllowed, unlinkable, stubs: [], ...(toolchain && { toolchain }) };
  // a function with a v128 parameter or result cannot reach the host function that records the call: the
  // engine refuses the call before it (a host-error trap, no import-denied violation), so it is not stoppable either
  const v128 = new Set(model.kind === 'component' ? [] : model.imports.filter((i) => i.sig && [...i.sig.params, ...i.sig.results].includes('v128')).map((i) => importKey(i.module, i.name)));
  const notCallable = deniedAllowed
    ? []
    : denied.filter((d) => d.kind !== 'function' || v128.has(importKey(d.module, d.name))).map((d) => `${d.module}.${d.name} (${d.kind === 'function' ? 'function with a v128 value' : d.kind})`);
  if (notCallable.length) {
    // a call can trap; a use of a memory, table or global cannot be stopped the same way
    plan.refusal = `the policy denies ${listed(notCallable)}, which is not a function the run could stop at: it can only run with the denied imports allowed.`;
    return plan;
  }
  if (!missing.length) return plan;
  const builtFor = toolchain ? ` It looks built for ${toolchain}.` : '';
  if (!options.stubImports) {
    plan.refusal =
      `the module has ${missing.length} import${missing.length === 1 ? '' : 's'} the sandbox does not provide (it provides WASI preview1 functions ` +
      `and a memory): ${listed(unlinkable)}.${builtFor} It can run with generated stubs for them: calls that trap, or that return zero.`;
    return plan;
  }
  const unstubbable: string[] = [];
  for (const i of missing) {
    const base = { module: i.module, name: i.name, mode: options.stubImports };
    // a v128 cannot cross to or from JavaScript: no host function or global can stand for one
    if (i.kind === 'func' && i.sig && ![...i.sig.params, ...i.sig.results].includes('v128')) plan.stubs.push({ ...base, kind: 'function', results: [...i.sig.results] });
    else if (i.kind === 'global' && i.globalType && i.globalType.valType !== 'v128') plan.stubs.push({ ...base, kind: 'global', global: { ...i.globalType } });
    else if (i.kind === 'table' && i.limits) {
      plan.stubs.push({ ...base, kind: 'table', table: { refType: i.refType ?? 'funcref', min: Number(i.limits.min), ...(i.limits.max !== undefined && { max: Number(i.limits.max) }) } });
    } else unstubbable.push(`${i.module}.${i.name} (${kindName(i.kind)})`);
  }
  if (unstubbable.length) {
    plan.refusal = `the module imports ${listed(unstubbable)}, which the sandbox does not provide and cannot stub (only functions, globals and tables can be, and none with a v128 value).${builtFor}`;
  }
  return plan;
}

/** What a call to a denied import or a trapping stub throws: the run ends as a trap of this kind. */
export class ImportTrap extends Error {
  constructor(readonly kind: 'denied-import' | 'stub-called', message: string) {
    super(message);
  }
}

/** A zero of a wasm value type, as the JS API takes it. */
function zeroOf(type: string): unknown {
  if (type === 'i64') return 0n;
  if (type === 'funcref' || type === 'externref' || type.endsWith('ref') || type.startsWith('(ref')) return null;
  return 0;
}

const WA = (globalThis as unknown as { WebAssembly: any }).WebAssembly;

/**
 * The link side, in the sandbox process: the functions and stubs the plan's options name. `violation`
 * records a sandbox violation (the monitor's).
 */
export class ImportLinker {
  private readonly denied = new Map<string, { module: string; name: string }>();
  private readonly stubs = new Map<string, ImportStub>();

  constructor(
    options: { deniedImports?: readonly { module: string; name: string }[]; importStubs?: readonly ImportStub[] },
    private readonly violation: (kind: string, detail: string) => void,
  ) {
    for (const d of options.deniedImports ?? []) this.denied.set(importKey(d.module, d.name), d);
    for (const s of options.importStubs ?? []) this.stubs.set(importKey(s.module, s.name), s);
  }

  /** For an import the policy denies: a function that records the violation and traps; else undefined. */
  deniedFunction(module: string, name: string): ((...args: unknown[]) => never) | undefined {
    if (!this.denied.has(importKey(module, name))) return undefined;
    const what = `${module}.${name}`;
    return () => {
      this.violation('import-denied', `the guest called ${what}, which the policy denies`);
      throw new ImportTrap('denied-import', `called ${what}, which the policy denies`);
    };
  }

  /**
   * The stub to link for an import the sandbox does not provide, or undefined when none was asked for.
   * `tableMax`: for a table, the import's maximum as the sandbox's table cap rewrote it (table-limit.ts).
   */
  stub(module: string, name: string, tableMax?: number): unknown {
    const s = this.stubs.get(importKey(module, name));
    if (!s) return undefined;
    const what = `${module}.${name}`;
    if (s.kind === 'global') {
      const type = s.global!.valType;
      return new WA.Global({ value: type === 'funcref' ? 'anyfunc' : type, mutable: s.global!.mutable }, zeroOf(type));
    }
    if (s.kind === 'table') {
      const t = s.table!;
      return new WA.Table({ element: t.refType === 'externref' ? 'externref' : 'anyfunc', initial: t.min, ...((tableMax ?? t.max) !== undefined && { maximum: tableMax ?? t.max }) });
    }
    if (s.mode === 'trap') {
      return () => {
        throw new ImportTrap('stub-called', `called ${what}, a generated stub (the sandbox does not provide it)`);
      };
    }
    const results = s.results ?? [];
    if (results.length === 0) return () => undefined;
    if (results.length === 1) {
      const zero = zeroOf(results[0]);
      return () => zero;
    }
    return () => results.map(zeroOf);
  }
}
