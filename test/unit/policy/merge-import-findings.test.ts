/**
 * One finding per refused import: the example policy's `wasi_snapshot_preview1.path_*` deny pattern and
 * the default's switched-off filesystem-write capability both refuse path_unlink_file; that is one
 * finding naming both reasons, and it does not claim the user's policy has an imports.wasi it lacks.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkModel } from '../../../server/src/engine/policy/check';
import { effectivePolicy } from '../../../server/src/engine/policy/load';
import { model, ORIGINS } from './model-builder';

describe('import findings: one per import, every reason', () => {
  for (const origin of ORIGINS) {
    it(`${origin}: a denied path_* import with its capability off is one finding naming both`, () => {
      const m = model(origin).import('wasi_snapshot_preview1', 'path_unlink_file').import('wasi_snapshot_preview1', 'fd_write').build();
      const ds = checkModel(m, effectivePolicy({ imports: { deny: ['wasi_snapshot_preview1.path_*'] } }, 'm.wasm'));
      const onImport = ds.filter((d) => d.span.start === m.imports[0].span.start);
      assert.equal(onImport.length, 1, JSON.stringify(onImport, null, 1));
      const [d] = onImport;
      assert.equal(d.code, 'import-not-allowed');
      assert.equal(d.severity, 'error');
      assert.match(d.message, /denied by the pattern "wasi_snapshot_preview1\.path_\*" in imports\.deny/);
      assert.match(d.message, /Also, it needs the WASI capability "filesystem-write"/);
      assert.match(d.message, /off by default \(imports\.wasi\.filesystem-write\)/);
      assert.doesNotMatch(d.message, /which imports\.wasi denies/);
      assert.deepEqual(d.data?.rules, ['import-not-allowed', 'wasi-capability-denied']);
      assert.equal(d.data?.capability, 'filesystem-write');
      assert.equal(ds.filter((x) => x.span.start === m.imports[1].span.start).length, 0, 'fd_write is allowed');
    });

    it(`${origin}: a rule switched off leaves the other's finding alone`, () => {
      const m = model(origin).import('wasi_snapshot_preview1', 'path_unlink_file').build();
      const ds = checkModel(m, effectivePolicy({ imports: { deny: ['wasi_snapshot_preview1.path_*'] }, rules: { 'import-not-allowed': 'off' } }, 'm.wasm'));
      assert.deepEqual(ds.map((d) => d.code), ['wasi-capability-denied']);
      assert.equal(ds[0].data?.rules, undefined);
      const explicit = checkModel(m, effectivePolicy({ imports: { wasi: { 'filesystem-write': false } } }, 'm.wasm'));
      assert.equal(explicit.length, 1);
    });
  }
});
