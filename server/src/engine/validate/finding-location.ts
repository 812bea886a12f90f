/**
 * Where a validation finding of a binary is, said for people: the function (its index, and its name
 * when the module's `name` section has one), the instruction (its mnemonic) and the byte offset, e.g.
 * `func 12 ($foo), i32.add at 0x1a2b: i32.add expects [i32 i32] but the stack has [i32 f32]`.
 *
 * The name is looked up only when there is a finding, and only that one name is read (the `name`
 * section is not decoded whole), so a valid module costs nothing here.
 */
import { ByteReader, hex } from '../binary/byte-reader';
import { customNameIs, visitRawSections } from '../binary/sections';
import type { CodeFinding } from './context';

/** A finding with the function it is in, when it is inside a function body. */
export interface LocatedFinding extends CodeFinding {
  /** function index (in the function index space: imports first) */
  func?: number;
  /** the function's name from the `name` section */
  funcName?: string;
}

/** The name the module's `name` section gives function `func`; undefined without one (or when the section is malformed). */
export function functionNameOf(bytes: Uint8Array, func: number): string | undefined {
  let found: string | undefined;
  try {
    visitRawSections(bytes, (head) => {
      if (found !== undefined || !customNameIs(bytes, head, 'name')) return;
      found = nameInSection(bytes, head.contentOffset, head.end, func);
    });
  } catch {
    // sections past a malformed one are not looked at; the name is optional
  }
  return found;
}

/** Function `func`'s name in the function-names subsection (id 1) of a `name` section's payload. */
function nameInSection(bytes: Uint8Array, start: number, end: number, func: number): string | undefined {
  try {
    const r = new ByteReader(bytes, start, end);
    while (!r.atEnd()) {
      const id = r.u8('name subsection id');
      const size = r.u32('name subsection size');
      if (size > r.remaining) return undefined;
      const next = r.pos + size;
      if (id === 1) {
        const n = r.count('function name', 2);
        for (let i = 0; i < n; i++) {
          const idx = r.u32('function index');
          const name = r.nameValue('function name');
          if (idx === func) return name;
        }
        return undefined;
      }
      if (id > 1) return undefined;
      r.pos = next;
    }
  } catch {
    // a malformed name section names nothing
  }
  return undefined;
}

/** Names longer than this are cut in messages (a hostile name section may hold megabyte names). */
const MAX_NAME_IN_MESSAGE = 200;

/** The finding's message with its place: `func 12 ($foo), i32.add at 0x1a2b: ...`; module-level findings keep their message. */
export function locatedMessage(f: LocatedFinding): string {
  if (f.func === undefined) return f.message;
  const name = f.funcName === undefined ? '' : ` ($${f.funcName.length > MAX_NAME_IN_MESSAGE ? `${f.funcName.slice(0, MAX_NAME_IN_MESSAGE)}…` : f.funcName})`;
  const instruction = f.instruction === undefined ? '' : `, ${f.instruction}`;
  return `func ${f.func}${name}${instruction} at ${hex(f.offset)}: ${f.message}`;
}
