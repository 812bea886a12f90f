/**
 * The code-scan test guests: C programs in test/fixtures/code-scan built with Debian's clang for
 * wasm32-wasi (positives: a miner, a ransomware-like program; benign look-alikes: a sha256sum, a CRC with a
 * PRNG), and their obfuscated variants made with binaryen.js.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const CODE_SCAN_FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'code-scan');

/**
 * PATH without `node_modules/.bin`: clang runs `wasm-opt` after linking an optimised build when it finds
 * one on PATH, and under `npm run` that is binaryen.js's, which would strip the names and reshape the code.
 */
function pathWithoutNodeModules(): string {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((d) => !d.split(path.sep).includes('node_modules'))
    .join(path.delimiter);
}

/** Builds `<name>.c` at -O2 (throws when clang cannot: the caller fails or skips, see test/clang.ts). */
export function buildGuest(name: string, flags: string[] = ['-O2']): Uint8Array {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ww-code-'));
  try {
    const out = path.join(dir, `${name}.wasm`);
    execFileSync('clang', ['--target=wasm32-wasi', ...flags, path.join(CODE_SCAN_FIXTURES, `${name}.c`), '-o', out], { stdio: 'pipe', timeout: 60_000, env: { ...process.env, PATH: pathWithoutNodeModules() } });
    return new Uint8Array(fs.readFileSync(out));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs binaryen passes over a module (optimize at `level`, then `passes`), optionally dropping its names. */
export async function binaryenVariant(bytes: Uint8Array, o: { level?: number; passes?: string[]; stripNames?: boolean }): Promise<Uint8Array> {
  const binaryen = (await import('binaryen')).default;
  const mod = binaryen.readBinary(bytes);
  try {
    mod.setFeatures(binaryen.Features.All);
    if (o.level !== undefined) {
      binaryen.setOptimizeLevel(o.level);
      binaryen.setShrinkLevel(0);
      mod.optimize();
    }
    if (o.passes?.length) mod.runPasses(o.passes);
    if (o.stripNames) mod.runPasses(['strip-debug', 'strip-producers']);
    return mod.emitBinary();
  } finally {
    mod.dispose();
  }
}
