/**
 * The `producers` custom section (tool conventions): the languages, tools (`processed-by`) and SDKs that
 * made a module, each with a version. Bounds-checked; a malformed section yields what was read and a note.
 */
import { ByteReader } from '../binary/byte-reader';

export interface Producer {
  /** `language`, `processed-by` or `sdk` (other field names are kept as they are) */
  field: string;
  name: string;
  version: string;
}

export function readProducers(bytes: Uint8Array, start: number, end: number): { producers: Producer[]; error?: string } {
  const out: Producer[] = [];
  try {
    const r = new ByteReader(bytes, start, end);
    const fields = r.count('producers field', 2);
    for (let f = 0; f < fields; f++) {
      const field = r.nameValue('field name');
      const n = r.count('producer', 2);
      for (let i = 0; i < n; i++) out.push({ field, name: r.nameValue('producer name'), version: r.nameValue('producer version') });
    }
    return { producers: out };
  } catch (e) {
    return { producers: out, error: `malformed producers section: ${(e as Error).message}` };
  }
}
