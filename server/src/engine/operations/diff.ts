/**
 * The `diff` operation: what changed from one version of a module (OLD) to another (NEW), for a reviewer
 * and for a CI gate. Imports and their WASI capability groups, memory and table limits, exports,
 * features, the start function, custom sections, signers, size per section, and the findings NEW has
 * that OLD did not (both checked under NEW's policy, so a finding is new because the module changed,
 * not the policy). Plain data for the CLI (text, JSON, SARIF) and the side-by-side panel.
 */
import * as path from 'path';
import { capabilitySummary, compareCapabilities, type CapabilityChange, type CapabilitySummary } from '../approvals/capabilities';
import { sha256 } from '../approvals/approval-store';
import type { EngineDiagnostic } from '../diagnostic';
import { listSignatures, loadTrustedKeys } from '../signing';
import type { PolicyStore, ResolvedPolicy } from '../policy/store';
import { checkFile, sourceKindOf } from './check';
import { locateFindings, severityRank, type Finding } from './findings';
import { readBytes } from './output';
import { ApprovalError } from './approve';
import { approvedBytes } from './rollback';

/** One side of the comparison. */
export interface ModuleFacts {
  file: string;
  kind: 'wat' | 'wast' | 'wasm';
  /** binaries: file size and SHA-256 */
  byteLength?: number;
  sha256?: string;
  capabilities: CapabilitySummary;
  /** `name (kind)`, in the module's order */
  exports: string[];
  customSections: { name: string; size: number }[];
  /** binaries: every section in file order (custom sections as `custom:<name>`) */
  sections: { name: string; size: number }[];
  /** signatures the module carries; `trustedKey`: the policy's key file that verifies it */
  signers: { keyId: string; algorithm: string; trustedKey?: string }[];
  findings: Finding[];
}

export interface Change {
  change: 'added' | 'removed' | 'changed';
  subject: string;
  before?: string;
  after?: string;
  text: string;
}

export interface SectionSize {
  name: string;
  before?: number;
  after?: number;
}

export interface VersionDiff {
  old: ModuleFacts;
  new: ModuleFacts;
  /** the policy both were checked under (NEW's); undefined: the built-in default */
  policyFile?: string;
  /** the same bytes (binaries) or the same text */
  identical: boolean;
  /** imports, WASI groups, memory and table limits, features, start function */
  capabilities: CapabilityChange[];
  /** true when NEW asks for more than OLD (a capability change marked `more`) */
  moreCapabilities: boolean;
  exports: Change[];
  customSections: Change[];
  signers: Change[];
  /** every section name of either side, in NEW's order then OLD's leftovers; sizes in bytes */
  sections: SectionSize[];
  /** findings of NEW that OLD does not have, and of OLD that NEW no longer has */
  findings: { new: Finding[]; resolved: Finding[] };
}

/** A problem with an input (unreadable, not a module, a component): the CLI's exit code 2. */
export class DiffInputError extends Error {}

export const GATE_CONDITIONS = ['more-capabilities', 'policy', 'any'] as const;
export type GateCondition = (typeof GATE_CONDITIONS)[number];

/** Compare two files. `store` gives NEW's policy, which both are checked under. */
export function diffFiles(oldFile: string, newFile: string, store: Pick<PolicyStore, 'policyFor'>): VersionDiff {
  const policy = store.policyFor(newFile);
  const before = factsOf(oldFile, policy);
  const after = factsOf(newFile, policy);
  return diffFacts(before, after, policy.file);
}

/**
 * Compare the last approved version of a module (its verified copy in the store beside the lock file)
 * with the module as it is now.
 */
export function diffWithApproved(file: string, store: Pick<PolicyStore, 'policyFor'>): VersionDiff & { approvedVersion: number } {
  const policy = store.policyFor(file);
  let approved;
  try {
    approved = approvedBytes(file, store);
  } catch (err) {
    if (err instanceof ApprovalError) throw new DiffInputError(err.message);
    throw err;
  }
  const before = factsOf(file, policy, approved.bytes);
  before.file = `${path.resolve(file)} (approved version ${approved.versionNumber})`;
  const after = factsOf(file, policy);
  return { ...diffFacts(before, after, policy.file), approvedVersion: approved.versionNumber };
}

