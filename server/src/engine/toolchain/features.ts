/**
 * WebAssembly feature flags the toolchain enables, and a cheap static guess of the features a
 * module needs (used to decide when binaryen's validator should give a second opinion).
 */
import type { Feature } from '../model';

/** wabt's feature flags, all enabled: passed to parseWat/readWasm AND to validate(). */
export const WABT_FEATURES = {
  exceptions: true,
  mutable_globals: true,
  sat_float_to_int: true,
  sign_extension: true,
  simd: true,
  threads: true,
  function_references: true,
  multi_value: true,
  tail_call: true,
  bulk_memory: true,
  reference_types: true,
  annotations: true,
  code_metadata: true,
  gc: true,
  memory64: true,
  multi_memory: true,
  extended_const: true,
  relaxed_simd: true,
} as const;

/** Names of the wabt features enabled (reported in ValidationResult.featuresEnabled). */
export const WABT_FEATURES_ENABLED: string[] = Object.keys(WABT_FEATURES);

/** binaryen runs with `Features.All`; reported as this one name. */
export const BINARYEN_FEATURES_ENABLED = 'binaryen:all';

/**
 * Features wabt 1.0.39 does not (fully) implement: when a module needs one of these, binaryen's
 * validator is asked as well, and its verdict wins when wabt rejects the module.
 */
export const WABT_WEAK_FEATURES: readonly Feature[] = ['gc', 'function-references', 'custom-page-sizes', 'exceptions'];

const TEXT_CLUES: [RegExp, Feature][] = [
  [/\bshared\b|\b(?:i32|i64)\.atomic\.|memory\.atomic\.|\batomic\.fence\b/, 'threads'],
  [/\(memory\b[^()]*\bi64\b|\(table\b[^()]*\bi64\b/, 'memory64'],
  [/\(struct\b|\(array\b|\(rec\b|\bstruct\.new|\barray\.new|\bref\.cast\b|\bref\.test\b|\b(?:any|eq|i31|struct|array|none)ref\b|\bref\.i31\b/, 'gc'],
  [/\(tag\b|\bthrow(?:_ref)?\b|\btry_table\b|\(try\b|\brethrow\b|\bexnref\b/, 'exceptions'],
  [/\bexternref\b|\bfuncref\b|\bref\.null\b|\bref\.func\b|\btable\.(?:get|set|grow|size|fill)\b/, 'reference-types'],
  [/\bv128\b|\b(?:i8x16|i16x8|i32x4|i64x2|f32x4|f64x2)\./, 'simd'],
  [/\.relaxed_|\brelaxed_/, 'relaxed-simd'],
  [/\breturn_call(?:_indirect|_ref)?\b/, 'tail-call'],
  [/\bmemory\.(?:copy|fill|init)\b|\bdata\.drop\b|\btable\.(?:copy|init)\b|\belem\.drop\b/, 'bulk-memory'],
  [/\(ref\s+(?:null\s+)?\$|\bcall_ref\b|\bref\.as_non_null\b|\bbr_on_(?:non_)?null\b/, 'function-references'],
  [/\(pagesize\b/, 'custom-page-sizes'],
];

/**
 * A quick, conservative guess of the proposals a module uses: keyword clues in WAT text, or, for a
 * binary, section-level clues (tag section, shared/64-bit memories, several memories). Not a full
 * decoder: code bodies are not scanned.
 */
export function detectFeaturesNeeded(input: string | Uint8Array): Feature[] {
  const found = new Set<Feature>();
  if (typeof input === 'string') {
    // strip line comments cheaply; block comments and strings rarely matter for a guess
    const text = input.replace(/;;[^\n]*/g, '');
    for (const [re, f] of TEXT_CLUES) if (re.test(text)) found.add(f);
    const memories = text.match(/\(memory\b/g)?.length ?? 0;
    if (memories > 1) found.add('multi-memory');
    return [...found];
  }
  detectBinaryFeatures(input, found);
  return [...found];
}

function detectBinaryFeatures(b: Uint8Array, found: Set<Feature>): void {
  let memories = 0;
  const readLeb = (pos: number): [number, number] => {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5 && pos < b.length; i++) {
      const byte = b[pos++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) return [result, pos];
    }
    return [-1, pos];
  };
  const limitsFlags = (flags: number) => {
    if (flags & 2) found.add('threads');
    if (flags & 4) found.add('memory64');
    if (flags & 8) found.add('custom-page-sizes');
  };
  if (b.length < 8) return;
  let pos = 8;
  while (pos < b.length) {
    const id = b[pos];
    const [size, payload] = readLeb(pos + 1);
    if (size < 0 || payload + size > b.length) return;
    if (id === 13) found.add('exceptions');
    if (id === 12) found.add('bulk-memory');
    if (id === 5) {
      const [count, p] = readLeb(payload);
      memories += Math.max(0, count);
      if (count > 0 && p < b.length) limitsFlags(b[p]);
    }
    pos = payload + size;
  }
  if (memories > 1) found.add('multi-memory');
}
