/** The policy's JSON schema with the registered rules filled in (what dist/policy.schema.json holds). */
import { policySchema } from './definition';
import { RULES } from './rules';

export function policyJsonSchema(): Record<string, unknown> {
  return policySchema(RULES);
}
