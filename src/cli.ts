/**
 * The medbill command line. Contract (shared/contracts/triage.md): `triage --json FILE|-`,
 * `triage --jsonl FILE|-`, `ask --json "TEXT"`; JSON on stdout only, messages on stderr, exit 2 for bad input.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseCaseFacts, InvalidFactsError, describeZodError, CaseFactsSchema } from './knowledge/facts.js';
import { defaultKnowledge, KnowledgeError, loadKnowledge, type Knowledge } from './knowledge/load.js';
import { triage } from './knowledge/triage.js';
import { extractFacts } from './knowledge/extract.js';
import { CodeIndex } from './knowledge/lookup.js';
import { NO_DIRECTORY, type CodeDirectory } from './knowledge/evidence.js';
import { parseIcd10File, IcdFileError } from './knowledge/icd10-file.js';
import { checkKnowledgeAgainstIcd10, knowledgeCounts } from './knowledge/check.js';
import { loadConfig } from './config.js';
import { openDb, type Db } from './store/db.js';
import { icd10Directory, importInfo, replaceIcd10, searchIcd10 } from './store/icd10.js';
import { renderLookup, renderTriage } from './render-text.js';

class UsageError extends Error {}

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
  medbill kb check [--icd10 FILE]  validate knowledge/ (and its ICD-10-CM codes against a CMS list)
  medbill kb import-icd10 FILE     load a CMS ICD-10-CM order file (or valid-codes list) into SQLite

Environment: MEDBILL_DB (default ./data/medbill.db). Exit codes: 0 ok, 1 failure, 2 bad input.`,
  triage: `Usage: medbill triage [--json | --jsonl] FILE|-
  FILE holds one CaseFacts object (--jsonl: one per line); "-" reads standard input.
  Without --json, prints a readable answer. Bad input: a message naming the field, exit 2.`,
  ask: `Usage: medbill ask [--json] "TEXT"
  Extracts the case facts from the text and triages them. Without TEXT, reads one question per line.`,
  lookup: `Usage: medbill lookup "words or code"
  Exact by code in any set (K083 or K08.3), or by words. Uses the imported ICD-10-CM list when there is one.`,
  kb: `Usage: medbill kb check [--icd10 FILE]
       medbill kb import-icd10 FILE
  check: validates every file under knowledge/ and prints counts; with --icd10, also checks every
         ICD-10-CM code in knowledge/ against a CMS file (order file or valid-codes list).
  import-icd10: loads the CMS file into the database (MEDBILL_DB) for lookups and diagnosis checks.`,
};

interface Io { out: (s: string) => void; err: (s: string) => void; stdin: () => Promise<string> }

function readInput(file: string, io: Io): Promise<string> {
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

/** Opens the database only if it exists, so a plain triage never creates files. */
function withDirectory<T>(fn: (dir: CodeDirectory, db?: Db) => T): T {
  const { dbPath } = loadConfig();
  if (dbPath === ':memory:' || !existsSync(dbPath)) return fn(NO_DIRECTORY);
  const db = openDb(dbPath);
  try {
    return fn(importInfo(db) ? icd10Directory(db) : NO_DIRECTORY, db);
  } finally {
    db.close();
  }
}

async function cmdTriage(args: string[], kn: Knowledge, io: Io): Promise<number> {
  const mode = args.includes('--jsonl') ? 'jsonl' : args.includes('--json') ? 'json' : 'text';
  const rest = args.filter((a) => a !== '--json' && a !== '--jsonl');
  if (rest.length !== 1) throw new UsageError('triage needs exactly one FILE (or - for standard input)');
  const text = await readInput(rest[0]!, io);
  return withDirectory((dir) => {
    if (mode !== 'jsonl') {
      const result = triage(parseCaseFacts(parseJson(text, 'the input')), kn, dir);
      io.out(mode === 'json' ? JSON.stringify(result) : renderTriage(result));
      return 0;
    }
    let bad = 0;
    const lines = text.split(/\r?\n/);
    if (lines.at(-1) === '') lines.pop();
    for (const [i, line] of lines.entries()) {
      try {
        const parsed = CaseFactsSchema.safeParse(parseJson(line, `line ${i + 1}`));
        if (!parsed.success) throw new InvalidFactsError(`line ${i + 1}: ${describeZodError(parsed.error)}`);
        io.out(JSON.stringify(triage(parsed.data, kn, dir)));
      } catch (err) {
        if (!(err instanceof InvalidFactsError)) throw err;
        bad++;
        const message = err.message.startsWith('line ') ? err.message : `line ${i + 1}: ${err.message}`;
        io.out(JSON.stringify({ error: message }));
      }
    }
    if (bad) io.err(`${bad} of ${lines.length} line(s) were not valid CaseFacts`);
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

function cmdLookup(args: string[], kn: Knowledge, io: Io): number {
  const query = args.join(' ').trim();
  if (!query) throw new UsageError('lookup needs words or a code');
  return withDirectory((_dir, db) => {
    const full = db && importInfo(db)
      ? { get: (code: string) => { const e = icd10Directory(db).lookupIcd10(code); return e && { code: e.code, title: e.title, billable: e.billable }; }, search: (w: string[], n: number) => searchIcd10(db, w, n) }
      : undefined;
    const hits = new CodeIndex(kn, full).search(query);
    io.out(renderLookup(hits));
    return hits.length ? 0 : 1;
  });
}

async function cmdKb(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'check') {
    const kn = loadKnowledge();
    const counts = knowledgeCounts(kn);
    io.out(`knowledge/ is valid.\n${counts}`);
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
      case 'lookup': return cmdLookup(args, defaultKnowledge(), io);
      case 'kb': return await cmdKb(args, io);
      default: throw new UsageError(`unknown command "${command}" (try medbill --help)`);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof InvalidFactsError || err instanceof IcdFileError) {
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
  const io: Io = { out: (s) => outLines.push(s), err: (s) => process.stderr.write(`${s}\n`), stdin: readStdin };
  // Streaming for big --jsonl inputs: flush in chunks rather than one write per line.
  const flush = () => {
    if (outLines.length) process.stdout.write(`${outLines.splice(0).join('\n')}\n`);
  };
  const timer = setInterval(flush, 50);
  try {
    process.exitCode = await main(argv, { ...io, out: (s) => { outLines.push(s); if (outLines.length >= 1000) flush(); } });
  } catch (err) {
    process.stderr.write(`medbill: unexpected error: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  } finally {
    clearInterval(timer);
    flush();
  }
}
