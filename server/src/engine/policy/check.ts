/**
 * Checking a module against a policy, deriving a policy from modules, and the JSON edits quick fixes
 * apply to a policy file.
 */
import { applyEdits, modify, type Edit } from 'jsonc-parser';
import type { EngineDiagnostic } from '../diagnostic';
import type { ModuleModel } from '../model';
import { memoryMaxBytes, memoryMinBytes } from '../model';
import type { Span } from '../span';
import { describeImport, WASI_CAPABILITIES, WASI_PREVIEW1_FUNCTIONS, WASI_PREVIEW1_MODULES, type WasiCapability } from '../wasi';
import { DEFAULT_POLICY, FEATURES, type EffectivePolicy, type Policy, type RuleSeverity } from './definition';
import { escapeGlob, firstMatch, matchGlob } from './glob';
import { effectivePolicy, parsePolicy } from './load';
import { RULES, type PolicyRule, type RuleContext, type RuleFinding } from './rules';
import { keepLatest } from '../jit';
import { limitedItems, moduleHeadSpan } from './rules/helpers';
import { mergeImportFindings } from './merge-import-findings';
import { checkNestedModules } from './nested-modules';
import { describeComponentExtern, toolchainNote } from '../component/wasi-catalog';

export { ruleDocPath } from './rules';

export interface CheckExtra {
  bytes?: Uint8Array;
  filePath?: string;
  policyDir?: string;
  approvals?: RuleContext['approvals'];
}

/** Runs every registered rule; severities come from `policy.rules` (`off` skips the rule). */
export function checkModel(model: ModuleModel, policy: EffectivePolicy, extra: CheckExtra = {}): EngineDiagnostic[] {
  const component = model.kind === 'component';
  const out: EngineDiagnostic[] = [];
  const ctx: RuleContext = { model, policy, bytes: extra.bytes, filePath: extra.filePath, policyDir: extra.policyDir, approvals: extra.approvals };
  keepLatest('rule context', ctx);
  for (const { rule, severity, run } of rulesToRun(policy, component)) {
    let findings;
    try {
      findings = run(ctx);
    } catch (err) {
      out.push({
        code: 'policy-rule-crashed',
        severity: 'error',
        message: `Rule ${rule.id} failed on this module: ${(err as Error)?.message ?? String(err)}`,
        span: moduleHeadSpan(model),
        source: 'policy',
        data: { rule: rule.id },
      });
      continue;
    }
    for (const f of findings) {
      // by assignment: no temporary objects spread in
      const d: EngineDiagnostic = { code: rule.id, severity, message: f.message, span: f.span, source: 'policy' };
      if (f.related) d.related = f.related;
      if (f.data) d.data = f.data;
      out.push(d);
    }
  }
  const merged = mergeImportFindings(out);
  if (!component) return merged;
  for (const d of merged) if (d.data?.toolchain === true && d.data.componentImport) d.message += toolchainNote(String(d.data.componentImport));
  if (policy.imports?.nestedModules === true) merged.push(...checkNestedModules(model, policy, extra));
  return merged;
}

interface PlannedRule {
  rule: PolicyRule;
  severity: Exclude<RuleSeverity, 'off'>;
  run: (ctx: RuleContext) => RuleFinding[];
}

/**
 * The rules a policy runs on a module or a component, with their severities: worked out once per
 * effective policy (they are frozen and shared by every file they govern, see effectivePolicy), not per
 * check: 32 keyed lookups of rule ids in `policy.rules` took a tenth of a check. Rules `off` are left
 * out, and so are the code rules while `code.scan` is off (they find nothing without the code analysis).
 */
function rulesToRun(policy: EffectivePolicy, component: boolean): readonly PlannedRule[] {
  const frozen = Object.isFrozen(policy) && (policy.rules === undefined || Object.isFrozen(policy.rules)) && (policy.code === undefined || Object.isFrozen(policy.code));
  let plans = frozen ? planned.get(policy) : undefined;
  if (!plans) {
    plans = { module: planRules(policy, false), component: planRules(policy, true) };
    if (frozen) planned.set(policy, plans);
  }
  return component ? plans.component : plans.module;
}
const planned = new WeakMap<EffectivePolicy, { module: readonly PlannedRule[]; component: readonly PlannedRule[] }>();

