import { codeRunningImports } from '../../code/host-calls';
import { functionNames } from '../../code/code-scan';
import { hex } from '../../binary/byte-reader';
import { byteSpan, codeOf, functionLabel } from './helpers';
import type { PolicyRule, RuleFinding } from './rule';
import { HIGH_ENTROPY_BITS } from './high-entropy-data';

/** Function tables, by their reference type's text. */
const FUNC_REF = /^(?:funcref|\(ref (?:null )?func\)|\(ref (?:null )?\d+\))$/;

/**
 * Code that is not in the code section: a WebAssembly module inside a data segment, a function table
 * that the module's own code fills and then calls through, or an encrypted/compressed segment together
 * with an import that runs code it is handed.
 */
export const packedPayload: PolicyRule = {
  id: 'packed-payload',
  title: 'Packed or hidden code',
  defaultSeverity: 'warning',
  policyKeys: ['code.scan', 'code.packedMinBytes'],
  readsCode: true,
  check(ctx) {
    const a = codeOf(ctx);
    if (!a || !ctx.bytes) return [];
    const out: RuleFinding[] = [];
    const exportsMemory = ctx.model.exports.some((e) => e.kind === 'memory');
    for (const s of a.segments) {
      for (const at of s.embeddedModules) {
        out.push({
          message: `Data segment ${s.index} holds a WebAssembly module (\\0asm header at ${hex(at)}): code the host can instantiate at run time${exportsMemory ? ' from the exported memory' : ''}, which the policy never sees. Check it on its own.`,
          span: byteSpan(at, 8),
          data: { segment: s.index, offset: at },
        });
      }
    }
    const called = new Set(a.indirectTables);
    const writes = a.tableWrites.filter((w) => called.has(w.table) && FUNC_REF.test(ctx.model.tables[w.table]?.refType ?? 'funcref') && w.instruction !== 'table.grow');
    const names = functionNames(ctx.bytes, [...new Set(writes.map((w) => w.func))]);
    const reported = new Set<string>();
    for (const w of writes) {
      const key = `${w.func}/${w.table}`;
      if (reported.has(key)) continue;
      reported.add(key);
      out.push({
        message: `${functionLabel(w.func, names)} writes function table ${w.table} (${w.instruction}) that the module calls through (call_indirect): which code runs is decided at run time.`,
        span: byteSpan(w.offset, 1),
        data: { func: w.func, table: w.table },
      });
    }
    const runners = codeRunningImports(ctx.model);
    if (runners.length) {
      const min = ctx.policy.code?.packedMinBytes ?? 16384;
      for (const s of a.segments) {
        if (s.size < min || s.entropy < HIGH_ENTROPY_BITS) continue;
        out.push({
          message: `Data segment ${s.index} (${s.size} bytes, ${s.entropy.toFixed(2)} bits of entropy per byte) looks encrypted or compressed, and the module imports ${runners.map((i) => `${i.module}.${i.name}`).join(', ')}, which runs code it is handed: a packed payload.`,
          span: byteSpan(s.offset, Math.min(s.size, 16)),
          data: { segment: s.index, entropy: s.entropy },
        });
      }
    }
    return out;
  },
};