function factsOf(file: string, policy: ResolvedPolicy, given?: Uint8Array): ModuleFacts & { text?: string } {
  const kind = sourceKindOf(file);
  if (!kind) throw new DiffInputError(`${file}: not a .wat, .wast or .wasm file`);
  const bytes = given ?? (kind === 'wasm' ? readBytes(file) : undefined);
  const result = checkFile(file, { policyFor: () => policy }, bytes ? { bytes } : undefined);
  const model = result.models[0];
  const read = result.wasm?.read;
  const seen = read?.diagnostics.length ?? 0;
  read?.decodeAll();
  const diagnostics: EngineDiagnostic[] = read ? [...result.diagnostics, ...read.diagnostics.slice(seen)] : result.diagnostics;
  const broken = diagnostics.find((d) => d.severity === 'error' && (d.source === 'wasm-reader' || d.source === 'wat-parser'));
  if (!model || broken) throw new DiffInputError(`${file}: not a valid WebAssembly ${kind === 'wasm' ? 'module' : 'text module'}: ${broken?.message ?? 'no module in it'}`);
  if (model.kind === 'component') throw new DiffInputError(`${file}: a component: diff compares core modules only`);
  if (result.models.length > 1) throw new DiffInputError(`${file}: a script of ${result.models.length} modules: diff compares one module`);
  const facts: ModuleFacts & { text?: string } = {
    file: path.resolve(file),
    kind,
    capabilities: capabilitySummary(model),
    exports: model.exports.map((e) => `${e.name} (${e.kind})`),
    customSections: model.customSections.map((c) => ({ name: c.name, size: c.size })),
    sections: (model.sections ?? []).map((s) => ({ name: s.name, size: s.size })),
    signers: [],
    findings: locateFindings(file, diagnostics, result.wat ? textOf(result) : undefined),
  };
  if (bytes) {
    facts.byteLength = bytes.length;
    facts.sha256 = sha256(bytes);
    const trusted = loadTrustedKeys(policy.effective.signature?.trustedKeys ?? [], policy.dir);
    const listing = listSignatures(bytes, trusted.keys);
    for (const entry of listing.entries) {
      for (const s of entry.signatures) {
        const i = s.trustedKeyIndices[0];
        facts.signers.push({ keyId: s.keyId, algorithm: s.alg, ...(i !== undefined && { trustedKey: trusted.paths[i] }) });
      }
    }
  } else {
    facts.text = textOf(result);
  }
  return facts;
}

function textOf(result: ReturnType<typeof checkFile>): string {
  return result.wat?.text ?? '';
}

/** The diff of two already-gathered sides. */
export function diffFacts(before: ModuleFacts & { text?: string }, after: ModuleFacts & { text?: string }, policyFile?: string): VersionDiff {
  const capabilities = compareCapabilities(before.capabilities, after.capabilities);
  const identical = before.sha256 !== undefined ? before.sha256 === after.sha256 : before.text !== undefined && before.text === after.text;
  const { text: _a, ...old } = before;
  const { text: _b, ...now } = after;
  return {
    old,
    new: now,
    policyFile,
    identical,
    capabilities,
    moreCapabilities: capabilities.some((c) => c.more),
    exports: setChanges(before.exports, after.exports, 'export'),
    customSections: sizeChanges(before.customSections, after.customSections, 'custom section'),
    signers: setChanges(before.signers.map(signerText), after.signers.map(signerText), 'signer'),
    sections: sectionSizes(before.sections, after.sections),
    findings: { new: unmatched(after.findings, before.findings), resolved: unmatched(before.findings, after.findings) },
  };
}

