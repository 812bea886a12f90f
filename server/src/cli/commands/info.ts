/** `inspect` (one module at a glance), `rules` (the policy rules), `policy init` (default or baseline policy). */
import * as fs from 'fs';
import * as path from 'path';
import { checkFile } from '../../engine/operations/check';
import { INSPECT_CODE_MAX_BYTES, inspectFile, type Inspection } from '../../engine/operations/inspect';
import { locateFindings } from '../../engine/operations/findings';
import { writeOutput } from '../../engine/operations/output';
import { defaultPolicyText } from '../../engine/policy/check';
import { baselinePolicyText } from '../../engine/operations/baseline';
import { RULES, ruleDocPath } from '../../engine/policy/rules';
import { PolicyStore, POLICY_FILE_NAME } from '../../engine/policy/store';
import { bool, oneOf, parseArgs, str } from '../args';
import { CliError } from '../errors';
import { paint, type Io } from '../io';
import { expandInputs, makePolicyStore, requireFile } from '../inputs';
import { displayPath, textLine, DOC_BASE } from '../report';
import { commonFlags } from './check';
import type { CommandDef } from './types';

export const inspect: CommandDef = {
  name: 'inspect',
  summary: 'show imports (with WASI capability and policy verdict), exports, memories, tables, sections',
  usage: 'wasm-warden inspect <file> [--format text|json] [--policy FILE] [--code]',
  flags: {
    format: { type: 'string', value: 'text|json', description: 'output format (default text)' },
    code: { type: 'boolean', description: `add the code summary for modules over ${INSPECT_CODE_MAX_BYTES / (1024 * 1024)} MB too (smaller ones always get it)` },
    policy: { type: 'string', value: 'FILE', description: 'policy file (default: the nearest wasm-warden.policy.json)' },
  },
  details: ['Exit codes: 0 shown (findings do not change it; use check for a gate), 2 usage or input error.'],
  examples: ['wasm-warden inspect module.wasm', 'wasm-warden inspect module.wasm --format json | jq .imports'],
  async run(argv, io) {
    const p = parseArgs(argv, { ...this.flags, ...commonFlags }, 'inspect');
    const format = oneOf(p, 'format', ['text', 'json'] as const, 'text', 'inspect');
    if (p.positionals.length !== 1) throw new CliError(`inspect: expected one input file, got ${p.positionals.length}`);
    const file = expandInputs([requireFile(p.positionals[0], 'inspect')], 'inspect')[0];
    const store = makePolicyStore(str(p, 'policy'), 'inspect');
    const info = inspectFile(file, store, undefined, { code: bool(p, 'code') });
    const shown = { ...info, file: displayPath(info.file), policyFile: info.policyFile && displayPath(info.policyFile) };
    io.out(format === 'json' ? JSON.stringify(shown, null, 2) + '\n' : inspectionText(shown, io));
    return 0;
  },
};

