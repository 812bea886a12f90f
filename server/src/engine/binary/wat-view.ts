/**
 * The read-only WAT view of a `.wasm` for the editor, printed by the engine's printer (`../print`):
 * every declaration in WAT, each defined function as its header line with its body's size and offset
 * (a body is printed on demand, see function-disassembly.ts), data segments and custom sections as a
 * short preview. An offset map ties each printed line to the bytes it shows, both ways.
 */
import { hex } from './byte-reader';
import type { WasmReadResult } from './reader';
import { commentText } from './wat-strings';
import { firstPage, OffsetMap, printModule, StringSink, type TextSink } from '../print';
import { contextFor } from './function-disassembly';

export { disassembleFunction, printFunctionPage, printFunctionView, type FunctionView } from './function-disassembly';
export { summarizeModule } from './module-summary';

export interface WatView {
  text: string;
  /** each printed entry's (and, in a full view, instruction's) text range and byte range */
  map: OffsetMap;
}

export interface WatViewOptions {
  /** bytes of each data segment and custom section shown as an escaped preview (default 32) */
  maxInlineBytes?: number;
  /** custom sections listed before the rest are counted in one comment (default 1000) */
  maxCustomSections?: number;
  /** print the function bodies too (default false: headers, bodies on demand) */
  bodies?: boolean;
}

/** Renders a module (or a component's section list) as WAT for the view. */
export function renderWatView(bytes: Uint8Array, read: WasmReadResult, options: WatViewOptions = {}): WatView {
  const m = read.model;
  const sink = new StringSink();
  // a header view has a record per function and per other entry: sized for the functions at once
  const map = new OffsetMap(options.bodies ? undefined : (m.funcs?.length ?? 0) + 1024);
  printWatView(bytes, read, sink, map, options);
  return { text: sink.text(), map };
}

/**
 * The first page of a module's view (about `pageChars` characters, whole lines), printed no further
 * than that: the same text as the start of `renderWatView`'s, at a fraction of its cost on a large
 * module. `complete` when the view is no longer than the page.
 */
export function renderWatViewPage(bytes: Uint8Array, read: WasmReadResult, pageChars: number, options: WatViewOptions = {}): { text: string; complete: boolean } {
  return firstPage(pageChars, (sink) => printWatView(bytes, read, sink, new OffsetMap(1024), options));
}

function printWatView(bytes: Uint8Array, read: WasmReadResult, sink: TextSink, map: OffsetMap, options: WatViewOptions): void {
  const m = read.model;
  const kindWord = m.kind === 'component' ? 'component' : 'module';
  sink.write(`;; WebAssembly ${kindWord}, ${bytes.length} bytes, ${m.sections?.length ?? 0} sections (read-only view)\n`);
  if (m.kind === 'component') {
    for (const d of read.diagnostics) line(sink, map, `;; ${d.severity} @${hex(d.span.start)}: ${commentText(d.message)}`, d.span.start, Math.max(d.span.end, d.span.start));
    for (const s of m.sections ?? []) {
      line(sink, map, `;; section ${s.id} (${commentText(s.name)}) @${hex(s.offset)}, ${s.size} bytes`, s.offset, s.payloadOffset + s.size);
    }
    return;
  }
  if (m.features.length) sink.write(`;; features: ${m.features.join(', ')}\n`);
  printModule(bytes, sink, {
    context: contextFor(bytes, read),
    bodies: options.bodies === true,
    maxInlineBytes: options.bodies ? undefined : Math.max(0, options.maxInlineBytes ?? 32),
    maxCustomSections: options.maxCustomSections ?? 1000,
    map,
    instructionLines: options.bodies === true,
  });
}

function line(sink: TextSink, map: OffsetMap, text: string, byteStart: number, byteEnd: number): void {
  const at = sink.written;
  sink.write(text + '\n');
  map.add(at, at + text.length, byteStart, byteEnd);
}

/** The view text offset of the line that shows the given byte (the narrowest entry or instruction holding it). */
export function textOffsetForByte(view: WatView, byteOffset: number): number | undefined {
  return view.map.textForByte(byteOffset)?.start;
}

/** The byte offset of the entry shown at a view text offset (undefined between entries). */
export function byteOffsetForText(view: WatView, textOffset: number): number | undefined {
  return view.map.byteForText(textOffset);
}
