/**
 * The medbill command line. Contract (shared/contracts/triage.md): `triage --json FILE|-`,
 * `triage --jsonl FILE|-`, `ask --json "TEXT"`; JSON on stdout only, messages on stderr, exit 2 for bad input.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { boundedLines } from './lines.js';
import { createInterface } from 'node:readline';
import { parseCaseFacts, InvalidFactsError, CaseFactsSchema } from './knowledge/facts.js';
import { describeZodError } from './zod-message.js';
import { defaultKnowledge, KnowledgeError, loadKnowledge, type Knowledge } from './knowledge/load.js';
import { triage } from './knowledge/triage.js';
import { extractFacts } from './knowledge/extract.js';
import { CodeIndex } from './knowledge/lookup.js';
import { NO_DIRECTORY, type CodeDirectory } from './knowledge/evidence.js';
import { parseIcd10File, IcdFileError } from './knowledge/icd10-file.js';
import { checkKnowledgeAgainstIcd10, knowledgeCounts } from './knowledge/check.js';
import { checkValidList } from './knowledge/icd10-valid.js';
import { ConfigError, loadConfig } from './config.js';
import { openDb, type Db } from './store/db.js';
import { fullIcd10, icd10Directory, importInfo, replaceIcd10 } from './store/icd10.js';
import { renderLookup, renderTriage } from './render-text.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const HELP: Record<string, string> = {
  main: `medbill: is this dental case billed to medical insurance?

Usage:
  medbill ask "TEXT"               answer a question typed as staff would ("pt broke #8 in a bike accident, BCBS medical + Delta dental")
  medbill ask --json "TEXT"        the same, as {"facts": ..., "result": ...}
  medbill ask                      one question per line from standard input (a local chat in the terminal)
  medbill triage FILE|-            triage one case (CaseFacts JSON) and print a readable answer
  medbill triage --json FILE|-     the same, as TriageResult JSON
  medbill triage --jsonl FILE|-    one CaseFacts per line in, one TriageResult per line out
  medbill lookup "words or code"   find CDT, CPT, HCPCS and ICD-10-CM codes with their related codes
  medbill chat                     the guided conversations in the terminal (numbers press buttons)
  medbill chat --script FILE       play a scripted conversation; exit 1 when an expectation fails
  medbill serve                    the local chat page at http://127.0.0.1:3978 (npm start)
  medbill kb check [--icd10 FILE]  validate knowledge/ (and its ICD-10-CM codes against a CMS list)
  medbill kb import-icd10 FILE     load a CMS ICD-10-CM order file (or valid-codes list) into SQLite

Environment: MEDBILL_DB (default ./data/medbill.db), PORT (3978), HOST (127.0.0.1),
MEDBILL_SESSION_TTL_MINUTES (120), MEDBILL_LOG (info; debug, warn, error, silent),
MEDBILL_WEB (on; off serves no chat page), MEDBILL_ALLOWED_HOSTS (extra host names for the page),
MEDBILL_INBOX_MAX (2000 events waiting to be answered, at most);
Slack: SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (HTTP at /slack/events) or SLACK_APP_TOKEN (Socket Mode),
SLACK_API_URL (the Web API base, for tests and proxies).
Exit codes: 0 ok, 1 failure, 2 bad input.`,
  chat: `Usage: medbill chat [--script FILE]
  Without --script: talk to medbill in the terminal. Type a message; type a number to press that button.
  --script FILE plays a transcript (lines: you:, press:, expect:, expect-not:, expect-lane:, reopen,
  and the extensions form: ID k=v… and wait: 3h) and exits 1 at the first expectation that fails.`,
  serve: `Usage: medbill serve
  Serves the local chat page and GET /healthz on HOST:PORT (default 127.0.0.1:3978). Ctrl-C stops it.`,
  triage: `Usage: medbill triage [--json | --jsonl] FILE|-
  FILE holds one CaseFacts object (--jsonl: one per line); "-" reads standard input.
  Without --json, prints a readable answer. Bad input: a message naming the field, exit 2.`,
  ask: `Usage: medbill ask [--json] "TEXT"
  Extracts the case facts from the text and triages them. Without TEXT, reads one question per line.`,
  lookup: `Usage: medbill lookup "words or code"
  Exact by code in any set (K083 or K08.3), or by words. Uses the imported ICD-10-CM list when there is one.`,
  kb: `Usage: medbill kb check [--icd10 FILE]
       medbill kb import-icd10 FILE
  check: validates every file under knowledge/ and the shipped list of valid ICD-10-CM codes (every
         diagnosis is checked against it) and prints counts; with --icd10, also checks every
         ICD-10-CM code in knowledge/ against a CMS file (order file or valid-codes list).
  import-icd10: loads the CMS file into the database (MEDBILL_DB) for the titles and word search of
         lookups and answers; which codes are valid is still the shipped list's say.`,
};

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  stdin: () => Promise<string>;
  /** Standard input as a stream, for input read as it arrives. */
  stdinStream: () => AsyncIterable<Buffer>;
  /** Resolves when what was written so far has left the process (or is small enough to keep). */
  drain: () => Promise<void>;
}

