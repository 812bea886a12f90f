/**
 * Where the CLI writes: results on stdout, errors, warnings and progress on stderr. Colour only when
 * stdout is a TTY and neither `--no-color` nor `NO_COLOR` (non-empty) is set.
 */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  color: boolean;
  /** stderr is a TTY and not CI: progress may be redrawn in place */
  interactiveErr: boolean;
  quiet: boolean;
}

export function makeIo(opts: { noColor?: boolean; quiet?: boolean } = {}): Io {
  const noColorEnv = (process.env.NO_COLOR ?? '') !== '';
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    color: !!process.stdout.isTTY && !opts.noColor && !noColorEnv,
    interactiveErr: !!process.stderr.isTTY && process.env.CI !== 'true',
    quiet: !!opts.quiet,
  };
}

const CODES = { red: 31, yellow: 33, blue: 34, cyan: 36, gray: 90, bold: 1, green: 32 } as const;
export type Color = keyof typeof CODES;

export function paint(io: Io, color: Color, text: string): string {
  return io.color ? `\x1b[${CODES[color]}m${text}\x1b[0m` : text;
}

/**
 * Progress over many files, on stderr: one line redrawn in place on a TTY, plain lines at most every
 * `intervalMs` otherwise (CI logs); nothing with `--quiet` or for fewer than `minFiles` files.
 */
export class Progress {
  private last = 0;
  private drawn = false;
  private readonly enabled: boolean;
  private readonly intervalMs: number;
  private readonly started = Date.now();

  constructor(
    private readonly io: Io,
    private readonly total: number,
    private readonly verb: string,
  ) {
    const env = process.env.WASM_WARDEN_PROGRESS_INTERVAL_MS;
    this.intervalMs = env !== undefined && /^\d+$/.test(env) ? Number(env) : io.interactiveErr ? 100 : 5000;
    const minFiles = env !== undefined ? 1 : 20;
    this.enabled = !io.quiet && total >= minFiles;
  }

  tick(done: number, current: string): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < this.intervalMs && done !== this.total) return;
    this.last = now;
    const line = `${this.verb} ${done}/${this.total} ${current}`;
    if (this.io.interactiveErr) {
      const width = process.stderr.columns ? process.stderr.columns - 1 : 100;
      this.io.err(`\r\x1b[K${line.length > width ? line.slice(0, width) : line}`);
      this.drawn = true;
    } else {
      this.io.err(`${line}\n`);
    }
  }

  done(): void {
    if (!this.enabled) return;
    if (this.drawn) this.io.err('\r\x1b[K');
    else if (!this.io.interactiveErr) this.io.err(`${this.verb} ${this.total} files in ${((Date.now() - this.started) / 1000).toFixed(1)} s\n`);
  }
}

/**
 * One long operation without steps to count (binaryen's optimize is a single call), on stderr: on a TTY,
 * what it is doing and the seconds so far, redrawn in place every second from the start; otherwise (CI
 * logs) a plain line at most every `intervalMs` (default 10 s), so a short run prints nothing and a long one
 * says it is alive. Nothing with `--quiet`.
 */
export class Activity {
  private timer?: NodeJS.Timeout;
  private drawn = false;
  private readonly started = Date.now();

  constructor(private readonly io: Io, private readonly what: string) {}

  start(): this {
    if (this.io.quiet) return this;
    const env = process.env.WASM_WARDEN_PROGRESS_INTERVAL_MS;
    const intervalMs = env !== undefined && /^\d+$/.test(env) ? Math.max(1, Number(env)) : this.io.interactiveErr ? 1000 : 10_000;
    if (this.io.interactiveErr) this.draw();
    this.timer = setInterval(() => this.draw(), intervalMs);
    this.timer.unref();
    return this;
  }

  private draw(): void {
    const ms = Date.now() - this.started;
    const line = `${this.what}: ${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
    if (this.io.interactiveErr) {
      const width = process.stderr.columns ? process.stderr.columns - 1 : 100;
      this.io.err(`\r\x1b[K${line.length > width ? line.slice(0, width) : line}`);
      this.drawn = true;
    } else {
      this.io.err(`${line} so far\n`);
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.drawn) this.io.err('\r\x1b[K');
    this.drawn = false;
  }
}
