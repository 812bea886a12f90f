/**
 * Hover for WAT/WAST: what an identifier is (from engine/wat/navigation); on an import what the
 * WASI function does, its capability group, and the policy's verdict on it; on an instruction's name
 * its type and the operand stack before it (engine/validate/live.ts validates the function up to it).
 */
import { MarkupKind, type Connection, type Hover } from 'vscode-languageserver/node';
import { hoverAt } from '../engine/wat/navigation';
import { describeImport } from '../engine/wasi';
import { checkModel } from '../engine/policy/check';
import { uriToPath } from '../documents';
import { toRange } from '../convert';
import type { ImportEntry } from '../engine/model';
import type { Workspace } from '../workspace';
import { describeComponentExtern, interfaceFunctions } from '../engine/component/wasi-catalog';
import type { InstructionProbe, LiveTypeChecker } from '../engine/validate/live';
import { typeName } from '../engine/isa/value-type';

export function registerHover(connection: Connection, workspace: () => Workspace): void {
  connection.onHover((params): Hover | null => {
    const ws = workspace();
    const component = ws.componentView(params.textDocument.uri);
    if (component) return componentHover(ws, component, component.index.offsetAt(params.position));
    const a = ws.watAnalysis(params.textDocument.uri);
    if (!a) return null;
    const offset = a.index.offsetAt(params.position);
    for (const model of a.doc.modules) {
      const imp = model.imports.find((i) => i.span.start <= offset && offset < i.span.end);
      if (!imp) continue;
      const file = uriToPath(params.textDocument.uri);
      const policy = file ? ws.policies.policyFor(file) : undefined;
      const findings = policy
        ? checkModel(model, policy.effective, { filePath: file, policyDir: policy.dir }).filter(
            (d) => d.span.start < imp.span.end && imp.span.start < d.span.end,
          )
        : [];
      // the findings' messages are in the same hover already (the editor shows the diagnostics there): name the rules only
      const rules = [...new Set(findings.flatMap((f) => (Array.isArray(f.data?.rules) ? (f.data.rules as string[]) : [f.code])))];
      return { contents: { kind: MarkupKind.Markdown, value: importHover(imp, rules, policy?.file) }, range: toRange(a.index, imp.span) };
    }
    const probe = instructionProbe(ws, params.textDocument.uri, a.doc, offset);
    if (probe && onName(a.doc.text, probe, offset)) {
      return { contents: { kind: MarkupKind.Markdown, value: instructionHover(probe) }, range: toRange(a.index, probe.span) };
    }
    const h = hoverAt(a.doc, offset);
    return h ? { contents: { kind: MarkupKind.Markdown, value: h.markdown }, range: toRange(a.index, h.span) } : null;
  });
}

/** The hover of an import: what it is, its WASI capability, and the policy's verdict (the rules that deny it). */
export function importHover(imp: ImportEntry, rules: string[], policyFile?: string): string {
  const info = describeImport(imp.module, imp.name);
  const lines = [`**import** ${code(`${imp.module}.${imp.name}`)} (${imp.kind})`];
  if (info.wasi) {
    lines.push(info.known ? `WASI · capability **${info.capability}**` : 'WASI · **not a WASI preview1 function** (non-standard extension?)');
    if (info.doc) lines.push('', md(info.doc));
  }
  lines.push('');
  // words, not emoji (an emoji font is not everywhere: it rendered as a box)
  const by = policyFile ? 'the workspace policy' : 'the default policy';
  if (rules.length) lines.push(`**Denied** by ${by} (${rules.map((r) => code(r)).join(', ')})`);
  else lines.push(`**Allowed** by ${by}`);
  return lines.join('\n');
}

function instructionProbe(ws: Workspace, uri: string, doc: Parameters<LiveTypeChecker['probe']>[0], offset: number): InstructionProbe | undefined {
  try {
    return ws.typeChecker(uri).probe(doc, offset);
  } catch {
    // no instruction hover then; the identifier's, if any, is still shown
    return undefined;
  }
}