export function readInput(file: string, io: Io): Promise<string> {
  if (file === '-') return io.stdin();
  if (!existsSync(file)) throw new UsageError(`file not found: ${file}`);
  return Promise.resolve(readFileSync(file, 'utf8'));
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidFactsError(`${where} is not valid JSON (${(err as Error).message})`);
  }
}

/** Opens the database only if it exists, so a plain triage never creates files; closes it when `fn` is done. */
async function withDirectory<T>(fn: (dir: CodeDirectory, db?: Db) => T | Promise<T>): Promise<T> {
  const { dbPath } = loadConfig();
  if (dbPath === ':memory:' || !existsSync(dbPath)) return fn(NO_DIRECTORY);
  const db = openDb(dbPath);
  try {
    return await fn(importInfo(db) ? icd10Directory(db) : NO_DIRECTORY, db);
  } finally {
    db.close();
  }
}

/** One CaseFacts line may hold 20,000 characters of notes; far longer is not a case. */
export const MAX_JSONL_LINE_BYTES = 1024 * 1024;

async function cmdTriage(args: string[], kn: Knowledge, io: Io): Promise<number> {
  const mode = args.includes('--jsonl') ? 'jsonl' : args.includes('--json') ? 'json' : 'text';
  const rest = args.filter((a) => a !== '--json' && a !== '--jsonl');
  if (rest.length !== 1) throw new UsageError('triage needs exactly one FILE (or - for standard input)');
  const file = rest[0] ?? '-';
  if (mode === 'jsonl') return triageLines(file, kn, io);
  const text = await readInput(file, io);
  return withDirectory((dir) => {
    const result = triage(parseCaseFacts(parseJson(text, 'the input')), kn, dir);
    io.out(mode === 'json' ? JSON.stringify(result) : renderTriage(result));
    return 0;
  });
}

