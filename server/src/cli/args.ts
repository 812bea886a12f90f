/**
 * A small, strict argument parser: long flags (`--name`, `--name=value`, `--no-color`), short aliases
 * (`-o FILE`), repeatable flags, and `--` (everything after it is positional, e.g. guest arguments).
 * Unknown flags and missing values are usage errors (exit code 2), with a did-you-mean hint.
 */
import { CliError } from './errors';

export interface FlagSpec {
  type: 'boolean' | 'string';
  /** one-letter (or `-O1`-style literal) aliases, without the dash */
  short?: string[];
  /** may be given more than once: the value is a list */
  multiple?: boolean;
  /** value placeholder for help texts */
  value?: string;
  description: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

export interface Parsed {
  flags: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** arguments after `--` */
  rest: string[];
}

export function parseArgs(argv: string[], specs: FlagSpecs, command: string): Parsed {
  const flags: Parsed['flags'] = {};
  const positionals: string[] = [];
  let rest: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) for (const s of spec.short ?? []) byShort.set(s, name);

  const set = (name: string, value: string | boolean) => {
    const spec = specs[name];
    if (spec.multiple) {
      const list = (flags[name] as string[] | undefined) ?? [];
      list.push(value as string);
      flags[name] = list;
    } else {
      flags[name] = value;
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      rest = argv.slice(i + 1);
      break;
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      const spec = specs[name];
      if (!spec) throw unknownFlag(`--${name}`, specs, command);
      if (spec.type === 'boolean') {
        if (inline !== undefined) throw new CliError(`${command}: --${name} does not take a value`);
        set(name, true);
      } else {
        const value = inline ?? argv[++i];
        if (value === undefined) throw new CliError(`${command}: --${name} needs a value${spec.value ? ` (${spec.value})` : ''}`);
        set(name, value);
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1 && arg !== '-') {
      const key = arg.slice(1);
      const name = byShort.get(key);
      if (!name) throw unknownFlag(arg, specs, command);
      const spec = specs[name];
      if (spec.type === 'boolean') {
        set(name, true);
      } else if (key.length > 1 && !spec.short?.includes(key)) {
        throw unknownFlag(arg, specs, command);
      } else {
        const value = argv[++i];
        if (value === undefined) throw new CliError(`${command}: ${arg} needs a value${spec.value ? ` (${spec.value})` : ''}`);
        set(name, value);
      }
      continue;
    }
    positionals.push(arg);
  }
  return { flags, positionals, rest };
}

function unknownFlag(flag: string, specs: FlagSpecs, command: string): CliError {
  const candidates = Object.entries(specs).flatMap(([n, s]) => [`--${n}`, ...(s.short ?? []).map((x) => `-${x}`)]);
  const near = closest(flag, candidates);
  return new CliError(`${command}: unknown option ${flag}${near ? ` (did you mean ${near}?)` : ''}. See \`wasm-warden ${command} --help\`.`);
}

export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return dp[b.length];
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function bool(p: Parsed, name: string): boolean {
  return p.flags[name] === true;
}

export function list(p: Parsed, name: string): string[] {
  const v = p.flags[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function oneOf<T extends string>(p: Parsed, name: string, allowed: readonly T[], fallback: T, command: string): T {
  const v = str(p, name);
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new CliError(`${command}: --${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`);
  }
  return v as T;
}

export function nonNegativeInt(p: Parsed, name: string, command: string): number | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) {
    throw new CliError(`${command}: --${name} must be a whole number, got ${JSON.stringify(v)}`);
  }
  return Number(v);
}
