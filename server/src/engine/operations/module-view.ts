/**
 * The "show WAT" operation for a binary: the text the editor shows for a `.wasm`, and where each byte
 * offset of the binary lands in that text (so findings on the binary are marked in the view).
 *
 * Both come from the engine's printer (engine/binary/wat-view): small modules are printed whole,
 * bodies included, with every instruction's line in the offset map; larger ones as their declarations
 * and function headers, with each body printed on demand. Offsets map through the printer's own
 * record of what it printed where: an instruction's byte lands on its line, a declaration's on its.
 * A component gets the WIT-style text of its world (component/wit-text.ts) instead; its nested core
 * modules each get a view of their own (`moduleView` of their bytes).
 */
import type { Span } from '../span';
import type { WasmReadResult } from '../binary/reader';
import { renderWatView, renderWatViewPage, type WatView } from '../binary/wat-view';
import { renderComponentView, type ComponentView } from '../component/wit-text';

/** Modules up to this size are shown with every function body. */
export const FULL_VIEW_MAX_BYTES = 1024 * 1024;

export interface ModuleView {
  text: string;
  /** true when function bodies are not in the text (large module, or the disassembler failed) */
  headerOnly: boolean;
  /** why the full text is not shown, when it is not */
  note?: string;
  /** the text span (one line) of the instruction or entry at a byte offset of the binary */
  spanForByte(offset: number): Span | undefined;
  /** memory the view's offset map holds, in bytes (the view cache's accounting) */
  mapBytes: number;
  /** components: the WIT-style view's outline and which lines show which import or export */
  component?: ComponentView;
}

function viewOf(view: WatView, headerOnly: boolean, note?: string, component?: ComponentView): ModuleView {
  return {
    text: view.text,
    headerOnly,
    note,
    mapBytes: view.map.bytes,
    component,
    spanForByte(offset) {
      return view.map.textForByte(offset);
    },
  };
}

export async function moduleView(bytes: Uint8Array, read: WasmReadResult, options: { fullMaxBytes?: number } = {}): Promise<ModuleView> {
  const limit = options.fullMaxBytes ?? FULL_VIEW_MAX_BYTES;
  if (read.model.component) {
    // a component: its world as WIT-style text (component/wit-text.ts), not WAT
    const component = renderComponentView(bytes, read);
    return viewOf(component, true, undefined, component);
  }
  const full = viewHasBodies(bytes, read, options);
  const view = renderWatView(bytes, read, { bodies: full });
  return viewOf(view, !full, full ? undefined : read.model.kind === 'module' ? `module over ${limit} bytes: function bodies on demand` : undefined);
}

/**
 * The first page of `moduleView`'s text (about `pageChars` characters, whole lines), printed no further
 * than that, so a large module's view shows at once while the rest is printed: the same text as the
 * start of `moduleView(bytes, read, options).text`. `complete` when the view is no longer than the page.
 */
export function moduleViewPage(bytes: Uint8Array, read: WasmReadResult, pageChars: number, options: { fullMaxBytes?: number } = {}): { text: string; complete: boolean } {
  if (read.model.component) {
    // a component's WIT-style view is small (its world, not its code): printed whole
    const text = renderComponentView(bytes, read).text;
    return text.length <= pageChars ? { text, complete: true } : { text: text.slice(0, lineEndAfter(text, pageChars)), complete: false };
  }
  const full = viewHasBodies(bytes, read, options);
  return renderWatViewPage(bytes, read, pageChars, { bodies: full });
}

/** The end of the line holding character `at` (after its newline), or the text's end. */
export function lineEndAfter(text: string, at: number): number {
  if (at >= text.length) return text.length;
  const nl = text.indexOf('\n', Math.max(0, at - 1));
  return nl < 0 ? text.length : nl + 1;
}

/** Whether a module's view shows its function bodies (a small core module) or their headers only. */
export function viewHasBodies(bytes: Uint8Array, read: WasmReadResult, options: { fullMaxBytes?: number } = {}): boolean {
  return !read.model.component && read.model.kind === 'module' && bytes.length <= (options.fullMaxBytes ?? FULL_VIEW_MAX_BYTES);
}
