/** Shannon entropy of bytes, in bits per byte (0: one repeated value, 8: uniformly random). */

const counts = new Uint32Array(256);

export function byteEntropy(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const n = end - start;
  if (n <= 0) return 0;
  counts.fill(0);
  for (let i = start; i < end; i++) counts[bytes[i]]++;
  let h = 0;
  for (let b = 0; b < 256; b++) {
    const c = counts[b];
    if (c) {
      const p = c / n;
      h -= p * Math.log2(p);
    }
  }
  return h;
}
