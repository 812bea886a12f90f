import { firstMatch } from '../glob';
import { byteSpan, codeOf } from './helpers';
import type { PolicyRule, RuleFinding } from './rule';

/** Kinds of data strings that name a network endpoint. */
const ENDPOINT_KINDS = new Set(['url', 'pool', 'ip', 'host']);

/** Findings past this many hosts per module are counted in one last finding. */
export const MAX_ENDPOINT_FINDINGS = 20;

/**
 * Network endpoints named in data segments (URLs, `stratum+tcp://` pools, IP addresses, host names)
 * whose host the policy's `code.allowedEndpoints` does not list. One finding per host, on its first string.
 */
export const networkEndpoint: PolicyRule = {
  id: 'network-endpoint',
  title: 'Network endpoint not in the allowed list',
  defaultSeverity: 'warning',
  policyKeys: ['code.scan', 'code.allowedEndpoints'],
  readsCode: true,
  check(ctx) {
    const a = codeOf(ctx);
    if (!a) return [];
    const allowed = ctx.policy.code?.allowedEndpoints ?? [];
    const byHost = new Map<string, { first: (typeof a.strings.items)[number]; count: number }>();
    for (const s of a.strings.items) {
      if (!ENDPOINT_KINDS.has(s.kind) || !s.host) continue;
      if (allowed.length && firstMatch(allowed, s.host, 'name') !== undefined) continue;
      const e = byHost.get(s.host);
      if (e) e.count++;
      else byHost.set(s.host, { first: s, count: 1 });
    }
    const out: RuleFinding[] = [];
    for (const [host, { first, count }] of byHost) {
      if (out.length === MAX_ENDPOINT_FINDINGS) {
        out.push({
          message: `${byHost.size - MAX_ENDPOINT_FINDINGS} more hosts named in data are not in code.allowedEndpoints (run \`wasm-warden inspect\` for the list).`,
          span: byteSpan(first.offset, first.value.length),
          data: { more: byHost.size - MAX_ENDPOINT_FINDINGS },
        });
        break;
      }
      const what = first.kind === 'pool' ? 'a mining pool endpoint' : first.kind === 'url' ? 'a URL' : first.kind === 'ip' ? 'an IP address' : 'a host name';
      out.push({
        message: `Data segment ${first.segment} names ${what}, "${first.value}"${count > 1 ? ` (and ${count - 1} more string${count === 2 ? '' : 's'} with host ${host})` : ''}; host ${host} is not in code.allowedEndpoints.`,
        span: byteSpan(first.offset, first.value.length),
        data: { host, kind: first.kind, value: first.value },
      });
    }
    return out;
  },
};
