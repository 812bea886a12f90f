/** The settings are declared once (server/src/settings-definition.ts): package.json is generated from it, and its defaults are the server's. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SETTINGS } from '../../../server/src/settings-definition';
import { DEFAULT_SETTINGS } from '../../../server/src/protocol';
import { packageJsonWithSettings } from '../../../scripts/generate';

const ROOT = path.resolve(__dirname, '..', '..', '..');

test('package.json holds the settings of the definition (run the build to regenerate it)', () => {
  const text = fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8');
  assert.equal(packageJsonWithSettings(text), text);
  const pkg = JSON.parse(text);
  assert.deepEqual(Object.keys(pkg.contributes.configuration.properties), Object.keys(SETTINGS));
  assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes('wasmWarden.sandbox.configurations'));
  assert.equal(pkg.contributes.configuration.properties['wasmWarden.format.lineWidth'].restricted, undefined, 'the definition\'s own flags stay out');
});

test('every default of the definition is the server\'s, and every setting the server reads is declared', () => {
  const leaves = new Map<string, unknown>();
  const walk = (o: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(o)) {
      if (v && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, `${prefix}${k}.`);
      else leaves.set(`${prefix}${k}`, v);
    }
  };
  walk(DEFAULT_SETTINGS as unknown as Record<string, unknown>, 'wasmWarden.');
  leaves.delete('wasmWarden.trusted'); // the workspace's trust state: from the client, not a setting
  for (const [key, value] of leaves) {
    assert.ok(SETTINGS[key], `${key} is read by the server but not declared`);
    assert.deepEqual(SETTINGS[key].default, value, `${key}: the declared default is not the server's`);
  }
});
