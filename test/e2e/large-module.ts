/**
 * A large, valid `.wasm` made at test time, shaped like a wasm-bindgen build (issue 22 measured a 45 MB
 * Rust module): hundreds of `env` imports, tens of thousands of functions with a name section, thousands
 * of exports, one bounded memory. Written byte by byte (no toolchain), in well under a second.
 */

function uleb(n: number, out: number[] = []): number[] {
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function name(s: string): number[] {
  const b = Buffer.from(s, 'utf8');
  return [...uleb(b.length), ...b];
}

export interface LargeModuleOptions {
  /** defined functions (default 35,000) */
  functions?: number;
  /** bytes per function body (default 1,280: 35,000 of them make about 45 MB) */
  bodyBytes?: number;
  /** imported functions (default 300) */
  imports?: number;
  /** exported functions (default 2,000) */
  exports?: number;
}

export function largeModule(o: LargeModuleOptions = {}): Buffer {
  const nFuncs = o.functions ?? 35_000;
  const bodyBytes = Math.max(16, o.bodyBytes ?? 1_280);
  const nImports = o.imports ?? 300;
  const nExports = Math.min(o.exports ?? 2_000, nFuncs);
  const parts: Buffer[] = [Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00])];
  const section = (id: number, payload: number[] | Buffer) => {
    const p = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
    parts.push(Buffer.from([id, ...uleb(p.length)]), p);
  };
  // type 0: (i32) -> i32
  section(1, [1, 0x60, 1, 0x7f, 1, 0x7f]);
  const imports: number[] = [...uleb(nImports)];
  for (let i = 0; i < nImports; i++) imports.push(...name('./app_bg.js'), ...name(`__wbg_import_${i}`), 0x00, 0x00);
  section(2, imports);
  const funcs: number[] = [...uleb(nFuncs)];
  for (let i = 0; i < nFuncs; i++) funcs.push(0x00);
  section(3, funcs);
  section(5, [1, 0x01, 17, ...uleb(256)]); // memory: min 17, max 256 pages
  const exps: number[] = [...uleb(nExports + 1), ...name('memory'), 0x02, 0x00];
  for (let i = 0; i < nExports; i++) exps.push(...name(`api_function_${i}`), 0x00, ...uleb(nImports + i));
  section(7, exps);
  // each body: no locals; (local.get 0, i32.const k, i32.add, local.set 0) repeated; local.get 0; end
  const unit = (k: number) => [0x20, 0x00, 0x41, k & 0x3f, 0x6a, 0x21, 0x00];
  const repeats = Math.max(0, Math.floor((bodyBytes - 4) / 7));
  const body: number[] = [0x00];
  for (let r = 0; r < repeats; r++) body.push(...unit(r));
  body.push(0x20, 0x00, 0x0b);
  const bodyWithSize = Buffer.from([...uleb(body.length), ...body]);
  const codeHead = Buffer.from(uleb(nFuncs));
  const code = Buffer.alloc(codeHead.length + bodyWithSize.length * nFuncs);
  codeHead.copy(code, 0);
  for (let i = 0; i < nFuncs; i++) bodyWithSize.copy(code, codeHead.length + i * bodyWithSize.length);
  section(10, code);
  // name section: function names (imports and defined), like a Rust build's mangled-and-demangled names
  const fnames: number[] = [...uleb(nImports + nFuncs)];
  for (let i = 0; i < nImports; i++) fnames.push(...uleb(i), ...name(`__wbg_import_${i}`));
  for (let i = 0; i < nFuncs; i++) fnames.push(...uleb(nImports + i), ...name(`app::module_${i % 97}::function_${i}`));
  const sub = Buffer.from([1, ...uleb(fnames.length), ...fnames]);
  section(0, Buffer.concat([Buffer.from(name('name')), sub]));
  return Buffer.concat(parts);
}
