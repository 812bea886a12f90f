/**
 * The sandbox's resource limits in one table: each limit's option name, default and unit. Everything that
 * treats limits alike reads this table: the defaults the guest's thread applies, and the clamp of an
 * untrusted workspace (trust.ts), which may lower a limit but never raise it above its default.
 *
 * A new limit is a numeric `SandboxOptions` field named `max...` (or `timeoutMs`, `fuel`): the type
 * `LimitName` picks those up, so the compiler asks for its row here before it can be used.
 */
import type { SandboxOptions } from './types';

/** the numeric options whose larger value widens the sandbox */
export type LimitName = Extract<keyof SandboxOptions, `max${string}` | 'timeoutMs' | 'fuel'>;

export interface LimitSpec {
  /** the value when the option is absent; undefined: unlimited */
  default: number | undefined;
  unit: 'ms' | 'bytes' | 'elements' | 'instructions';
  /** what it bounds, for messages and docs */
  covers: string;
}

export const SANDBOX_LIMITS: { readonly [K in LimitName]-?: LimitSpec } = {
  timeoutMs: { default: 10_000, unit: 'ms', covers: 'wall-clock time of the whole run' },
  maxMemoryBytes: { default: 256 * 1024 * 1024, unit: 'bytes', covers: 'linear memory' },
  maxOutputBytes: { default: 1024 * 1024, unit: 'bytes', covers: 'stdout and stderr, each' },
  maxTableElements: { default: 1_000_000, unit: 'elements', covers: 'elements of all tables together' },
  maxWriteBytes: { default: 64 * 1024 * 1024, unit: 'bytes', covers: 'bytes added to files in the mounts, all writes together' },
  fuel: { default: undefined, unit: 'instructions', covers: 'instructions executed (approximate)' },
};

export const LIMIT_NAMES = Object.keys(SANDBOX_LIMITS) as LimitName[];

/** The value a limit has in a run: the option, else its default (undefined: unlimited). */
export function limitOf(options: Partial<SandboxOptions>, name: LimitName): number | undefined {
  const v = options[name];
  return typeof v === 'number' ? v : SANDBOX_LIMITS[name].default;
}
