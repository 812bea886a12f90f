/** A helper of the assembler's tests: compare binaries with their names left out. */

/** The binary without its `name` section (names are compared nowhere: wabt.js writes none). */
export function withoutNames(b: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [b.subarray(0, 8)];
  let p = 8;
  while (p < b.length) {
    const start = p;
    p++;
    let size = 0;
    let shift = 0;
    for (;;) {
      const x = b[p++];
      size += (x & 0x7f) * 2 ** shift;
      shift += 7;
      if (x < 0x80) break;
    }
    const end = p + size;
    const isName = b[start] === 0 && b[p] === 4 && String.fromCharCode(...b.subarray(p + 1, p + 5)) === 'name';
    if (!isName) parts.push(b.subarray(start, end));
    p = end;
  }
  return Buffer.concat(parts);
}

