/**
 * Quick fixes for policy findings: allow an import in the policy, add a maximum to a WAT memory,
 * change a rule's severity, write the default policy; and refactorings of WAT code (convert between
 * `$id` and index, split/join declarations, unfold a folded instruction). Policy edits are computed by the engine
 * (engine/policy/check edit helpers); this file turns them into LSP workspace edits.
 */
import * as fs from 'fs';
import { convertToIndex, foldInstructions, joinDeclarations, splitDeclaration, unfoldInstruction } from '../engine/editing/refactors';
import * as path from 'path';
import {
  CodeActionKind,
  type CodeAction,
  type Connection,
  type Diagnostic,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { addId, convertToId } from '../engine/editing/rename';
import { allowImportEdit, defaultPolicyText, setRuleSeverityEdit } from '../engine/policy/check';
import { POLICY_FILE_NAME } from '../engine/policy/store';
import { LineIndex, type Span } from '../engine/span';
import { pathToUri, uriToPath } from '../documents';
import { toRange } from '../convert';
import { wasmFileOfView, type Workspace } from '../workspace';
import { ServerCommands } from '../protocol';

const IMPORT_RULES = new Set(['import-not-allowed', 'wasi-capability-denied', 'unknown-wasi-import']);

export function registerCodeActions(connection: Connection, workspace: () => Workspace): void {
  connection.onCodeAction((params): CodeAction[] => {
    const ws = workspace();
    const view = wasmFileOfView(params.textDocument.uri);
    // the WAT view of a binary is read-only: its findings get only the fixes that do not edit it
    if (view) return params.context.diagnostics.flatMap((d) => approveAction(d, view.file) ?? []);
    const file = uriToPath(params.textDocument.uri);
    if (!file) return [];
    const actions: CodeAction[] = [];
    const policyFile = ws.policies.policyFileFor(file) ?? path.join(ws.roots[0] ?? path.dirname(file), POLICY_FILE_NAME);
    const policyText = readPolicyText(ws, policyFile);
    for (const diagnostic of params.context.diagnostics) {
      if (diagnostic.source !== 'wasm-warden' || typeof diagnostic.code !== 'string') continue;
      const data = (diagnostic.data ?? {}) as Record<string, unknown>;
      if (IMPORT_RULES.has(diagnostic.code) && typeof data.module === 'string' && typeof data.name === 'string') {
        // this one import, not the whole rule: the first and preferred fix
        const allow = policyAction(`Allow only this import (${data.module}.${data.name}) in the policy`, policyFile, policyText, diagnostic, (text) =>
          allowImportEdit(text, data.module as string, data.name as string),
        );
        if (allow) actions.push({ ...allow, isPreferred: true });
      }
      const approve = approveAction(diagnostic, file);
      if (approve) actions.push(approve);
      if (diagnostic.code === 'memory-unbounded') {
        const fix = addMemoryMaximum(ws, params.textDocument.uri, diagnostic, data);
        if (fix) actions.push(fix);
      }
      // a finding several rules agree on (data.rules) offers each rule's severity
      // a lint is a setting of the editor (wasmWarden.lints), not a rule of the policy
      const rules = typeof data.lint === 'string' ? [] : Array.isArray(data.rules) ? data.rules.filter((r): r is string => typeof r === 'string') : [diagnostic.code];
      for (const rule of rules.filter(isRuleId)) {
        for (const severity of ['warning', 'off'] as const) {
          const change = policyAction(`Set rule ${rule} to "${severity}" in the policy${IMPORT_RULES.has(rule) ? ' (every import it covers)' : ''}`, policyFile, policyText, diagnostic, (text) =>
            setRuleSeverityEdit(text, rule, severity),
          );
          if (change) actions.push(change);
        }
      }
    }
    const convert = convertToIdAction(ws, params.textDocument.uri, params.range.start);
    if (convert) actions.push(convert);
    const add = addIdAction(ws, params.textDocument.uri, params.range.start);
    if (add) actions.push(add);
    actions.push(...refactorActions(ws, params.textDocument.uri, params.range.start, params.range.end));
    if (policyText === undefined && params.context.diagnostics.some((d) => d.source === 'wasm-warden')) {
      actions.push({
        title: 'Write the default Wasm Warden policy to the workspace',
        kind: CodeActionKind.QuickFix,
        edit: createFileEdit(policyFile, defaultPolicyText()),
      });
    }
    return actions;
  });
}

/** "Convert to $id" on a numeric reference (a refactoring: every numeric reference to the item in its module). */
function convertToIdAction(ws: Workspace, uri: string, at: { line: number; character: number }): CodeAction | undefined {
  const a = ws.watAnalysis(uri);
  if (!a) return undefined;
  const c = convertToId(a.doc, a.index.offsetAt(at));
  if (!c) return undefined;
  return { title: c.title, kind: CodeActionKind.RefactorRewrite, edit: { changes: { [uri]: c.changes.map((e) => ({ range: toRange(a.index, e.span), newText: e.newText })) } } };
}

/** "Add a $id" on a declaration without one (and its numeric references written as it). */
function addIdAction(ws: Workspace, uri: string, at: { line: number; character: number }): CodeAction | undefined {
  const a = ws.watAnalysis(uri);
  const c = a && addId(a.doc, a.index.offsetAt(at));
  if (!a || !c) return undefined;
  return { title: c.title, kind: CodeActionKind.RefactorRewrite, edit: { changes: { [uri]: c.changes.map((e) => ({ range: toRange(a.index, e.span), newText: e.newText })) } } };
}

/** The refactorings of engine/editing/refactors.ts that apply at the cursor. */
function refactorActions(ws: Workspace, uri: string, at: { line: number; character: number }, to: { line: number; character: number }): CodeAction[] {
  const a = ws.watAnalysis(uri);
  if (!a) return [];
  const offset = a.index.offsetAt(at);
  const out: CodeAction[] = [];
  const fold = foldInstructions(a.doc, { start: offset, end: a.index.offsetAt(to) });
  if (fold) out.push({ title: fold.title, kind: CodeActionKind.RefactorRewrite, edit: { changes: { [uri]: fold.changes.map((e) => ({ range: toRange(a.index, e.span), newText: e.newText })) } } });
  for (const [make, kind] of [
    [convertToIndex, CodeActionKind.RefactorRewrite],
    [splitDeclaration, CodeActionKind.RefactorRewrite],
    [joinDeclarations, CodeActionKind.RefactorRewrite],
    [unfoldInstruction, CodeActionKind.RefactorRewrite],
  ] as const) {
    const r = make(a.doc, offset);
    if (r) out.push({ title: r.title, kind, edit: { changes: { [uri]: r.changes.map((e) => ({ range: toRange(a.index, e.span), newText: e.newText })) } } });
  }
  return out;
}

/** "Approve this version" on a module-not-approved finding: the server command, which asks the user before it writes. */
function approveAction(diagnostic: Diagnostic, module: string): CodeAction | undefined {
  const data = (diagnostic.data ?? {}) as Record<string, unknown>;
  if (diagnostic.source !== 'wasm-warden' || diagnostic.code !== 'module-not-approved' || typeof data.digest !== 'string' || data.problem) return undefined;
  return {
    title: 'Approve this version (records it in wasm-warden.lock.json; asks first)',
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    command: { title: 'Approve this version', command: ServerCommands.approve, arguments: [{ uri: pathToUri(module) }] },
  };
}

function isRuleId(code: string): boolean {
  return !code.startsWith('wat-') && !code.startsWith('wasm-') && !code.startsWith('policy-') && !code.startsWith('analysis-') && code !== 'file-unreadable';
}

function readPolicyText(ws: Workspace, file: string): string | undefined {
  const open = ws.documents.get(pathToUri(file));
  if (open) return open.getText();
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

type EngineEdits = { span: Span; newText: string }[];

function policyAction(
  title: string,
  policyFile: string,
  policyText: string | undefined,
  diagnostic: Diagnostic,
  edits: (text: string) => EngineEdits,
): CodeAction | undefined {
  let edit: WorkspaceEdit;
  if (policyText === undefined) {
    const base = defaultPolicyText();
    const change = edits(base);
    if (change.length === 0) return undefined;
    edit = createFileEdit(policyFile, applyEdits(base, change));
  } else {
    const index = new LineIndex(policyText);
    const change = edits(policyText);
    // no edit can do it (e.g. a deny glob decides, and deny wins): offer nothing rather than a no-op
    if (change.length === 0) return undefined;
    const changes: TextEdit[] = change.map((e) => ({ range: toRange(index, e.span), newText: e.newText }));
    edit = { changes: { [pathToUri(policyFile)]: changes } };
  }
  return { title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit };
}

function createFileEdit(file: string, text: string): WorkspaceEdit {
  const uri = pathToUri(file);
  return {
    documentChanges: [
      { kind: 'create', uri, options: { ignoreIfExists: true } },
      { textDocument: { uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: text }] },
    ],
  };
}

export function applyEdits(text: string, edits: EngineEdits): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.span.start - a.span.start)) {
    out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  }
  return out;
}

function addMemoryMaximum(ws: Workspace, uri: string, diagnostic: Diagnostic, data: Record<string, unknown>): CodeAction | undefined {
  const a = ws.watAnalysis(uri);
  if (!a) return undefined;
  const at = a.index.offsetAt(diagnostic.range.start);
  for (const model of a.doc.modules) {
    const mem =
      typeof data.memoryIndex === 'number'
        ? model.memories.find((m) => m.index === data.memoryIndex && m.span.start <= at + 1 && at < m.span.end + 1)
        : model.memories.find((m) => m.span.start <= at && at < m.span.end);
    if (!mem || mem.imported || !mem.limitsSpan) continue;
    const max = typeof data.suggestedMaxPages === 'number' ? data.suggestedMaxPages : Math.max(mem.limits.min, 1);
    const pos = a.index.positionAt(mem.limitsSpan.end);
    return {
      title: `Add a maximum of ${max} pages to this memory`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      isPreferred: true,
      edit: { changes: { [uri]: [{ range: { start: pos, end: pos }, newText: ` ${max}` }] } },
    };
  }
  return undefined;
}
