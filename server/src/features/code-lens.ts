/**
 * Code lenses for WAT/WAST: reference counts above functions, globals, types, tables, memories and
 * tags (a click lists them, through the client command `wasmWarden.showReferences`), and above every
 * import its WASI capability group and the policy's verdict.
 */
import type { CodeLens, Connection } from 'vscode-languageserver/node';
import { codeLenses } from '../engine/editing/code-lens';
import { checkModel } from '../engine/policy/check';
import { uriToPath } from '../documents';
import { toRange } from '../convert';
import type { Workspace } from '../workspace';

/** The client command a reference lens runs (the client turns its JSON arguments into editor types). */
export const SHOW_REFERENCES_COMMAND = 'wasmWarden.showReferences';

export function registerCodeLens(connection: Connection, workspace: () => Workspace): void {
  connection.onCodeLens((params): CodeLens[] => {
    const uri = params.textDocument.uri;
    const ws = workspace();
    const a = ws.watAnalysis(uri);
    if (!a) return [];
    const file = uriToPath(uri);
    const policy = file ? ws.policies.policyFor(file) : undefined;
    const denied = new Map<unknown, string[]>();
    if (policy && file) {
      for (const model of a.doc.modules) {
        const findings = checkModel(model, policy.effective, { filePath: file, policyDir: policy.dir });
        for (const imp of model.imports) {
          const rules = findings
            .filter((f) => f.span.start < imp.span.end && imp.span.start < f.span.end)
            .flatMap((f) => (Array.isArray(f.data?.rules) ? (f.data.rules as string[]) : [f.code]));
          if (rules.length) denied.set(imp, [...new Set(rules)]);
        }
      }
    }
    return codeLenses(a.doc).map((l): CodeLens => {
      const range = toRange(a.index, { start: l.span.start, end: l.span.start });
      if (l.kind === 'references') {
        const n = l.references.length;
        return {
          range,
          command: {
            title: n === 1 ? '1 reference' : `${n} references`,
            command: n > 0 ? SHOW_REFERENCES_COMMAND : '',
            arguments: n > 0 ? [uri, a.index.positionAt(l.target.start), l.references.map((s) => ({ uri, range: toRange(a.index, s) }))] : undefined,
          },
        };
      }
      const rules = denied.get(l.import);
      const group = l.capability ? `WASI · ${l.capability}` : l.unknownWasi ? 'WASI · not a preview1 function' : `host import (${l.import.module})`;
      const verdict = rules ? `denied by the policy (${rules.join(', ')})` : 'allowed by the policy';
      return { range, command: { title: `${group} · ${verdict}`, command: '' } };
    });
  });
}
