/**
 * How a sandboxed run maps to a process exit status (the CLI's, for CI gates). A process status is
 * 8 bits and shells give 126 and above their own meanings (not executable, not found, 128+N killed by
 * signal N), while a guest's preview1 exit code is a u32: passed on as is, `proc_exit(256)` would
 * become status 0, a pass. So:
 *
 * - the guest exited 0: 0, or 1 when the sandbox recorded any violation;
 * - the guest exited 1-125: that code (a run with violations is then non-zero anyway);
 * - the guest exited with any other code (126 and above, multiples of 256, "negative" i32s): 1;
 * - trap, timeout, limit reached, killed: 1; interrupted (Ctrl-C): 130;
 * - the module could not be run (bad module, refused import, bad mount): 2.
 *
 * A run with violations therefore never exits 0. The report keeps the guest's real code (`exitCode`).
 */
import type { Outcome } from './types';

export const GUEST_CODE_PASSED_MAX = 125;

export interface ExitStatus {
  status: number;
  /** why the status is not the guest's own code, when it is not */
  note?: string;
}

export function exitStatusOf(r: { outcome: Outcome; exitCode?: number; violationCount: number }, interrupted = false): ExitStatus {
  switch (r.outcome) {
    case 'exit': {
      const code = (r.exitCode ?? 0) >>> 0;
      if (code === 0) {
        return r.violationCount > 0 ? { status: 1, note: `the guest exited 0 but the sandbox recorded ${r.violationCount} violation(s)` } : { status: 0 };
      }
      if (code <= GUEST_CODE_PASSED_MAX) return { status: code };
      return { status: 1, note: `the guest exited with code ${code}, which is outside 1-${GUEST_CODE_PASSED_MAX} (an exit status cannot carry it safely): exit status 1` };
    }
    case 'killed':
      return { status: interrupted ? 130 : 1 };
    case 'error':
      return { status: 2 };
    default:
      return { status: 1 };
  }
}
