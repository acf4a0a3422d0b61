/** `medbill ask`: a question typed as staff would, its facts read from the words and triaged. */
import { createInterface } from 'node:readline';
import { parseCaseFacts } from '../../knowledge/facts.js';
import { loadKnowledge } from '../../knowledge/load.js';
import { triage } from '../../knowledge/triage.js';
import { extractFacts } from '../../knowledge/extract.js';
import type { CodeDirectory } from '../../knowledge/evidence.js';
import { renderTriage } from '../../reply-text.js';
import { positionals, takeFlag, UsageError } from '../../command-line.js';
import { withDirectory } from '../directory.js';
import type { Command } from './command.js';

export const askCommand: Command = {
  name: 'ask',
  usage: [
    'medbill ask "TEXT"               answer a question typed as staff would ("pt broke #8 in a bike accident, BCBS medical + Delta dental")',
    'medbill ask --json "TEXT"        the same, as {"facts": ..., "result": ...}',
    'medbill ask                      one question per line from standard input (a local chat in the terminal)',
  ],
  help: `Usage: medbill ask [--json] "TEXT"
  Extracts the case facts from the text and triages them. Without TEXT, reads one question per line.`,
  async run(args, io) {
    const kn = loadKnowledge();
    const { on: json, rest } = takeFlag(args, '--json');
    const words = positionals('ask', rest);
    const answer = (message: string, directory: CodeDirectory, today: () => string) => {
      const { facts } = extractFacts(message, kn, today);
      const result = triage(parseCaseFacts(facts), kn, { directory, today });
      return json ? JSON.stringify({ facts, result }) : renderTriage(result);
    };
    if (words.length === 0) {
      // A local chat in the terminal: one question per line.
      const lines = createInterface({ input: process.stdin, terminal: false });
      if (process.stdin.isTTY) io.err('Ask about a case (Ctrl-D to quit), e.g.: pt broke #8 in a bike accident, BCBS medical + Delta dental');
      return withDirectory(io, async (dir, today) => {
        for await (const line of lines) if (line.trim()) io.out(`${answer(line, dir, today)}\n`);
        return 0;
      });
    }
    const message = words.join(' ');
    if (!message.trim()) throw new UsageError('ask needs a message');
    return withDirectory(io, (dir, today) => {
      io.out(answer(message, dir, today));
      return 0;
    });
  },
};