function signerText(s: ModuleFacts['signers'][number]): string {
  return `key id ${s.keyId || '(none)'} (${s.algorithm}${s.trustedKey ? `, trusted key ${s.trustedKey}` : ', no trusted key verifies it'})`;
}

function setChanges(a: string[], b: string[], what: string): Change[] {
  const A = new Set(a);
  const B = new Set(b);
  const out: Change[] = [];
  for (const x of new Set(b)) if (!A.has(x)) out.push({ change: 'added', subject: x, text: `+ ${what} ${x}` });
  for (const x of new Set(a)) if (!B.has(x)) out.push({ change: 'removed', subject: x, text: `- ${what} ${x}` });
  return out;
}

/** Sections by name (a name may repeat: sizes summed). */
function totals(list: { name: string; size: number }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of list) m.set(s.name, (m.get(s.name) ?? 0) + s.size);
  return m;
}

function sizeChanges(a: { name: string; size: number }[], b: { name: string; size: number }[], what: string): Change[] {
  const A = totals(a);
  const B = totals(b);
  const out: Change[] = [];
  const n = (x: number) => `${x.toLocaleString('en-US')} bytes`;
  for (const [name, size] of B) {
    const was = A.get(name);
    if (was === undefined) out.push({ change: 'added', subject: name, after: n(size), text: `+ ${what} ${name} (${n(size)})` });
    else if (was !== size) out.push({ change: 'changed', subject: name, before: n(was), after: n(size), text: `~ ${what} ${name}: ${n(was)} -> ${n(size)}` });
  }
  for (const [name, size] of A) if (!B.has(name)) out.push({ change: 'removed', subject: name, before: n(size), text: `- ${what} ${name} (${n(size)})` });
  return out;
}

function sectionSizes(a: { name: string; size: number }[], b: { name: string; size: number }[]): SectionSize[] {
  const A = totals(a);
  const B = totals(b);
  const out: SectionSize[] = [];
  for (const [name, size] of B) out.push({ name, before: A.get(name), after: size });
  for (const [name, size] of A) if (!B.has(name)) out.push({ name, before: size });
  return out;
}

/** Findings of `list` with no counterpart (same rule and message) in `other`, counting repeats. */
function unmatched(list: Finding[], other: Finding[]): Finding[] {
  const left = new Map<string, number>();
  const key = (f: Finding) => `${f.rule}\0${f.message}`;
  for (const f of other) left.set(key(f), (left.get(key(f)) ?? 0) + 1);
  const out: Finding[] = [];
  for (const f of list) {
    const n = left.get(key(f)) ?? 0;
    if (n > 0) left.set(key(f), n - 1);
    else out.push(f);
  }
  return out;
}

/**
 * Why the gate trips under `condition` (empty: it does not). `more-capabilities`: NEW asks for more
 * (imports, groups, larger or new memories and tables, features, a start function); `policy`: NEW has
 * error-severity findings OLD did not have; `any`: the versions differ at all.
 */
export function gateReasons(diff: VersionDiff, condition: GateCondition): string[] {
  if (condition === 'more-capabilities') return diff.capabilities.filter((c) => c.more).map((c) => c.text);
  if (condition === 'policy') {
    return diff.findings.new.filter((f) => severityRank(f.severity) >= severityRank('error')).map((f) => `new error [${f.rule}] ${f.message}`);
  }
  if (diff.identical) return [];
  const all = [
    ...diff.capabilities.map((c) => c.text),
    ...diff.exports.map((c) => c.text),
    ...diff.customSections.map((c) => c.text),
    ...diff.signers.map((c) => c.text),
    ...diff.findings.new.map((f) => `new ${f.severity} [${f.rule}] ${f.message}`),
  ];
  if (all.length) return all;
  const sizes = diff.sections.filter((s) => s.before !== s.after).map((s) => `~ section ${s.name}: ${s.before ?? 0} -> ${s.after ?? 0} bytes`);
  return sizes.length ? sizes : [`the bytes differ (SHA-256 ${diff.old.sha256 ?? 'text'} -> ${diff.new.sha256 ?? 'text'})`];
}
