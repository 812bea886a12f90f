// Generated artefacts, produced from the engine's own definitions (run by scripts/build.mjs):
// - dist/policy.schema.json: the JSON schema of wasm-warden.policy.json.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { policyJsonSchema } from '../server/src/engine/policy/schema';

/** Writes the generated files under `outDir` (default: the repository's dist/); returns their paths. */
export function generate(outDir = path.resolve(__dirname, '..', 'dist')): string[] {
  const out = path.join(outDir, 'policy.schema.json');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(out, JSON.stringify(policyJsonSchema(), null, 2) + '\n');
  return [out];
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  for (const file of generate()) console.log(`wrote ${path.relative(root, file)}`);
}