function inspectionText(i: Inspection, io: Io): string {
  const h = (s: string) => paint(io, 'bold', s);
  const lines = [`${h(i.file)}  ${i.kind}${i.byteLength !== undefined ? `, ${i.byteLength} bytes` : ''}`];
  lines.push(`policy: ${i.policyFile ?? 'built-in default'}`);
  lines.push(h(`imports (${i.imports.length})`));
  for (const imp of i.imports) {
    const verdict = imp.findings.length ? paint(io, 'red', imp.findings.map((f) => `${f.severity} [${f.rule}]`).join(', ')) : paint(io, 'green', 'allowed');
    lines.push(`  ${imp.module ? `${imp.module}.` : ''}${imp.name}  ${imp.kind}${imp.capability ? `  (${imp.capability})` : ''}  ${verdict}`);
  }
  lines.push(h(`exports (${i.exports.length})`));
  for (const e of i.exports) lines.push(`  ${e.name}  ${e.kind} ${e.index}`);
  const c = i.component;
  if (c) {
    lines.push(h(`core modules inside (${c.modules.length}): internal wiring, checked only with imports.nestedModules`));
    for (const m of c.modules) lines.push(`  ${m.path}  @0x${m.offset.toString(16)}  ${m.size} bytes`);
    lines.push(`nested components: ${c.components}; canonical functions: ${c.canonicalFunctions}`);
    if (c.toolchainImports.length) lines.push(`typically added by the toolchain: ${c.toolchainImports.join(', ')}`);
  } else {
  lines.push(h(`memories (${i.memories.length})`));
  for (const m of i.memories) lines.push(`  ${m.index}${m.id ? ` ${m.id}` : ''}${m.imported ? ` imported ${m.imported}` : ''}  ${m.limits}${m.maxBytes !== undefined ? ` (max ${m.maxBytes} bytes)` : ''}`);
  lines.push(h(`tables (${i.tables.length})`));
  for (const t of i.tables) lines.push(`  ${t.index}${t.id ? ` ${t.id}` : ''}${t.imported ? ` imported ${t.imported}` : ''}  ${t.refType}  ${t.limits}`);
  lines.push(`functions: ${i.functions.defined} defined, ${i.functions.imported} imported; globals: ${i.globals}; start: ${i.start ?? 'none'}`);
  if (i.features.length) lines.push(`features: ${i.features.join(', ')}`);
  }
  if (i.customSections.length) {
    lines.push(h(`custom sections (${i.customSections.length})`));
    for (const c of i.customSections) lines.push(`  ${c.name}  ${c.size} bytes`);
    const o = i.customSectionsOmitted;
    if (o) lines.push(`  ... and ${o.count} more custom sections, counted, not listed (${o.bytes} bytes)`);
  }
  if (i.sections.length) {
    lines.push(h('sections'));
    for (const s of i.sections) lines.push(`  ${s.name.padEnd(20)} ${String(s.size).padStart(10)} bytes`);
  }
  if (i.code) lines.push(...codeSummaryText(i.code, io));
  else if (i.codeNote) lines.push(h('code'), `  not summarised: ${i.codeNote}`);
  if (i.dependencies) {
    const d = i.dependencies;
    lines.push(h('dependencies'));
    for (const g of d.providers) lines.push(`  ${g.provider.name}: ${g.imports.length} import${g.imports.length === 1 ? '' : 's'}`);
    lines.push(`  toolchain: ${d.toolchain.length ? d.toolchain.map((t) => `${t.name}${t.version ? ` ${t.version}` : ''}`).join(', ') : 'unknown (no producers section)'}`);
    if (d.rust) lines.push(`  Rust crates (cargo-auditable): ${d.rust.packages.length}; \`wasm-warden deps\` lists them`);
  }
  const text = i.kind === 'wat' || i.kind === 'wast' ? fs.readFileSync(i.file, 'utf8') : undefined;
  const findings = locateFindings(i.file, i.findings, text);
  lines.push(h(`findings (${findings.length})`));
  for (const f of findings) lines.push(`  ${textLine({ path: i.file, binary: text === undefined, findings: [] }, f, io)}`);
  return lines.join('\n') + '\n';
}

function codeSummaryText(c: NonNullable<Inspection['code']>, io: Io): string[] {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const fn = (r: { index: number; name?: string }) => `function ${r.index}${r.name ? ` ($${r.name})` : ''}`;
  const lines = [paint(io, 'bold', 'code')];
  lines.push(`  ${c.functions} functions, ${c.codeBytes} bytes, ${c.instructions} instructions; ${c.indirectCalls} indirect calls (${c.indirectCallsPerThousand.toFixed(2)} per 1000 instructions)`);
  lines.push(`  mix: ${c.mix.map((m) => `${m.category} ${pct(m.share)}`).join(', ')}`);
  lines.push(`  largest: ${c.largest.map((f) => `${fn(f)} ${f.size} bytes (${pct(f.share)})`).join(', ')}`);
  lines.push(`  start function: ${c.start ? `${fn(c.start)}, ${c.start.instructions} instructions, ${c.start.calls} calls, ${c.start.loops} loops` : 'none'}`);
  for (const k of c.kernels) lines.push(`  hashing kernel: ${fn(k)}, ${pct(k.share)} of the code: ${k.why.join('; ')}`);
  lines.push(`  data: ${c.dataSegments} segments, ${c.dataBytes} bytes${c.highEntropySegments.length ? `; compressed or encrypted: ${c.highEntropySegments.map((s) => `segment ${s.index} (${s.size} bytes, ${s.entropy.toFixed(2)} bits/byte)`).join(', ')}` : ''}`);
  for (const s of c.strings) lines.push(`  ${s.label} (${s.count}): (${s.examples.map((e) => JSON.stringify(e)).join(', ')}${s.count > s.examples.length ? ', ...' : ''})`);
  if (c.error) lines.push(paint(io, 'yellow', `  cut short: ${c.error}`));
  return lines;
}

