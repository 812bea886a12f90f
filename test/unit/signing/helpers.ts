/** Test helpers: real modules built from WAT with wabt, and an independent hand-written payload codec. */
import { createRequire } from 'node:module';

const require = createRequire(__filename);

type Wabt = { parseWat(name: string, text: string): { toBinary(o: object): { buffer: Uint8Array }; destroy(): void } };
let wabtPromise: Promise<Wabt> | undefined;

export async function wat2wasm(text: string): Promise<Uint8Array> {
  wabtPromise ??= (require('wabt') as () => Promise<Wabt>)();
  const wabt = await wabtPromise;
  const m = wabt.parseWat('test.wat', text);
  try {
    return new Uint8Array(m.toBinary({}).buffer);
  } finally {
    m.destroy();
  }
}

/** A module of a few KB with several sections (type, import, function, memory, global, export, code, data). */
export async function sampleModule(): Promise<Uint8Array> {
  const funcs = Array.from(
    { length: 24 },
    (_, i) => `(func $f${i} (export "f${i}") (param i32) (result i32)
      local.get 0 i32.const ${i * 7 + 1} i32.add global.get $g i32.mul
      i32.const ${i} call $log drop)`,
  ).join('\n');
  const data = 'x'.repeat(2500);
  return wat2wasm(`(module
    (import "env" "log" (func $log (param i32) (result i32)))
    (memory (export "memory") 1)
    (global $g (mut i32) (i32.const 3))
    ${funcs}
    (data (i32.const 16) "${data}"))`);
}

export function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

/** Hand-encodes a signature payload from the documented layout (independent of the engine's encoder). */
export function handEncodePayload(entries: { hashes: Uint8Array[]; sigs: { keyId: Uint8Array; alg?: number; sig: Uint8Array }[] }[]): Uint8Array {
  const withLen = (b: Buffer) => Buffer.concat([Buffer.from(leb(b.length)), b]);
  const parts: Buffer[] = [Buffer.from([0x01, 0x01, 0x01, ...leb(entries.length)])];
  for (const e of entries) {
    const body: Buffer[] = [Buffer.from(leb(e.hashes.length)), ...e.hashes.map((h) => Buffer.from(h)), Buffer.from(leb(e.sigs.length))];
    for (const s of e.sigs) {
      body.push(withLen(Buffer.concat([Buffer.from(leb(s.keyId.length)), Buffer.from(s.keyId), Buffer.from([s.alg ?? 0x01, ...leb(s.sig.length)]), Buffer.from(s.sig)])));
    }
    parts.push(withLen(Buffer.concat(body)));
  }
  return new Uint8Array(Buffer.concat(parts));
}

export function handCustomSection(name: string, content: Uint8Array): Uint8Array {
  const nameBytes = Buffer.from(name);
  const payload = Buffer.concat([Buffer.from(leb(nameBytes.length)), nameBytes, Buffer.from(content)]);
  return new Uint8Array(Buffer.concat([Buffer.from([0, ...leb(payload.length)]), payload]));
}

/** Hand-written decoder of the documented layout (assumes well-formed input). */
export function handDecodePayload(p: Uint8Array) {
  let i = 0;
  const u = () => {
    let r = 0;
    let s = 0;
    for (;;) {
      const b = p[i++];
      r |= (b & 0x7f) << s;
      s += 7;
      if (!(b & 0x80)) return r >>> 0;
    }
  };
  const header = [p[i++], p[i++], p[i++]];
  const n = u();
  const entries = [];
  for (let e = 0; e < n; e++) {
    const len = u();
    const end = i + len;
    const hc = u();
    const hashes = [];
    for (let h = 0; h < hc; h++, i += 32) hashes.push(Buffer.from(p.subarray(i, i + 32)).toString('hex'));
    const sc = u();
    const sigs = [];
    for (let s = 0; s < sc; s++) {
      const sl = u();
      const send = i + sl;
      const kl = u();
      const keyId = Buffer.from(p.subarray(i, i + kl)).toString('hex');
      i += kl;
      const alg = p[i++];
      const gl = u();
      const sig = p.slice(i, i + gl);
      i += gl;
      if (i !== send) throw new Error('signature entry length mismatch');
      sigs.push({ keyId, alg, sig });
    }
    if (i !== end) throw new Error('signed hashes entry length mismatch');
    entries.push({ hashes, sigs });
  }
  if (i !== p.length) throw new Error('trailing bytes');
  return { header, entries };
}

/** Hand-written section splitter: [offset, end, name?] of each section after the preamble. */
export function handSections(b: Uint8Array): { offset: number; end: number; name?: string; contentStart?: number }[] {
  const out = [];
  let i = 8;
  while (i < b.length) {
    const offset = i;
    const id = b[i++];
    let size = 0;
    let shift = 0;
    for (;;) {
      const x = b[i++];
      size |= (x & 0x7f) << shift;
      shift += 7;
      if (!(x & 0x80)) break;
    }
    const end = i + size;
    let name: string | undefined;
    let contentStart: number | undefined;
    if (id === 0) {
      const nl = b[i++];
      name = Buffer.from(b.subarray(i, i + nl)).toString();
      contentStart = i + nl;
    }
    out.push({ offset, end, name, contentStart });
    i = end;
  }
  return out;
}
