/**
 * The "baseline policy" operation: a policy that allows exactly what the given modules use (imports,
 * memory, tables, exports, features; a component's own imports by name and the WASI groups they need),
 * so a team can start strict from what it ships today.
 */
import { baselinePolicy } from '../policy/check';
import type { PolicyStore } from '../policy/store';
import { checkFile } from './check';

export interface BaselineResult {
  /** the policy file text */
  text: string;
  /** how many core modules and components it was built from */
  modules: number;
}

/** Throws when no core module or component is found in `files` (unreadable inputs do not count). */
export function baselinePolicyText(files: string[], store: PolicyStore): BaselineResult {
  const models = files.flatMap((f) => checkFile(f, store).models.filter((m) => m.kind === 'module' || m.component !== undefined));
  if (models.length === 0) throw new Error('no core module or component found to build a baseline from');
  return { text: JSON.stringify(baselinePolicy(models), null, 2) + '\n', modules: models.length };
}