function planRules(policy: EffectivePolicy, component: boolean): PlannedRule[] {
  const out: PlannedRule[] = [];
  for (const rule of RULES) {
    const severity = policy.rules?.[rule.id] ?? rule.defaultSeverity;
    if (severity === 'off') continue;
    if (rule.readsCode && policy.code?.scan !== true) continue;
    // components: the rules that apply to them, over their imports and exports (rule.ts)
    const run = !component ? rule.check : rule.component === 'same' ? rule.check : rule.component;
    if (run) out.push({ rule, severity, run });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Baseline

/** A policy that allows exactly what the given modules use (and nothing they do not). */
export function baselinePolicy(models: ModuleModel[]): Policy {
  const imports = new Set<string>();
  const groups = new Set<WasiCapability>();
  let unknownWasi = false;
  let maxMemBytes = 0;
  let allBounded = true;
  let shared = false;
  let mem64 = false;
  let maxMemories = 0;
  let maxElements = 0;
  let allTablesBounded = true;
  let memoryExport = false;
  let tableExport = false;
  let start = false;
  let maxCustom = 0;
  const features = new Set<string>();
  for (const m of models) {
    for (const imp of m.imports) {
      imports.add(escapeGlob(`${imp.module}.${imp.name}`));
      const info = describeImport(imp.module, imp.name);
      if (info.capability) groups.add(info.capability);
      else if (info.wasi) unknownWasi = true;
    }
    // a component: its own imports by name (versions included), and the groups they need
    for (const [list, exported] of [[m.component?.imports ?? [], false], [m.component?.exports ?? [], true]] as const) {
      for (const ext of list) {
        if (!exported) imports.add(escapeGlob(ext.name));
        const info = describeComponentExtern(ext, exported);
        for (const c of info.capabilities) groups.add(c);
        if (info.wasi && !info.known) unknownWasi = true;
      }
    }
    const memories = limitedItems(m, 'memory');
    maxMemories = Math.max(maxMemories, memories.length);
    for (const mem of memories) {
      if (mem.limits.max === undefined) allBounded = false;
      maxMemBytes = Math.max(maxMemBytes, memoryMaxBytes(mem.limits) ?? memoryMinBytes(mem.limits));
      shared ||= mem.limits.shared;
      mem64 ||= mem.limits.index64;
    }
    for (const t of limitedItems(m, 'table')) {
      if (t.limits.max === undefined) allTablesBounded = false;
      maxElements = Math.max(maxElements, t.limits.max ?? t.limits.min);
    }
    memoryExport ||= m.exports.some((e) => e.kind === 'memory');
    tableExport ||= m.exports.some((e) => e.kind === 'table');
    start ||= m.start !== undefined;
    for (const s of m.customSections) maxCustom = Math.max(maxCustom, s.size);
    for (const f of m.features) features.add(f);
  }
  const wasi = Object.fromEntries(WASI_CAPABILITIES.map((g) => [g, groups.has(g)])) as Record<WasiCapability, boolean>;
  return {
    imports: { allow: [...imports].sort(), deny: [], wasi: { ...wasi, unknown: unknownWasi } },
    memory: {
      maxBytes: maxMemBytes,
      requireMaximum: allBounded,
      allowShared: shared,
      allowMemory64: mem64,
      maxMemories,
    },
    tables: { maxElements, requireMaximum: allTablesBounded },
    exports: { required: [], forbidden: [], allowMemoryExport: memoryExport, allowTableExport: tableExport },
    startFunction: { allowed: start },
    customSections: { forbidden: [], required: [], maxBytes: maxCustom },
    features: { deny: FEATURES.filter((f) => !features.has(f)) },
  };
}

// ---------------------------------------------------------------------------------------------
// Edits of the policy text

export interface TextEdit {
  span: Span;
  newText: string;
}

const FORMAT = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } };

/** The text of a new policy file holding the default policy. */
export function defaultPolicyText(): string {
  const { sandbox: _sandbox, monitor: _monitor, overrides: _overrides, integrity: _integrity, ...rest } = DEFAULT_POLICY;
  return JSON.stringify(rest, null, 2) + '\n';
}

/**
 * Edits that make the policy allow the import `module.name`: drop deny entries naming exactly it, add it
 * to `imports.allow` when there is an allow list that misses it, and switch on its WASI group (or
 * `imports.wasi.unknown` for an unknown `wasi*` import) when that is off. A deny glob that still matches
 * is left for the user: deny wins. Empty text: the default policy with those changes.
 */
