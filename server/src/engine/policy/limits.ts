/**
 * The bounds a policy file and its globs are held to. A policy comes with the repository that was
 * cloned, so it is hostile input: whatever it holds, loading it and matching its globs must cost time
 * and memory linear in its size with small constants, never crash and never hang. Each bound is far
 * above what a real policy needs (the largest real ones are a few kilobytes, a handful of levels deep,
 * with tens of globs), and crossing one is reported as an error on the policy file; the last good
 * policy stays in force. docs/rules/README.md lists them for users.
 */

/** Largest policy file: bytes on disk, or characters of an open editor buffer. Bigger files are not read. */
export const POLICY_MAX_BYTES = 1024 * 1024;

/**
 * Deepest nesting of lists and objects. A valid policy needs 6 (`overrides[].imports.wasi` ...); the
 * JSON parser recurses once per level, so deeper text is refused by a linear scan before it is parsed.
 */
export const POLICY_MAX_DEPTH = 64;

/** Most glob patterns in one policy (every glob list entry and `integrity` key counts). */
export const POLICY_MAX_GLOBS = 10_000;

/**
 * Most characters all globs of one policy may spell once their `{}` alternatives are written out:
 * bounds what the compiled matchers hold, whatever the mix of many small and few braced globs.
 */
export const POLICY_MAX_GLOB_EXPANSION = 1024 * 1024;

/**
 * Glob matching one rule may do over one module, in alternatives tested × (1 + characters of the
 * tested name / 64). Matching one name against one glob is linear, but a policy's thousands of globs
 * times a module's hundreds of thousands of names is not; past this, the rule stops with a finding
 * that names how many names went unchecked. A real policy over a real module spends a few thousand.
 */
export const POLICY_MAX_GLOB_WORK = 2_000_000;

/** Most problems listed for one policy file; the rest are counted in one last diagnostic. */
export const POLICY_MAX_DIAGNOSTICS = 100;

/**
 * Most globs in one list of the workspace scan's settings (include, exclude with files.exclude): each
 * is tried on every folder and file the scan meets. The rest are skipped and named in the log.
 */
export const SCAN_MAX_GLOBS = 1_000;

/** Longest glob pattern, in characters. */
export const GLOB_MAX_LENGTH = 1024;

/** Deepest nesting of `{}` alternatives in one glob. */
export const GLOB_MAX_BRACE_DEPTH = 8;

/** Most alternatives one glob's `{}` may expand to. */
export const GLOB_MAX_ALTERNATIVES = 256;

/** Longest excerpt of a value quoted in a message (a 10 MB glob is named by its start and its length). */
export const MESSAGE_MAX_QUOTE = 80;

/** `text` for a message: as is when short, else its start, an ellipsis and its length. */
export function quoteForMessage(text: string): string {
  if (text.length <= MESSAGE_MAX_QUOTE) return text;
  return `${text.slice(0, MESSAGE_MAX_QUOTE - 1)}… (${text.length.toLocaleString('en-US')} characters)`;
}
