/**
 * The rendered WAT views of binaries the server keeps (by `.wasm` path), bounded by their size: the
 * least recently used views go first once the total is over the budget, and a view goes when its
 * editor closes or its file changes. A view is rendered again from the file when it is asked for after
 * that, so the budget bounds memory, never what the user can see.
 */
import type { Range } from 'vscode-languageserver/node';
import type { LineIndex } from './engine/span';
import type { ModuleView } from './engine/operations/module-view';

export interface CachedView {
  view: ModuleView;
  index: LineIndex;
  mtimeMs: number;
}

/**
 * The line of a WAT view where a byte offset of its binary is shown, as a range over that line's text:
 * the first line of `view.spanForByte(offset)` (the view's byte-offset map; the whole of what this code
 * relies on in the view). Line 0 when the view does not show that byte.
 */
export function viewLineOfByte(view: ModuleView, index: LineIndex, offset: number): Range {
  const span = view.spanForByte(offset);
  if (!span) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const start = index.positionAt(span.start);
  const lineEnd = view.text.indexOf('\n', span.start);
  const end = index.positionAt(Math.min(span.end, lineEnd < 0 ? view.text.length : lineEnd));
  return { start, end: end.line === start.line ? end : start };
}

/** Default budget for all kept views together. */
export const VIEW_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * What a view holds, estimated: its text (2 bytes per character at most), the line index (8 bytes per
 * line) and the printer's offset map behind `spanForByte` (its typed arrays, as it reports them).
 */
export function viewBytes(view: ModuleView, index: LineIndex): number {
  return view.text.length * 2 + index.lineCount * 8 + view.mapBytes;
}

export class ViewCache {
  private readonly entries = new Map<string, { entry: CachedView; bytes: number }>();
  private total = 0;

  constructor(private readonly maxBytes = VIEW_CACHE_BYTES) {}

  /** The view of a file, if kept (and marks it as the most recently used). */
  get(file: string): CachedView | undefined {
    const e = this.entries.get(file);
    if (!e) return undefined;
    this.entries.delete(file);
    this.entries.set(file, e);
    return e.entry;
  }

  /** The view of a file, if kept, without marking it used. */
  peek(file: string): CachedView | undefined {
    return this.entries.get(file)?.entry;
  }

  /** Keep a view; older ones go while the total is over the budget (the newest one always stays). */
  set(file: string, entry: CachedView): void {
    this.delete(file);
    const bytes = viewBytes(entry.view, entry.index);
    this.entries.set(file, { entry, bytes });
    this.total += bytes;
    for (const [key, e] of this.entries) {
      if (this.total <= this.maxBytes || key === file) break;
      this.entries.delete(key);
      this.total -= e.bytes;
    }
  }

  delete(file: string): void {
    const e = this.entries.get(file);
    if (!e) return;
    this.entries.delete(file);
    this.total -= e.bytes;
  }

  /** Estimated bytes of all kept views. */
  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }
}
