/**
 * Ctrl-C during a long CLI operation (run, bench, fuzz): the first SIGINT aborts the operation's signal
 * (the sandbox stops the guest and the command reports what it has, exiting 130) instead of killing the
 * process mid-write. `dispose()` gives SIGINT back to Node's default once the operation is over.
 */
export class Interrupt {
  private readonly abort = new AbortController();
  private fired = false;
  private readonly onSigint = (): void => {
    this.fired = true;
    this.abort.abort();
  };

  constructor() {
    process.once('SIGINT', this.onSigint);
  }

  /** aborted at the first SIGINT */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** whether SIGINT came */
  get interrupted(): boolean {
    return this.fired;
  }

  dispose(): void {
    process.removeListener('SIGINT', this.onSigint);
  }
}
