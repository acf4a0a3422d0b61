/**
 * How a command reads its arguments and its input, and how it says it was misused: one way for every command
 * (src/cli.ts and the commands in src/root/), below both, so no command module imports the dispatcher.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import type { Clock } from './today.js';

/** Bad arguments or input: said on standard error, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The process's streams and clock, injected so tests run a command in process. */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  stdin: () => Promise<string>;
  /** Standard input as a stream, for input read as it arrives. */
  stdinStream: () => AsyncIterable<Buffer>;
  /** Resolves when what was written so far has left the process (or is small enough to keep). */
  drain: () => Promise<void>;
  /** "Now", for today's date in the practice's zone (the date of service a case without one gets); the system clock by default. */
  clock?: Clock;
}

export function readInput(file: string, io: Io): Promise<string> {
  if (file === '-') return io.stdin();
  if (!existsSync(file)) throw new UsageError(`file not found: ${file}`);
  return Promise.resolve(readFileSync(file, 'utf8'));
}

/**
 * A file's bytes as they are, as a stream opened anew each time it is read (the reader works out their encoding
 * in a first pass, then reads the rows), or standard input's text (`-`, read once, whole).
 */
export function inputStream(file: string, io: Io): Promise<string | (() => AsyncIterable<Uint8Array>)> {
  if (file === '-') return io.stdin();
  if (!existsSync(file)) throw new UsageError(`file not found: ${file}`);
  return Promise.resolve(() => createReadStream(file, { highWaterMark: 256 * 1024 }));
}

/** `--name VALUE` or `--name=VALUE`, every time it is given; the other arguments are left in `rest`. */
export function takeOption(args: string[], name: string): { values: string[]; rest: string[] } {
  const values: string[] = [];
  const rest: string[] = [];
  const it = args[Symbol.iterator]();
  for (const a of it) {
    if (a === '--') {
      // Everything after "--" is text, never an option: left in `rest` with the marker, for positionals().
      rest.push(a, ...it);
      break;
    }
    if (a === name) {
      // The option's value is the next argument: taken from the same iterator, so the loop skips it.
      const v = it.next();
      if (v.done || v.value.startsWith('--')) throw new UsageError(`${name} needs a value`);
      values.push(v.value);
    } else if (a.startsWith(`${name}=`)) values.push(a.slice(name.length + 1));
    else rest.push(a);
  }
  return { values, rest };
}

/** `--name` given with no value (a switch): whether it was there, and the other arguments. Stops at "--". */
export function takeFlag(args: string[], name: string): { on: boolean; rest: string[] } {
  const end = args.indexOf('--');
  const before = end < 0 ? args : args.slice(0, end);
  const rest = before.filter((a) => a !== name);
  return { on: rest.length !== before.length, rest: end < 0 ? rest : [...rest, ...args.slice(end)] };
}

/** `--x`, `--x=…` or `-x`: an option's shape. "-" alone (standard input) and "-5" are not. */
const looksLikeOption = (a: string) => /^--./.test(a) || /^-[A-Za-z]/.test(a);

/**
 * What is left once a command has taken its own options: the plain arguments, or a UsageError naming the
 * first option it does not know (an option is never read as text or a file). After "--" everything is plain.
 */
export function positionals(command: string, args: string[]): string[] {
  const end = args.indexOf('--');
  const before = end < 0 ? args : args.slice(0, end);
  const unknown = before.find(looksLikeOption);
  if (unknown !== undefined) throw new UsageError(`${command}: unknown option ${unknown} (medbill ${command.split(' ')[0] ?? command} --help)`);
  return end < 0 ? before : [...before, ...args.slice(end + 1)];
}

/** An option given at most once: its value (undefined when absent), and the other arguments. */
export function takeOneOption(args: string[], name: string): { value?: string; rest: string[] } {
  const { values, rest } = takeOption(args, name);
  if (values.length > 1) throw new UsageError(`${name} is given more than once`);
  return { ...(values[0] !== undefined ? { value: values[0] } : {}), rest };
}