export function allowImportEdit(policyText: string, module: string, name: string): TextEdit[] {
  return editPolicy(policyText, (text, policy) => {
    const full = `${module}.${name}`;
    const exact = new Set([full, escapeGlob(full)]);
    const deny = policy.imports?.deny ?? [];
    // remove from the end so the indices stay right
    for (let i = deny.length - 1; i >= 0; i--) {
      if (exact.has(deny[i])) {
        text = apply(text, modify(text, ['imports', 'deny', i], undefined, FORMAT));
        continue;
      }
      // a WASI glob (`wasi_snapshot_preview1.path_*`) that denies it: narrowed to the other catalog
      // functions it denies, by name, so this one import is allowed and the rest stay denied
      const narrowed = matchGlob(deny[i], full, 'name') ? narrowWasiDeny(deny[i], module, name) : undefined;
      if (narrowed !== undefined) {
        text = apply(text, modify(text, ['imports', 'deny', i], narrowed === '' ? undefined : narrowed, FORMAT));
      }
    }
    const allow = policy.imports?.allow;
    if (allow && firstMatch(allow, full, 'name') === undefined) {
      text = apply(text, modify(text, ['imports', 'allow', -1], escapeGlob(full), { ...FORMAT, isArrayInsertion: true }));
    }
    const effective = effectivePolicy(policy, '');
    const info = describeImport(module, name);
    const key = info.capability ?? (info.wasi && !info.known ? 'unknown' : undefined);
    if (key && effective.imports?.wasi?.[key] === false) {
      text = apply(text, modify(text, ['imports', 'wasi', key], true, FORMAT));
      // switching the group on for one import: its other preview1 functions stay denied, by name
      const others = info.known && info.capability ? Object.keys(WASI_PREVIEW1_FUNCTIONS).filter((n) => n !== name && WASI_PREVIEW1_FUNCTIONS[n].capability === info.capability) : [];
      if (others.length) {
        const names = others.length === 1 ? escapeGlob(others[0]) : `{${others.map(escapeGlob).join(',')}}`;
        text = apply(text, modify(text, ['imports', 'deny', -1], `{${WASI_PREVIEW1_MODULES.join(',')}}.${names}`, { ...FORMAT, isArrayInsertion: true }));
      }
    }
    return text;
  });
}

/**
 * A deny glob over one WASI preview1 module, without `name`: the other catalog functions it denies as
 * `module.{a,b,...}` ('' when it denied only `name`). Undefined when the glob is not of that form (its
 * module part is a glob, or the module is not WASI preview1): no import can then be singled out.
 */
function narrowWasiDeny(pattern: string, module: string, name: string): string | undefined {
  if (!(WASI_PREVIEW1_MODULES as readonly string[]).includes(module)) return undefined;
  const prefix = `${escapeGlob(module)}.`;
  if (!pattern.startsWith(prefix)) return undefined;
  const others = Object.keys(WASI_PREVIEW1_FUNCTIONS).filter((n) => n !== name && matchGlob(pattern, `${module}.${n}`, 'name'));
  if (others.length === 0) return '';
  return others.length === 1 ? `${prefix}${escapeGlob(others[0])}` : `${prefix}{${others.map(escapeGlob).join(',')}}`;
}

/** Edits that set `rules.<ruleId>` to `severity`. */
export function setRuleSeverityEdit(policyText: string, ruleId: string, severity: RuleSeverity): TextEdit[] {
  return editPolicy(policyText, (text) => apply(text, modify(text, ['rules', ruleId], severity, FORMAT)));
}

/**
 * Runs `change` over the text (the default policy text when it is blank) and returns one edit
 * replacing the part that changed. Text that is not a valid JSON object yields no edits.
 */
function editPolicy(policyText: string, change: (text: string, policy: Policy) => string): TextEdit[] {
  const blank = policyText.trim() === '';
  const start = blank ? defaultPolicyText() : policyText;
  const parsed = parsedForEdit(start);
  if (!parsed.policy) return [];
  const after = change(start, parsed.policy);
  if (blank) return [{ span: { start: 0, end: policyText.length }, newText: after }];
  return after === policyText ? [] : [minimalEdit(policyText, after)];
}

/**
 * parsePolicy with the last answer kept: one code action request offers several edits of the same
 * policy text per diagnostic, and a policy can be up to 1 MiB.
 */
function parsedForEdit(text: string): ReturnType<typeof parsePolicy> {
  if (lastParsed?.text !== text) lastParsed = { text, parsed: parsePolicy(text) };
  return lastParsed.parsed;
}
let lastParsed: { text: string; parsed: ReturnType<typeof parsePolicy> } | undefined;

function apply(text: string, edits: Edit[]): string {
  return applyEdits(text, edits);
}

function minimalEdit(before: string, after: string): TextEdit {
  let s = 0;
  while (s < before.length && s < after.length && before[s] === after[s]) s++;
  let eb = before.length;
  let ea = after.length;
  while (eb > s && ea > s && before[eb - 1] === after[ea - 1]) {
    eb--;
    ea--;
  }
  return { span: { start: s, end: eb }, newText: after.slice(s, ea) };
}
