/**
 * The "show WAT" operation for a binary: the text the editor shows for a `.wasm`, and where each byte
 * offset of the binary lands in that text (so findings on the binary are marked in the view).
 *
 * A component gets the WIT-style text of its world (component/wit-text.ts); its nested core modules each
 * get a view of their own (`moduleView` of their bytes).
 *
 * Small modules get wabt's full disassembly (bodies included); large ones the header view built from the
 * reader's model alone (engine/binary/wat-view), with bodies on demand. In both cases offsets map through
 * the shared module model: the entity of the binary whose byte span holds the offset (import 3, memory 0,
 * export 5...) is found again, by kind and index, in the model our WAT parser builds from the text.
 */
import type { ModuleModel } from '../model';
import type { Span } from '../span';
import type { WasmReadResult } from '../binary/reader';
import { renderWatView, textOffsetForByte } from '../binary/wat-view';
import { renderComponentView, type ComponentView } from '../component/wit-text';
import { disassemble } from '../toolchain';
import { parseWat } from '../wat';

/** Modules up to this size are shown fully disassembled. */
export const FULL_VIEW_MAX_BYTES = 1024 * 1024;

export interface ModuleView {
  text: string;
  /** true when function bodies are not in the text (large module, or the disassembler failed) */
  headerOnly: boolean;
  /** why the full text is not shown, when it is not */
  note?: string;
  /** the text span of the entity at a byte offset of the binary */
  spanForByte(offset: number): Span | undefined;
  /** components: the WIT-style view's outline and which lines show which import or export */
  component?: ComponentView;
}

type Entity = { span: Span };

/** The entities both models have, paired by kind and index. */
function entityLists(m: ModuleModel): Entity[][] {
  return [m.imports, m.funcs, m.tables, m.memories, m.globals, m.tags, m.exports, m.data, m.elems, m.types, m.start ? [m.start] : []];
}

export function modelOffsetMap(binary: ModuleModel, text: ModuleModel): (offset: number) => Span | undefined {
  const pairs: { bin: Span; txt: Span }[] = [];
  const bl = entityLists(binary);
  const tl = entityLists(text);
  bl.forEach((list, k) => {
    list.forEach((e, i) => {
      const t = tl[k][i];
      if (t) pairs.push({ bin: e.span, txt: t.span });
    });
  });
  return (offset) => {
    let best: { bin: Span; txt: Span } | undefined;
    for (const p of pairs) {
      if (p.bin.start <= offset && offset < Math.max(p.bin.end, p.bin.start + 1)) {
        if (!best || p.bin.end - p.bin.start < best.bin.end - best.bin.start) best = p;
      }
    }
    return best?.txt;
  };
}

function headerView(bytes: Uint8Array, read: WasmReadResult, note?: string): ModuleView {
  // a component: its world as WIT-style text (component/wit-text.ts), not WAT
  const component = read.model.component ? renderComponentView(bytes, read) : undefined;
  const view = component ?? renderWatView(bytes, read);
  return {
    text: view.text,
    headerOnly: true,
    note,
    component,
    spanForByte(offset) {
      const start = textOffsetForByte(view, offset);
      if (start === undefined) return undefined;
      const lineEnd = view.text.indexOf('\n', start);
      return { start, end: lineEnd < 0 ? view.text.length : lineEnd };
    },
  };
}

export async function moduleView(bytes: Uint8Array, read: WasmReadResult, options: { fullMaxBytes?: number; signal?: AbortSignal } = {}): Promise<ModuleView> {
  const limit = options.fullMaxBytes ?? FULL_VIEW_MAX_BYTES;
  if (read.model.kind !== 'module' || bytes.length > limit || read.diagnostics.some((d) => d.severity === 'error')) {
    return headerView(bytes, read, bytes.length > limit ? `module over ${limit} bytes: function bodies on demand` : undefined);
  }
  const full = await disassemble(bytes, { signal: options.signal, timeoutMs: 10_000 });
  if (full.text === undefined) return headerView(bytes, read, full.diagnostics[0]?.message);
  const parsed = parseWat(full.text);
  const textModel = parsed.modules[0];
  if (!textModel) return headerView(bytes, read, 'the disassembly could not be mapped back');
  return { text: full.text, headerOnly: false, spanForByte: modelOffsetMap(read.model, textModel) };
}
