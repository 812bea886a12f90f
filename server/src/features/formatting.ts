/**
 * Document and range formatting of WAT/WAST: an adapter over engine/editing/format. The indentation is
 * the editor's (`tabSize`, `insertSpaces` of the request) unless `wasmWarden.format.indentWidth` sets one;
 * the line width and blank lines come from `wasmWarden.format.*`. The answer is one edit (the changed
 * middle of the text), or none. The read-only WAT view of a `.wasm` is not formatted.
 */
import {
  DocumentFormattingRequest,
  DocumentRangeFormattingRequest,
  type ClientCapabilities,
  type Connection,
  type FormattingOptions,
  type Range,
  type TextEdit,
} from 'vscode-languageserver/node';
import { formatWat, minimalEdit, type FormatOptions } from '../engine/editing/format';
import type { Span } from '../engine/span';
import { wasmFileOfView, type Workspace } from '../workspace';

export function formatOptions(ws: Workspace, editor: FormattingOptions): FormatOptions {
  const s = ws.settings.format;
  const tabSize = Number.isInteger(editor.tabSize) && editor.tabSize > 0 && editor.tabSize <= 16 ? editor.tabSize : 2;
  return {
    indentWidth: s.indentWidth > 0 ? s.indentWidth : tabSize,
    insertSpaces: s.indentWidth > 0 ? true : editor.insertSpaces !== false,
    lineWidth: s.lineWidth,
    maxBlankLines: s.maxBlankLines,
  };
}

function format(ws: Workspace, uri: string, editor: FormattingOptions, range?: Range): TextEdit[] {
  if (wasmFileOfView(uri)) return [];
  // the text is enough (no parse): a buffer over the analysis budget is formatted too
  const doc = ws.documents.get(uri);
  if (!doc || !(doc.languageId === 'wat' || doc.languageId === 'wast' || /\.(wat|wast)$/i.test(uri))) return [];
  const text = doc.getText();
  const span: Span | undefined = range ? { start: doc.offsetAt(range.start), end: doc.offsetAt(range.end) } : undefined;
  const formatted = formatWat(text, formatOptions(ws, editor), span);
  const edit = formatted === undefined ? undefined : minimalEdit(text, formatted);
  return edit ? [{ range: { start: doc.positionAt(edit.span.start), end: doc.positionAt(edit.span.end) }, newText: edit.newText }] : [];
}

/** WAT and WAST documents (not the policy file, which the client also sends us, nor the read-only WAT views). */
const FORMATTED = [
  { scheme: 'file', language: 'wat' },
  { scheme: 'file', language: 'wast' },
  { scheme: 'untitled', language: 'wat' },
  { scheme: 'untitled', language: 'wast' },
];

/**
 * Whether formatting is registered later for WAT/WAST only (dynamic registration): then the
 * initialize result does not declare it, so the editor does not offer us as a formatter of the policy
 * JSON file its client also sends us.
 */
export function formatsDynamically(capabilities: ClientCapabilities): boolean {
  return capabilities.textDocument?.formatting?.dynamicRegistration === true && capabilities.textDocument?.rangeFormatting?.dynamicRegistration === true;
}

export async function registerFormattingFor(connection: Connection): Promise<void> {
  await connection.client.register(DocumentFormattingRequest.type, { documentSelector: FORMATTED });
  await connection.client.register(DocumentRangeFormattingRequest.type, { documentSelector: FORMATTED });
}

export function registerFormatting(connection: Connection, workspace: () => Workspace): void {
  connection.onDocumentFormatting((params) => format(workspace(), params.textDocument.uri, params.options));
  connection.onDocumentRangeFormatting((params) => format(workspace(), params.textDocument.uri, params.options, params.range));
}
