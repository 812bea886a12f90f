/** Making `.wasm` inputs for scenarios (with wabt, the library the product uses; here only to build inputs). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const wabtInit: () => Promise<any> = require('wabt');

/** Compiles WAT text to a binary with wabt (the same library the product uses; here only to make inputs). */
export async function wat2wasm(text: string, debugNames = false): Promise<Buffer> {
  const wabt = await wabtInit();
  const mod = wabt.parseWat('input.wat', text, { mutable_globals: true, sat_float_to_int: true, sign_extension: true, bulk_memory: true });
  try {
    mod.resolveNames();
    mod.validate();
    return Buffer.from(mod.toBinary({ write_debug_names: debugNames }).buffer);
  } finally {
    mod.destroy();
  }
}