/** `triage --jsonl`: answers each line as it is read, so memory stays bounded whatever the input's size. */
async function triageLines(file: string, kn: Knowledge, io: Io): Promise<number> {
  if (file !== '-' && !existsSync(file)) throw new UsageError(`file not found: ${file}`);
  const source = file === '-' ? io.stdinStream() : createReadStream(file);
  return withDirectory(async (dir) => {
    let bad = 0;
    let n = 0;
    for await (const line of boundedLines(source, MAX_JSONL_LINE_BYTES)) {
      n++;
      try {
        if ('tooLong' in line) throw new InvalidFactsError(`line ${n} is ${line.tooLong.toLocaleString('en-US')} bytes; a case is at most ${MAX_JSONL_LINE_BYTES.toLocaleString('en-US')}`);
        const parsed = CaseFactsSchema.safeParse(parseJson(line.text, `line ${n}`));
        if (!parsed.success) throw new InvalidFactsError(`line ${n}: ${describeZodError(parsed.error)}`);
        io.out(JSON.stringify(triage(parsed.data, kn, dir)));
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

async function cmdAsk(args: string[], kn: Knowledge, io: Io): Promise<number> {
  const json = args.includes('--json');
  const words = args.filter((a) => a !== '--json');
  const answer = (message: string, dir: CodeDirectory) => {
    const { facts } = extractFacts(message, kn);
    const result = triage(parseCaseFacts(facts), kn, dir);
    return json ? JSON.stringify({ facts, result }) : renderTriage(result);
  };
  if (words.length === 0) {
    // A local chat in the terminal: one question per line.
    const lines = createInterface({ input: process.stdin, terminal: false });
    if (process.stdin.isTTY) io.err('Ask about a case (Ctrl-D to quit), e.g.: pt broke #8 in a bike accident, BCBS medical + Delta dental');
    return withDirectory(async (dir) => {
      for await (const line of lines) if (line.trim()) io.out(`${answer(line, dir)}\n`);
      return 0;
    });
  }
  const message = words.join(' ');
  if (!message.trim()) throw new UsageError('ask needs a message');
  return withDirectory((dir) => {
    io.out(answer(message, dir));
    return 0;
  });
}

function cmdLookup(args: string[], kn: Knowledge, io: Io): Promise<number> {
  const query = args.join(' ').trim();
  if (!query) throw new UsageError('lookup needs words or a code');
  return withDirectory((_dir, db) => {
    const hits = new CodeIndex(kn, db && fullIcd10(db)).search(query);
    io.out(renderLookup(hits));
    return hits.length ? 0 : 1;
  });
}

async function cmdKb(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'check') {
    const kn = loadKnowledge();
    const counts = knowledgeCounts(kn);
    const valid = checkValidList(kn);
    if (valid.problems.length) {
      io.err(`${valid.problems.length} problem(s) with the ICD-10-CM valid list:\n${valid.problems.map((p) => `  - ${p}`).join('\n')}`);
      return 1;
    }
    io.out(`knowledge/ is valid.\n${counts}\n${valid.summary}`);
    const at = rest.indexOf('--icd10');
    if (at < 0) return 0;
    const file = rest[at + 1];
    if (!file) throw new UsageError('--icd10 needs a FILE');
    const parsed = parseIcd10File(await readInput(file, io));
    const problems = checkKnowledgeAgainstIcd10(kn, parsed);
    if (problems.length) {
      io.err(`${problems.length} ICD-10-CM problem(s) against ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
      return 1;
    }
    io.out(`All ${kn.icd10.size} ICD-10-CM codes in knowledge/ agree with ${file} (${parsed.format} format, ${parsed.entries.length} codes).`);
    return 0;
  }
  if (sub === 'import-icd10') {
    const file = rest[0];
    if (!file) throw new UsageError('import-icd10 needs a FILE');
    const parsed = parseIcd10File(await readInput(file, io));
    const { dbPath } = loadConfig();
    const db = openDb(dbPath);
    try {
      const info = replaceIcd10(db, parsed.entries, file, parsed.format);
      io.out(`Imported ${info.count} ICD-10-CM codes (${info.format} format) into ${dbPath}.`);
    } finally {
      db.close();
    }
    return 0;
  }
  throw new UsageError('kb needs "check" or "import-icd10"');
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out(HELP[args[0] ?? 'main'] ?? HELP.main!);
    return command ? 0 : 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(HELP[command] ?? HELP.main!);
    return 0;
  }
  try {
    switch (command) {
      case 'triage': return await cmdTriage(args, defaultKnowledge(), io);
      case 'ask': return await cmdAsk(args, defaultKnowledge(), io);
      case 'lookup': return await cmdLookup(args, defaultKnowledge(), io);
      case 'kb': return await cmdKb(args, io);
      // The chat and the server need the engine, the adapters and their SDKs: loaded only when used, so a
      // plain `medbill triage` starts without them.
      case 'chat': return await (await import('./root/chat.js')).cmdChat(args, io);
      case 'serve': return await (await import('./root/serve.js')).cmdServe(args, io);
      default: throw new UsageError(`unknown command "${command}" (try medbill --help)`);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof InvalidFactsError || err instanceof IcdFileError || err instanceof ConfigError) {
      io.err(`medbill: ${err.message}`);
      return 2;
    }
    if (err instanceof KnowledgeError) {
      io.err(`medbill: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

export async function run(argv = process.argv.slice(2)): Promise<void> {
  const outLines: string[] = [];
  // Output is written in batches rather than one write per line; `drain` waits for a slow reader.
  const flush = () => {
    if (outLines.length) process.stdout.write(`${outLines.splice(0).join('\n')}\n`);
  };
  const drain = async () => {
    flush();
    if (process.stdout.writableNeedDrain) await new Promise((resolve) => process.stdout.once('drain', resolve));
  };
  const io: Io = {
    out: (s) => { outLines.push(s); if (outLines.length >= 1000) flush(); },
    err: (s) => process.stderr.write(`${s}\n`),
    stdin: readStdin,
    stdinStream: () => process.stdin,
    drain,
  };
  const timer = setInterval(flush, 50);
  try {
    process.exitCode = await main(argv, io);
  } catch (err) {
    process.stderr.write(`medbill: unexpected error: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  } finally {
    clearInterval(timer);
    flush();
  }
}
