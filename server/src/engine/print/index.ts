/** The printer: WAT text from a binary, streamed to a sink (see module-printer.ts). */
export { printModule, printFunction, type PrintOptions, type PrintResult } from './module-printer';
export { PrintContext } from './print-context';
export { ByteSink, ChunkedSink, StringSink, PageSink, PageFull, firstPage, type TextSink } from './text-sink';
export { OffsetMap } from './offset-map';