/** The offset is on the instruction's name (`i32.add`, or after the `(` of a folded one), not on its operands. */
function onName(text: string, p: InstructionProbe, offset: number): boolean {
  let at = p.span.start;
  if (text[at] === '(') at++;
  while (at < p.span.end && /\s/.test(text[at])) at++;
  return offset >= at && offset <= at + p.name.length && text.startsWith(p.name, at);
}

/** An instruction's hover: its type as used here, the operand stack before it, and why it is invalid there. */
export function instructionHover(p: InstructionProbe): string {
  const list = (ts: number[]): string => `[${ts.map(typeName).join(' ')}]`;
  const lines = [`**${p.name}**` + (p.params && p.results ? ` ${code(`${list(p.params)} -> ${list(p.results)}`)}` : '')];
  lines.push('', `stack: ${code(list(p.stack))}${p.unreachable ? ' (unreachable: polymorphic below)' : ''}`);
  if (p.error) lines.push('', `**invalid here:** ${md(p.error)}`);
  return lines.join('\n');
}

/** Escape text for Markdown: the characters that could start emphasis, links, code or HTML. */
function md(s: string): string {
  return s.replace(/[\\`*_[\]<>]/g, (c) => '\\' + c);
}

/** A code span that holds any text (names from modules can contain backticks). */
function code(s: string): string {
  let longest = 0;
  for (const m of s.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const ticks = '`'.repeat(longest + 1);
  return `${ticks} ${s} ${ticks}`;
}

/** The hover of an import or export in a component's view: what it is, the WASI groups it needs, the policy's verdict. */
function componentHover(ws: Workspace, component: NonNullable<ReturnType<Workspace['componentView']>>, offset: number): Hover | null {
  const at = component.view.externs.find((e) => e.start <= offset && offset <= e.end);
  if (!at) return null;
  const { ext, exported } = at;
  let findings: string[] = [];
  let policyFile: string | undefined;
  try {
    const wasm = ws.cache.viewedWasm(component.file);
    const policy = ws.policies.policyFor(component.file);
    policyFile = policy.file;
    findings = checkModel(wasm.read.model, policy.effective, { bytes: wasm.bytes, filePath: component.file, policyDir: policy.dir })
      .filter((d) => d.span.start < ext.span.end && ext.span.start < d.span.end)
      .flatMap((f) => (Array.isArray(f.data?.rules) ? (f.data.rules as string[]) : [f.code]));
  } catch {
    // the file went away: the hover says what the view shows
  }
  const info = describeComponentExtern(ext, exported);
  const functions = interfaceFunctions(ext);
  const lines = [`**${exported ? 'export' : 'import'}** ${code(ext.name)} (${ext.sort === 'instance' ? 'interface' : ext.sort})`];
  if (ext.parsed.form === 'interface') lines.push(`package ${code(`${ext.parsed.namespace}:${ext.parsed.package}`)}, interface ${code(ext.parsed.interface!)}${ext.parsed.version ? `, version ${code(ext.parsed.version)}` : ', unversioned'}`);
  else lines.push(`${ext.parsed.form} name`);
  if (functions.length) lines.push(`${functions.length} function${functions.length === 1 ? '' : 's'}`);
  if (info.wasi) lines.push(info.known ? `WASI · capability ${info.capabilities.length ? info.capabilities.map((c) => `**${c}**`).join(', ') : 'none'}` : 'WASI · **not in the WASI interface catalog**');
  if (info.toolchain) lines.push('', 'Typically added by the toolchain (the preview1 adapter, Rust wasm32-wasip2) whatever the program calls.');
  lines.push('');
  const by = policyFile ? 'the workspace policy' : 'the default policy';
  const rules = [...new Set(findings)];
  lines.push(rules.length ? `**Denied** by ${by} (${rules.map((r) => code(r)).join(', ')})` : `**Allowed** by ${by}`);
  return { contents: { kind: MarkupKind.Markdown, value: lines.join('\n') }, range: toRange(component.index, { start: at.start, end: at.end }) };
}
