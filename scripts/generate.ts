// Generated artefacts, produced from the engine's own definitions (run by scripts/build.mjs):
// - dist/policy.schema.json: the JSON schema of wasm-warden.policy.json.
// - dist/lock.schema.json: the JSON schema of wasm-warden.lock.json (approved module versions).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { policyJsonSchema } from '../server/src/engine/policy/schema';
import { lockJsonSchema } from '../server/src/engine/approvals/lock';

/** Writes the generated files under `outDir` (default: the repository's dist/); returns their paths. */
export function generate(outDir = path.resolve(__dirname, '..', 'dist')): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, 'policy.schema.json');
  fs.writeFileSync(out, JSON.stringify(policyJsonSchema(), null, 2) + '\n');
  const lock = path.join(outDir, 'lock.schema.json');
  fs.writeFileSync(lock, JSON.stringify(lockJsonSchema(), null, 2) + '\n');
  return [out, lock];
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  for (const file of generate()) console.log(`wrote ${path.relative(root, file)}`);
}
