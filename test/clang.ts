/**
 * What a test that needs Debian's clang for wasm32 (clang, lld, wasi-libc, libclang-rt-14-dev-wasm32) does
 * when it is missing. `npm test` installs them first (test/setup.sh) and sets WASM_WARDEN_REQUIRE_CLANG=1, and
 * CI sets CI=true: there the test fails, so nothing skips silently on a fresh machine. A layer run by hand
 * (`npm run test:unit`) on a machine without them skips the test with a message saying how to install them.
 */
import * as assert from 'node:assert/strict';

export const CLANG_INSTALL_HINT = '`bash test/setup.sh` installs clang, lld, wasi-libc and libclang-rt-14-dev-wasm32 with apt-get';

/** True when a missing clang must fail the test instead of skipping it. */
export function clangRequired(): boolean {
  return process.env.CI === 'true' || process.env.WASM_WARDEN_REQUIRE_CLANG === '1';
}

/** Skips the test `t` (or fails it, see clangRequired) because clang cannot build for wasm32: `why`. */
export function clangMissing(t: { skip(message?: string): void }, why: string): void {
  if (clangRequired()) assert.fail(`${why}: this test needs clang for wasm32 (${CLANG_INSTALL_HINT})`);
  t.skip(`${why} (${CLANG_INSTALL_HINT})`);
}
