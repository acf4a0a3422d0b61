/** `medbill triage`: one case (CaseFacts JSON) in, its answer out; `--jsonl` answers a stream of them. */
import { createReadStream, existsSync } from 'node:fs';
import { boundedLines } from '../../lines.js';
import { parseCaseFacts, InvalidFactsError, CaseFactsSchema } from '../../knowledge/facts.js';
import { describeZodError } from '../../zod-message.js';
import { loadKnowledge, type Knowledge } from '../../knowledge/load.js';
import { triage } from '../../knowledge/triage.js';
import { renderTriage } from '../../reply-text.js';
import { positionals, readInput, takeFlag, UsageError, type Io } from '../../command-line.js';
import { withDirectory } from '../directory.js';
import type { Command } from './command.js';

/** One CaseFacts line may hold 20,000 characters of notes; far longer is not a case. */
export const MAX_JSONL_LINE_BYTES = 1024 * 1024;

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidFactsError(`${where} is not valid JSON (${(err as Error).message})`);
  }
}

export const triageCommand: Command = {
  name: 'triage',
  usage: [
    'medbill triage FILE|-            triage one case (CaseFacts JSON) and print a readable answer',
    'medbill triage --json FILE|-     the same, as TriageResult JSON',
    'medbill triage --jsonl FILE|-    one CaseFacts per line in, one TriageResult per line out',
  ],
  help: `Usage: medbill triage [--json | --jsonl] FILE|-
  FILE holds one CaseFacts object (--jsonl: one per line); "-" reads standard input.
  Without --json, prints a readable answer. Bad input: a message naming the field, exit 2.`,
  async run(args, io) {
    const kn = loadKnowledge();
    const jsonl = takeFlag(args, '--jsonl');
    const json = takeFlag(jsonl.rest, '--json');
    const mode = jsonl.on ? 'jsonl' : json.on ? 'json' : 'text';
    const rest = positionals('triage', json.rest);
    if (rest.length !== 1) throw new UsageError('triage needs exactly one FILE (or - for standard input)');
    const file = rest[0] ?? '-';
    if (mode === 'jsonl') return triageLines(file, kn, io);
    const text = await readInput(file, io);
    return withDirectory(io, (directory, today) => {
      const result = triage(parseCaseFacts(parseJson(text, 'the input')), kn, { directory, today });
      io.out(mode === 'json' ? JSON.stringify(result) : renderTriage(result));
      return 0;
    });
  },
};

/** `triage --jsonl`: answers each line as it is read, so memory stays bounded whatever the input's size. */
async function triageLines(file: string, kn: Knowledge, io: Io): Promise<number> {
  if (file !== '-' && !existsSync(file)) throw new UsageError(`file not found: ${file}`);
  const source = file === '-' ? io.stdinStream() : createReadStream(file);
  return withDirectory(io, async (directory, today) => {
    let bad = 0;
    let n = 0;
    for await (const line of boundedLines(source, MAX_JSONL_LINE_BYTES)) {
      n++;
      try {
        if ('tooLong' in line) throw new InvalidFactsError(`line ${n} is ${line.tooLong.toLocaleString('en-US')} bytes; a case is at most ${MAX_JSONL_LINE_BYTES.toLocaleString('en-US')}`);
        const parsed = CaseFactsSchema.safeParse(parseJson(line.text, `line ${n}`));
        if (!parsed.success) throw new InvalidFactsError(`line ${n}: ${describeZodError(parsed.error)}`);
        io.out(JSON.stringify(triage(parsed.data, kn, { directory, today })));
      } catch (err) {
        if (!(err instanceof InvalidFactsError)) throw err;
        bad++;
        const message = err.message.startsWith('line ') ? err.message : `line ${n}: ${err.message}`;
        io.out(JSON.stringify({ error: message }));
      }
      // Let the output drain now and then rather than hold every answer in memory.
      if (n % 256 === 0) await io.drain();
    }
    if (bad) io.err(`${bad} of ${n} line(s) were not valid CaseFacts`);
    return bad ? 2 : 0;
  });
}
