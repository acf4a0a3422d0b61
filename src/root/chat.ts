/** `medbill chat`: the guided conversations in the terminal, or a scripted one (the composition for the terminal). */
import { dirname, join, resolve } from 'node:path';
import { loadConfig } from '../config.js';
import { openHouse } from './house.js';
import { openShelf } from './shelf.js';
import { createLogger } from '../log.js';
import { newCaseId } from '../case-id.js';
import { parseScript, playScriptOnDatabase, ScriptError } from '../../adapters/terminal/script.js';
import { createTerminalAdapter } from '../../adapters/terminal/chat.js';
import { positionals, readInput, takeOneOption, UsageError, type Io } from '../command-line.js';

export async function cmdChat(args: string[], io: Io): Promise<number> {
  const config = loadConfig();
  const { value: file, rest } = takeOneOption(args, '--script');
  const stray = positionals('chat', rest);
  if (file !== undefined) {
    if (stray.length) throw new UsageError('chat --script needs exactly one FILE');
    const text = await readInput(file, io);
    try {
      parseScript(text); // a malformed script is refused before anything runs
    } catch (err) {
      if (err instanceof ScriptError) throw new UsageError(err.message);
      throw err;
    }
    // A fresh conversation each run, so an earlier run's session in the same database cannot interfere.
    // Each reopen opens the house again, as a restart would; the knowledge is read once for the whole script.
    const shelf = openShelf();
    const open = (now: () => number) => openHouse(config, { now, shelf });
    const result = await playScriptOnDatabase(text, open, { platform: 'script', user: 'script', conversation: `script-${newCaseId()}`, direct: true });
    io.out(result.transcript.join('\n'));
    if (!result.ok) {
      io.err(`medbill: script failed at ${result.failures.join('; ')}`);
      return 1;
    }
    io.out(`script passed: ${result.checks} expectation(s) held`);
    return 0;
  }
  if (stray.length) throw new UsageError(`chat takes no arguments except --script FILE (got ${stray.join(' ')})`);
  const app = openHouse(config, { log: createLogger(process.env.MEDBILL_LOG ?? 'warn') });
  try {
    // Files the chat hands over go beside the database (./data/files by default): never into the project.
    const filesDir = join(config.dbPath === ':memory:' ? resolve('data') : dirname(config.dbPath), 'files');
    const terminal = createTerminalAdapter(app.engine, { input: process.stdin, output: process.stdout, filesDir });
    await terminal.start();
    await terminal.closed;
  } finally {
    app.close();
  }
  return 0;
}
