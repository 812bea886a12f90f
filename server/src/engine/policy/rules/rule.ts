/**
 * What a policy rule is: a stable id, a default severity, a title, and a check over a ModuleModel.
 * Rules report findings; checkModel (../check.ts) turns them into EngineDiagnostics with the
 * severity the policy gives the rule.
 */
import type { EngineDiagnostic } from '../../diagnostic';
import type { ModuleModel } from '../../model';
import type { Span } from '../../span';
import type { EffectivePolicy } from '../definition';
import type { ApprovedModule } from '../../approvals/lock';

export interface RuleContext {
  model: ModuleModel;
  policy: EffectivePolicy;
  /** the module's bytes, when checking a binary */
  bytes?: Uint8Array;
  /** the module's file path as the caller has it (absolute in the server and CLI) */
  filePath?: string;
  /** the folder of the policy file, for paths the policy gives relative to itself */
  policyDir?: string;
  /** the approved versions of this module, when a lock file of approved versions exists beside the policy */
  approvals?: ModuleApprovals;
}

/** What the lock file says about one module (see ../../approvals/lock.ts). */
export interface ModuleApprovals {
  lockFile: string;
  /** the module's key in the lock */
  key: string;
  /** its approved versions, oldest first; undefined when none */
  module?: ApprovedModule;
  /** why the lock cannot be used */
  problem?: string;
}

export interface RuleFinding {
  message: string;
  span: Span;
  /** what a quick fix needs (e.g. `{ module, name }`, `{ memoryIndex }`) */
  data?: Record<string, unknown>;
  related?: EngineDiagnostic['related'];
}

export interface PolicyRule {
  /** stable id: the diagnostic code and the key in the policy's `rules` */
  id: string;
  title: string;
  defaultSeverity: 'error' | 'warning' | 'info';
  /** the policy keys the rule reads */
  policyKeys: readonly string[];
  check(ctx: RuleContext): RuleFinding[];
  /**
   * Components (`model.kind === 'component'`, `model.component` set): `'same'` when `check` applies to
   * them as it is (custom sections, signatures, digests), or a check of its own over the component's
   * imports and exports. Rules without it do not apply to components (memories, tables, features are
   * the nested core modules' business).
   */
  component?: 'same' | ((ctx: RuleContext) => RuleFinding[]);
  /** a code rule: it reads the code analysis (helpers' codeOf), so it finds nothing unless `code.scan` is on; not run then */
  readsCode?: true;
}

/** Where a rule's documentation lives in the repository. */
export function ruleDocPath(id: string): string {
  return `docs/rules/${id}.md`;
}
