import type { FlagSpecs } from '../args';
import type { Io } from '../io';

export interface CliContext {
  version: string;
}

export interface CommandDef {
  name: string;
  summary: string;
  usage: string;
  flags: FlagSpecs;
  details?: string[];
  examples: string[];
  /** returns the exit code; throws CliError for usage and input errors */
  run(argv: string[], io: Io, ctx: CliContext): Promise<number>;
}
