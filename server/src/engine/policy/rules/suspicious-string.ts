import { byteSpan, codeOf } from './helpers';
import type { PolicyRule, RuleFinding } from './rule';

/** Findings past this many per module are counted in one last finding. */
const MAX_FINDINGS = 50;

/**
 * Strings in data segments a reviewer should see: wallet addresses, miner names, shell commands, and
 * paths into sensitive host locations (credentials, system files) that no sandbox mount covers.
 */
export const suspiciousString: PolicyRule = {
  id: 'suspicious-string',
  title: 'Suspicious string in data (wallet, shell command, host path)',
  defaultSeverity: 'warning',
  policyKeys: ['code.scan', 'sandbox.dirs'],
  readsCode: true,
  check(ctx) {
    const a = codeOf(ctx);
    if (!a) return [];
    const mounts = (ctx.policy.sandbox?.dirs ?? []).filter((d) => d.guest).map((d) => d.guest!.replace(/\/+$/, '') + '/');
    const out: RuleFinding[] = [];
    let more = 0;
    for (const s of a.strings.items) {
      let what: string;
      if (s.kind === 'wallet') what = `a ${s.detail} wallet address`;
      else if (s.kind === 'mining') what = `the name of miner software (${s.detail})`;
      else if (s.kind === 'shell') what = `a shell command (${s.detail})`;
      else if (s.kind === 'path') {
        const p = s.detail ?? s.value;
        if (mounts.some((m) => p.startsWith(m))) continue;
        what = `a path into a sensitive host location (${p}) outside the sandbox mounts`;
      } else continue;
      if (out.length >= MAX_FINDINGS) {
        more++;
        continue;
      }
      out.push({ message: `Data segment ${s.segment} holds ${what}: "${s.value}".`, span: byteSpan(s.offset, s.value.length), data: { kind: s.kind, value: s.value } });
    }
    if (more) out.push({ message: `${more} more suspicious strings in data are not listed (run \`wasm-warden inspect\` for all of them).`, span: out[0].span, data: { more } });
    return out;
  },
};
