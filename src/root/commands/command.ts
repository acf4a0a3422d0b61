/** A command of the medbill command line: one module per command in this folder, listed in index.ts. */
import type { Io } from '../../command-line.js';

export interface Command {
  /** The word after `medbill`. */
  name: string;
  /** Its lines in `medbill --help`, each how it is written and what it does, laid out as they are shown there. */
  usage: string[];
  /** What `medbill NAME --help` prints: every form, option and environment variable it reads. */
  help: string;
  /** Runs it: the exit code (0 ok, 1 failure, 2 bad input; a UsageError thrown is exit 2). */
  run(args: string[], io: Io): Promise<number>;
}
