// Generated artefacts, produced from the engine's and the server's own definitions (run by scripts/build.mjs):
// - dist/policy.schema.json: the JSON schema of wasm-warden.policy.json;
// - dist/lock.schema.json: the JSON schema of wasm-warden.lock.json (approved module versions);
// - package.json: the settings (`contributes.configuration.properties`) and the ones an untrusted
//   workspace cannot set (`capabilities.untrustedWorkspaces.restrictedConfigurations`), and the editor
//   defaults for WAT (`contributes.configurationDefaults`), from
//   server/src/settings-definition.ts. package.json is written only when they changed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { policyJsonSchema } from '../server/src/engine/policy/schema';
import { lockJsonSchema } from '../server/src/engine/approvals/lock';
import { configurationProperties, EDITOR_DEFAULTS, restrictedSettings } from '../server/src/settings-definition';

/** package.json's text with the settings of the definition (the rest as it is). */
export function packageJsonWithSettings(text: string): string {
  const pkg = JSON.parse(text);
  pkg.contributes.configuration.properties = configurationProperties();
  pkg.capabilities.untrustedWorkspaces.restrictedConfigurations = restrictedSettings();
  pkg.contributes.configurationDefaults = EDITOR_DEFAULTS;
  return JSON.stringify(pkg, null, 2) + '\n';
}

/** Writes the generated files under `outDir` (default: the repository's dist/) and, given its path, package.json's settings; returns the paths written. */
export function generate(outDir = path.resolve(__dirname, '..', 'dist'), packageJson?: string): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  const out = path.join(outDir, 'policy.schema.json');
  fs.writeFileSync(out, JSON.stringify(policyJsonSchema(), null, 2) + '\n');
  const lock = path.join(outDir, 'lock.schema.json');
  fs.writeFileSync(lock, JSON.stringify(lockJsonSchema(), null, 2) + '\n');
  const written = [out, lock];
  if (packageJson) {
    const before = fs.readFileSync(packageJson, 'utf8');
    const after = packageJsonWithSettings(before);
    if (after !== before) {
      fs.writeFileSync(packageJson, after);
      written.push(packageJson);
    }
  }
  return written;
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  for (const file of generate(undefined, path.join(root, 'package.json'))) console.log(`wrote ${path.relative(root, file)}`);
}