export const rules: CommandDef = {
  name: 'rules',
  summary: 'list the policy rules with their default severity and documentation',
  usage: 'wasm-warden rules [--format text|json]',
  flags: { format: { type: 'string', value: 'text|json', description: 'output format (default text)' } },
  examples: ['wasm-warden rules', 'wasm-warden rules --format json'],
  async run(argv, io) {
    const p = parseArgs(argv, { ...this.flags, ...commonFlags }, 'rules');
    const format = oneOf(p, 'format', ['text', 'json'] as const, 'text', 'rules');
    if (p.positionals.length) throw new CliError(`rules: unexpected argument ${p.positionals[0]}`);
    const list = RULES.map((r) => ({ id: r.id, defaultSeverity: r.defaultSeverity, title: r.title, doc: ruleDocPath(r.id), helpUri: `${DOC_BASE}${r.id}.md`, policyKeys: [...r.policyKeys] }));
    if (format === 'json') {
      io.out(JSON.stringify(list, null, 2) + '\n');
      return 0;
    }
    const w = Math.max(...list.map((r) => r.id.length));
    for (const r of list) io.out(`${paint(io, 'bold', r.id.padEnd(w))}  ${r.defaultSeverity.padEnd(7)}  ${r.title}  ${paint(io, 'gray', r.doc)}\n`);
    return 0;
  },
};

export const policy: CommandDef = {
  name: 'policy',
  summary: 'policy init: write the default policy, or a baseline policy from modules',
  usage: 'wasm-warden policy init [-o FILE] [--force] [--baseline <files|dirs|globs...>]',
  flags: {
    output: { type: 'string', short: ['o'], value: 'FILE', description: `where to write (default ./${POLICY_FILE_NAME})` },
    force: { type: 'boolean', description: 'overwrite an existing policy file' },
    baseline: { type: 'boolean', description: 'write a policy allowing exactly what the given modules use (imports, memory, tables, exports, features)' },
  },
  details: ['Exit codes: 0 written, 2 usage or input error (the file exists without --force, no module found...).'],
  examples: ['wasm-warden policy init', 'wasm-warden policy init --baseline build/ --force', 'wasm-warden policy init -o ci.policy.json --baseline a.wasm b.wasm'],
  async run(argv, io) {
    const p = parseArgs(argv, { ...this.flags, ...commonFlags }, 'policy');
    const [sub, ...inputs] = p.positionals;
    if (sub !== 'init') throw new CliError(sub ? `policy: unknown subcommand ${sub} (expected: init)` : 'policy: expected a subcommand: init');
    const out = path.resolve(str(p, 'output') ?? POLICY_FILE_NAME);
    let text: string;
    let note = '';
    if (bool(p, 'baseline')) {
      const files = expandInputs(inputs, 'policy init --baseline');
      const store = new PolicyStore({ roots: [] });
      let baseline;
      try {
        baseline = baselinePolicyText(files, store);
      } catch (err) {
        throw new CliError(`policy init --baseline: ${(err as Error).message}`);
      }
      text = baseline.text;
      note = ` (baseline of ${baseline.modules} module${baseline.modules === 1 ? '' : 's'})`;
    } else {
      if (inputs.length) throw new CliError(`policy init: unexpected argument ${inputs[0]} (did you mean --baseline?)`);
      text = defaultPolicyText();
    }
    const w = writeOutput(out, text, bool(p, 'force'));
    if (w.exists) throw new CliError(`policy init: ${displayPath(out)} already exists (use --force to overwrite)`);
    io.out(`wrote ${displayPath(out)}${note}\n`);
    return 0;
  },
};
