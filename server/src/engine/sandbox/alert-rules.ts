/**
 * Alert rules of a sandboxed run (the policy's `monitor.alerts`): what a rule watches, its threshold, its
 * severity and its action, and the watcher that evaluates the rules of one run from what the runner sees
 * (live statistics, violations, output, the clock). Each rule fires at most once per run.
 *
 * Actions: `notify` records the alert and the run goes on; `stop` ends the run (outcome `killed`,
 * `stoppedBy` in the report; the seed's "isolate module"); `restart` ends the run and the `run` operation
 * runs the module once more, in which the rule stops the run if it fires again.
 */
import { WASI_PREVIEW1_FUNCTIONS, type WasiCapability } from '../wasi';
import type { Alert, LiveStats, Violation } from './types';

export const ALERT_METRICS = ['memory', 'execution-time', 'wasi-calls', 'capability-calls', 'violations', 'output-bytes'] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];
export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];
export const ALERT_ACTIONS = ['notify', 'stop', 'restart'] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

export interface AlertRule {
  /** shown with its alerts; default: the metric and the rule's place in the list */
  name?: string;
  when: AlertMetric;
  /**
   * fires when the watched value exceeds this: bytes (memory, output-bytes), ms (execution-time), calls or
   * calls per second (wasi-calls, capability-calls), violations
   */
  above?: number;
  /** memory: fires when linear memory reaches this percentage of the run's memory cap */
  percentOfCap?: number;
  /** wasi-calls: the WASI function counted (absent: every WASI call) */
  function?: string;
  /** capability-calls: the capability group counted (engine/wasi.ts) */
  capability?: WasiCapability;
  /** wasi-calls, capability-calls: a rate (calls per second over each statistics interval) instead of a count */
  perSecond?: boolean;
  /** violations: count only violations of this kind */
  violationKind?: string;
  severity?: AlertSeverity;
  action?: AlertAction;
}

const MIB = 1024 * 1024;

/** The seed's thresholds: 100 MiB of linear memory, 5 s of execution, any violation. */
export const DEFAULT_ALERT_RULES: readonly AlertRule[] = [
  { name: 'memory', when: 'memory', above: 100 * MIB, severity: 'warning', action: 'notify' },
  { name: 'slow-execution', when: 'execution-time', above: 5000, severity: 'warning', action: 'notify' },
  { name: 'security-violation', when: 'violations', above: 0, severity: 'critical', action: 'notify' },
];

/** A rule's name as its alerts show it. */
export function ruleName(rule: AlertRule, index: number): string {
  return rule.name || `${rule.when}#${index + 1}`;
}

/** What is wrong with a rule, or undefined (a rule that watches nothing is refused before the run). */
export function ruleProblem(rule: AlertRule): string | undefined {
  if (!ALERT_METRICS.includes(rule.when)) return `unknown metric ${JSON.stringify(rule.when)}`;
  if (rule.above === undefined && !(rule.when === 'memory' && rule.percentOfCap !== undefined)) {
    return `${rule.when} needs a threshold (above${rule.when === 'memory' ? ' or percentOfCap' : ''})`;
  }
  if (rule.when === 'capability-calls' && !rule.capability) return 'capability-calls needs a capability';
  if (rule.function !== undefined && !(rule.function in WASI_PREVIEW1_FUNCTIONS)) return `${JSON.stringify(rule.function)} is not a WASI preview1 function`;
  return undefined;
}

function callsOf(rule: AlertRule, calls: LiveStats['wasiCalls']): number {
  let n = 0;
  for (const [name, c] of Object.entries(calls)) {
    if (rule.when === 'wasi-calls' ? rule.function === undefined || rule.function === name : WASI_PREVIEW1_FUNCTIONS[name]?.capability === rule.capability) n += c.count;
  }
  return n;
}

/**
 * The rules of one run, fed by the runner. `fire` is called once per rule that fires, with the alert; the
 * caller acts on its `action`. `memoryCap` is the run's linear-memory cap (for `percentOfCap`).
 */
export class AlertWatcher {
  private readonly fired = new Set<number>();
  private violations = 0;
  private readonly violationsByKind = new Map<string, number>();
  private outputBytes = 0;
  private last?: { atMs: number; calls: LiveStats['wasiCalls'] };

