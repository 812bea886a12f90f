/** The toolchain's public API: what the language server and the CLI call. */
export { validateWat, validateWasm, type ValidationResult } from './validate';
export { compileWat, type CompileResult } from './compile';
export { disassemble, type DisassembleResult, type DisassembleOptions } from './disassemble';
export { wabtDisassemble, WABT_DISASSEMBLE_MAX_BYTES, type WabtDisassembleResult } from './wabt-disassemble';
export { optimize, type OptimizeOptions, type OptimizeResult, type OptimizeLevel } from './optimize';
export { sizeReport, hasLeadingSignature, type SizeReport } from './sections';
export { detectFeaturesNeeded, WABT_FEATURES_ENABLED, BINARYEN_FEATURES_ENABLED } from './features';
export { ToolchainClient, ToolchainError, request, getToolchainClient, shutdownToolchain, type RequestOptions } from './client';
export type { ToolchainOptions } from './common';