  constructor(
    readonly rules: readonly AlertRule[],
    private readonly memoryCap: number,
    private readonly elapsed: () => number,
    private readonly fire: (a: Alert) => void,
  ) {}

  /** the execution-time thresholds (ms), for the runner's timers */
  executionThresholds(): { index: number; ms: number }[] {
    return this.rules.flatMap((r, index) => (r.when === 'execution-time' && r.above !== undefined ? [{ index, ms: r.above }] : []));
  }

  private raise(index: number, value: number, detail: string): void {
    if (this.fired.has(index)) return;
    this.fired.add(index);
    const r = this.rules[index];
    this.fire({
      kind: r.when,
      rule: ruleName(r, index),
      severity: r.severity ?? 'warning',
      action: r.action ?? 'notify',
      value,
      detail,
      atMs: this.elapsed(),
    });
  }

  memory(bytes: number): void {
    this.rules.forEach((r, i) => {
      if (r.when !== 'memory') return;
      if (r.above !== undefined && bytes > r.above) this.raise(i, bytes, `linear memory ${bytes} bytes > ${r.above}`);
      else if (r.percentOfCap !== undefined && this.memoryCap > 0 && bytes * 100 >= r.percentOfCap * this.memoryCap) {
        this.raise(i, bytes, `linear memory ${bytes} bytes is ${Math.floor((bytes * 100) / this.memoryCap)}% of the cap of ${this.memoryCap} bytes (>= ${r.percentOfCap}%)`);
      }
    });
  }

  /** `still`: the run goes on (a live timer), else the run ended after `ms` */
  executionTime(index: number, ms: number, still: boolean): void {
    const r = this.rules[index];
    if (r.when !== 'execution-time' || r.above === undefined || ms < r.above) return;
    this.raise(index, ms, still ? `still running after ${r.above} ms` : `run took ${ms} ms > ${r.above} ms`);
  }

  stats(s: LiveStats): void {
    this.memory(s.memoryBytes);
    const prev = this.last;
    this.last = { atMs: s.elapsedMs, calls: s.wasiCalls };
    this.rules.forEach((r, i) => {
      if ((r.when !== 'wasi-calls' && r.when !== 'capability-calls') || r.above === undefined) return;
      const what = r.when === 'wasi-calls' ? (r.function ?? 'WASI') : `${r.capability}`;
      const count = callsOf(r, s.wasiCalls);
      if (!r.perSecond) {
        if (count > r.above) this.raise(i, count, `${count} ${what} calls > ${r.above}`);
        return;
      }
      if (!prev || s.elapsedMs <= prev.atMs) return;
      const rate = Math.round(((count - callsOf(r, prev.calls)) * 1000) / (s.elapsedMs - prev.atMs));
      if (rate > r.above) this.raise(i, rate, `${rate} ${what} calls per second > ${r.above}`);
    });
  }

  violation(v: Violation): void {
    this.violations++;
    const ofKind = (this.violationsByKind.get(v.kind) ?? 0) + 1;
    this.violationsByKind.set(v.kind, ofKind);
    this.rules.forEach((r, i) => {
      if (r.when !== 'violations' || r.above === undefined) return;
      const n = r.violationKind === undefined ? this.violations : r.violationKind === v.kind ? ofKind : 0;
      if (n > r.above) this.raise(i, n, `${n} violation(s) > ${r.above}; latest: ${v.kind}: ${v.detail}`);
    });
  }

  /** the final count, when violations were counted but not all streamed (the guest's report is exact) */
  violationCount(total: number, latest?: Violation): void {
    if (total <= this.violations || !latest) return;
    this.violations = total - 1;
    this.violation(latest);
  }

  output(bytes: number): void {
    this.outputBytes += bytes;
    this.rules.forEach((r, i) => {
      if (r.when === 'output-bytes' && r.above !== undefined && this.outputBytes > r.above) this.raise(i, this.outputBytes, `${this.outputBytes} bytes of output > ${r.above}`);
    });
  }
}

/** The rules of a restarted run: a `restart` rule becomes a `stop` rule (rerun once, then stop). */
export function restartedRules(rules: readonly AlertRule[]): AlertRule[] {
  return rules.map((r) => (r.action === 'restart' ? { ...r, action: 'stop' } : r));
}
