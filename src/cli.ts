/**
 * The medbill command line. Contract (shared/contracts/triage.md): `triage --json FILE|-`,
 * `triage --jsonl FILE|-`, `ask --json "TEXT"`; JSON on stdout only, messages on stderr, exit 2 for bad input.
 */
import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boundedLines } from './lines.js';
import { createInterface } from 'node:readline';
import { parseCaseFacts, InvalidFactsError, CaseFactsSchema } from './knowledge/facts.js';
import { describeZodError } from './zod-message.js';
import { DEFAULT_KNOWLEDGE_DIR, defaultKnowledge, displayPath, KnowledgeError, loadKnowledge, type Knowledge } from './knowledge/load.js';
import { triage } from './knowledge/triage.js';
import { extractFacts } from './knowledge/extract.js';
import { CodeIndex } from './knowledge/lookup.js';
import { NO_DIRECTORY, type CodeDirectory } from './knowledge/evidence.js';
import type { Icd10View } from './store/icd10.js';
import { parseIcd10File, IcdFileError } from './knowledge/icd10-file.js';
import { fiscalYearStart } from './knowledge/icd10-valid.js';
import { ConfigError, loadConfig } from './config.js';
import type { Storage } from './store/storage.js';
import { openSqliteStorage } from './store/sqlite/index.js';
import { renderLookup, renderRepliesText, renderTriage } from './reply-text.js';
import { positionals, readInput, takeFlag, takeOneOption, takeOption, UsageError, type Io } from './command-line.js';
import { PROJECT_ROOT } from './paths.js';
import { systemClock, todayIn } from './today.js';

const HELP: Record<string, string> & { main: string } = {
  main: `medbill: is this dental case billed to medical insurance?

Usage:
  medbill --version                the version of medbill
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
  medbill kb table                 per procedure category, the codes it can suggest (a Markdown table)
  medbill kb import-icd10 FILE --year YYYY   ship a new fiscal year's ICD-10-CM valid list in knowledge/codes/
  medbill kb import-icd10 FILE     load a CMS ICD-10-CM order file (or valid-codes list) into SQLite, for titles
  medbill claims import FILE.csv   start tracking the practice's medical claims from its PM system's CSV export
                                   (--dry-run checks every row and writes nothing)
  medbill claims export            every claim as CSV on standard output
  medbill letter --case C-XXXXX    the case's letter of medical necessity (text; --out FILE.docx for Word)
  medbill letter --json FILE       a letter from a template and its facts as JSON
  medbill today                    what is due on claims today (as typing "today" shows it), from MEDBILL_DB
  medbill digest --preview [--channel slack:C0BILLING]
                                   the daily claims digest as it would be posted (to that digest channel), posted nowhere
  medbill report                   claims report: A/R aging by payer, denials, paid rate and days to pay
  medbill report --csv             the same tables as CSV sections
  medbill report --chart FILE      also draw the A/R aging chart to FILE.png or FILE.svg
  medbill teams package            the Microsoft Teams app package (zip) for the practice's admin to upload

Environment: MEDBILL_DB (default ./data/medbill.db), PORT (3978), HOST (127.0.0.1),
MEDBILL_SESSION_TTL_MINUTES (120), MEDBILL_LOG (info; debug, warn, error, silent),
MEDBILL_WEB (on; off serves no chat page), MEDBILL_ALLOWED_HOSTS (extra host names for the page),
MEDBILL_INBOX_MAX (2000 events waiting to be answered, at most), MEDBILL_TIME_ZONE (the practice's
IANA time zone, for "today" in claims, digests, reports and letters; default America/New_York, never
this machine's), MEDBILL_DIGEST (digest channels, e.g. "slack:C0BILLING 8:00 America/Chicago"), MEDBILL_DIGEST_TICK_SECONDS (30);
LLM narrative in letters (optional, off by default): MEDBILL_LLM_BASE_URL (an OpenAI-compatible server, with
/v1), MEDBILL_LLM_MODEL, MEDBILL_LLM_API_KEY, MEDBILL_LLM_TIMEOUT_MS (20000);
Slack: SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (HTTP at /slack/events) or SLACK_APP_TOKEN (Socket Mode),
SLACK_API_URL (the Web API base, for tests and proxies).
An option a command does not know is refused (exit 2, naming it); after "--" every argument is text.
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
  kb: `Usage: medbill kb check [--icd10 FILE] [--knowledge DIR]
       medbill kb table
       medbill kb import-icd10 FILE --year YYYY [--replace] [--force] [--knowledge DIR]
       medbill kb import-icd10 FILE
  check: validates every file under knowledge/ and the shipped lists of valid ICD-10-CM codes, one per
         fiscal year (a diagnosis is checked against its date of service's year), and prints counts; with
         --icd10, also checks every ICD-10-CM code in knowledge/ against a CMS file (order file or valid-codes
         list). --knowledge checks another copy of knowledge/.
  table: prints, per procedure category, every CDT, CPT, HCPCS and ICD-10-CM code it can suggest, as a
         Markdown table generated from knowledge/ (the README's table is this output).
  import-icd10 --year YYYY: ships FY YYYY's list (services from October 1 of YYYY-1): FILE is the CMS
         release's code list (icd10cm_codes_YYYY.txt) or order file (its billable lines). The codes are checked,
         sorted and written to knowledge/codes/icd10cm-valid-fyYYYY.txt; the source CMS-ICD10CM-FYYYYY is added to
         knowledge/sources.json and an entry to knowledge/codes/ICD10CM-PROVENANCE.md, to complete. Then
         knowledge/ is checked against every year (exit 1 naming what no longer agrees).
         --replace  replace a year already shipped
         --force    take a list much smaller than the year before's (otherwise refused as partial)
  import-icd10 (no --year): loads the CMS file into the database (MEDBILL_DB) for the titles and word search
         of lookups and answers; which codes are valid is still the shipped lists' say.`,
  claims: `Usage: medbill claims import FILE.csv [--dry-run] [--ignore-column NAME]... [--payer-kind KIND]
       medbill claims export
  import: reads the open (and recent) medical claims exported from the practice-management system, one
    claim per row, into MEDBILL_DB. Every row is checked first: with any bad row nothing is imported
    (exit 2) and the bad rows are listed by their line in the file. All rows go in one transaction.
    A case id or claim number already in medbill is refused (the same export imported twice).
    --dry-run           check every row and print what would be imported; write nothing
    --ignore-column N   drop column N unread (needed for a column of patient identifiers, which
                        medbill refuses: patient, name, dob, member id, ssn, mrn, address, phone…)
    --payer-kind KIND   the plan type of rows that do not say it (medicare, medicare-advantage,
                        medicaid, commercial, tricare, auto, workers-comp, liability, other)
  The first line names the columns (any order, any letter case; * required):
    case_id         medbill case id (C-7K3Q9); empty: a new one is made
    claim_number    the practice's claim number (claim #, claim id)
    payer *         the payer's name (insurance, carrier)
    payer_kind      plan type: medicare (also "Medicare Part B"), medicare advantage ("MA", "Part C"),
                    medicaid, commercial, tricare, auto (no-fault, PIP), workers comp, liability,
                    other (plan type, payer type, financial class);
                    empty: from a payer named just "Medicare", "Medicaid"…, or --payer-kind
    procedures *    CPT, HCPCS or CDT codes, space- or comma-separated (cpt, procedure codes)
    diagnoses       billable ICD-10-CM codes (icd10, dx, diagnosis codes)
    billed, paid    amounts: 650, 650.00, $1,234.56 (charge, amount billed; amount paid)
    service_date    date of service (dos)
    submitted_date  when it was sent (date submitted, billed date)
    status          the PM status: open/pending/submitted/sent, pended, records requested, paid,
                    partial, denied, appealed, written off, closed/void, rejected (a clearinghouse
                    rejection: imported as not submitted), draft/unbilled; empty: from the amounts
    status_date     when the status was reached (last activity)
    paid_date, denied_date, appeal_date, records_due
    denial          the denial code or reason (carc, denial code): "CO-50 N115"
    auth_number, auth_expires   prior authorization (prior auth) and when it ends
    lane            medical (default) or medical-first
    category        medbill's procedure category id, as in its export; empty: the one the codes name
  Dates: 2026-11-14, 11/14/2026, 11/14/26, 14-Nov-2026, Nov 14, 2026. Follow-up dates and appeal
  deadlines are worked out from the follow-up policy (knowledge/followup.json).
  export: every claim as CSV. The file imports again into an empty database (next_follow_up and
    appeal_deadline are worked out again from the policy).`,
  letter: `Usage: medbill letter --case C-XXXXX [--out FILE.docx]
       medbill letter --json FILE|- [--out FILE.docx]
  A letter of medical necessity, as text on standard output (and as .docx with --out).
    --case ID     the case's letter from MEDBILL_DB: the saved draft's facts, else what the case says;
                  facts still missing are listed with their questions (exit 2)
    --json FILE   {"template": "osa-appliance", "payerKind": "medicare", "payer"?: "…", "values": {"ahi": "24", …},
                  "procedures": ["E0486"], "diagnoses": ["G47.33"]}; the templates are knowledge/letters/*.json
  The letter has placeholders for the patient, date of birth, member ID, provider and date: the office fills
  them in its own system. With MEDBILL_LLM_BASE_URL set, the narrative may be the model's (checked against the facts).`,
  teams: `Usage: medbill teams package [--out FILE.zip]   (npm run teams:package)
  Writes the Teams app package: manifest.json (schema 1.25, its commands from medbill's flows), color.png and
  outline.png, zipped, to FILE.zip (default data/teams/medbill-teams.zip), and prints the file's path.
  Environment: MICROSOFT_APP_ID (the bot's Entra app id), MEDBILL_PUBLIC_URL (https address Teams reaches);
  optional MEDBILL_TEAMS_WEBSITE_URL, MEDBILL_TEAMS_PRIVACY_URL, MEDBILL_TEAMS_TERMS_URL (https; default the
  public URL), MEDBILL_TEAMS_APP_VERSION (default package.json's; raise it for every update you upload),
  MEDBILL_TEAMS_DEVELOPER_NAME (default medbill). A missing or bad one: a message naming it, exit 2.
  How to register the bot and upload the package: adapters/teams/appPackage/README.md.`,
  today: `Usage: medbill today
  What is due on claims today in the practice's zone (MEDBILL_TIME_ZONE): the same list as typing "today"
  in the chat or the local page's Today tab, from MEDBILL_DB (overdue follow-ups, follow-ups due today,
  appeal deadlines, records requests, expiring authorizations, claims not submitted), as text.`,
  digest: `Usage: medbill digest --preview [--channel PLATFORM:CHANNEL]
  Prints the daily claims digest as medbill serve would post it today, and posts nothing.
    --preview            required: print it here (the scheduler in medbill serve does the posting)
    --channel CHANNEL    a channel that gets the digest (MEDBILL_DIGEST, or "digest here …" typed in it), as
                         MEDBILL_DIGEST writes it: slack:C0BILLING, slack:T0TEAM/C0OTHER, teams:TENANT/19:…@thread.tacv2;
                         "today" is then that channel's date, in its digest zone
  Without --channel, "today" is the practice's (MEDBILL_TIME_ZONE). A line on standard error says for which
  date and where, and when that channel gets no digest on this day of the week.`,
  report: `Usage: medbill report [--csv] [--chart FILE.png|FILE.svg]
  The claims report as of today (MEDBILL_TIME_ZONE): A/R aging by payer, denials this month by reason,
  paid rate and days to pay by payer, procedure kind and code, and what was recovered this month.
    --csv          the tables as CSV sections (a title line, a header, the rows, a blank line)
    --chart FILE   also draw the A/R aging chart: PNG or SVG by the file's extension`,
};


function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidFactsError(`${where} is not valid JSON (${(err as Error).message})`);
  }
}

/**
 * Opens the database only if it exists, so a plain triage never creates files; closes it when `fn` is done.
 * `today` gives today's date in the practice's zone (MEDBILL_TIME_ZONE): the date of service of a case without one.
 */
async function withDirectory<T>(io: Io, fn: (dir: CodeDirectory, today: () => string, icd10?: Icd10View) => T | Promise<T>): Promise<T> {
  const { dbPath, zone } = loadConfig();
  // Worked out on first use only: most cases give a date of service or no diagnosis, and the zone's first
  // lookup loads the platform's time-zone data (tens of milliseconds and megabytes on a cold start).
  let date: string | undefined;
  const today = () => (date ??= todayIn(zone, io.clock ?? systemClock));
  if (dbPath === ':memory:' || !existsSync(dbPath)) return fn(NO_DIRECTORY, today);
  const storage = openSqliteStorage(dbPath);
  try {
    const icd10 = await storage.icd10.view();
    return await fn(icd10 ?? NO_DIRECTORY, today, icd10);
  } finally {
    await storage.close();
  }
}

/** One CaseFacts line may hold 20,000 characters of notes; far longer is not a case. */
export const MAX_JSONL_LINE_BYTES = 1024 * 1024;

async function cmdTriage(args: string[], kn: Knowledge, io: Io): Promise<number> {
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
}

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

async function cmdAsk(args: string[], kn: Knowledge, io: Io): Promise<number> {
  const { on: json, rest } = takeFlag(args, '--json');
  const words = positionals('ask', rest);
  const answer = (message: string, directory: CodeDirectory, today: () => string) => {
    const { facts } = extractFacts(message, kn);
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
}

function cmdLookup(args: string[], kn: Knowledge, io: Io): Promise<number> {
  const query = positionals('lookup', args).join(' ').trim();
  if (!query) throw new UsageError('lookup needs words or a code');
  return withDirectory(io, (_dir, _today, icd10) => {
    const hits = new CodeIndex(kn, icd10).search(query);
    io.out(renderLookup(hits));
    return hits.length ? 0 : 1;
  });
}

async function cmdKb(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'check') {
    const { value: knowledgeDir, rest: others } = takeOneOption(rest, '--knowledge');
    const { value: file, rest: stray } = takeOneOption(others, '--icd10');
    const extra = positionals('kb check', stray);
    if (extra.length) throw new UsageError(`kb check: unexpected ${extra[0]} (medbill kb --help)`);
    // The check reads every knowledge file, letters and claims included: loaded for this command only.
    const { checkKnowledgeAgainstIcd10, checkValidList, knowledgeCounts } = await import('./knowledge/check.js');
    const { letterTemplateSummary } = await import('./letters/templates.js');
    const kn = loadKnowledge(knowledgeDir ?? DEFAULT_KNOWLEDGE_DIR);
    const counts = `${knowledgeCounts(kn)}\n${letterTemplateSummary(kn.dir)}`;
    const valid = checkValidList(kn);
    if (valid.problems.length) {
      io.err(`${valid.problems.length} problem(s) with the ICD-10-CM valid list:\n${valid.problems.map((p) => `  - ${p}`).join('\n')}`);
      return 1;
    }
    io.out(`knowledge/ is valid.\n${counts}\n${valid.summary}`);
    if (file === undefined) return 0;
    const parsed = parseIcd10File(await readInput(file, io));
    const problems = checkKnowledgeAgainstIcd10(kn, parsed);
    if (problems.length) {
      io.err(`${problems.length} ICD-10-CM problem(s) against ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
      return 1;
    }
    io.out(`All ${kn.icd10.size} ICD-10-CM codes in knowledge/ agree with ${file} (${parsed.format} format, ${parsed.entries.length} codes).`);
    return 0;
  }
  if (sub === 'table') {
    if (rest.length) throw new UsageError('kb table takes no arguments');
    const { coverageTable } = await import('./knowledge/table.js');
    io.out(coverageTable(loadKnowledge()));
    return 0;
  }
  if (sub === 'import-icd10') {
    const year = takeOneOption(rest, '--year');
    const dir = takeOneOption(year.rest, '--knowledge');
    const replace = takeFlag(dir.rest, '--replace');
    const force = takeFlag(replace.rest, '--force');
    const flags = [...(replace.on ? ['--replace'] : []), ...(force.on ? ['--force'] : [])];
    const [file, ...extra] = positionals('kb import-icd10', force.rest);
    if (!file) throw new UsageError('import-icd10 needs a FILE');
    if (extra.length) throw new UsageError(`import-icd10: unexpected ${extra.join(' ')}`);
    if (year.value !== undefined) return importYear(file, year.value, dir.value ?? DEFAULT_KNOWLEDGE_DIR, flags, io);
    if (flags.length || dir.value !== undefined) throw new UsageError(`import-icd10: ${[...flags, ...(dir.value !== undefined ? ['--knowledge'] : [])].join(', ')} only go with --year (the list of a fiscal year shipped in knowledge/)`);
    const parsed = parseIcd10File(await readInput(file, io));
    const { dbPath } = loadConfig();
    const storage = openSqliteStorage(dbPath);
    try {
      const info = await storage.icd10.replace(parsed.entries, file, parsed.format);
      io.out(`Imported ${info.count} ICD-10-CM codes (${info.format} format) into ${dbPath}.`);
    } finally {
      await storage.close();
    }
    return 0;
  }
  positionals('kb', [sub ?? '']);
  throw new UsageError('kb needs "check", "table" or "import-icd10"');
}

/**
 * `kb import-icd10 FILE --year YYYY`: ships the fiscal year's valid list in knowledge/codes/, then checks
 * knowledge/ against every year (a code a category suggests that the new year dropped is named: exit 1).
 */
async function importYear(file: string, yearText: string, knowledgeDir: string, flags: string[], io: Io): Promise<number> {
  if (!/^\d{4}$/.test(yearText)) throw new UsageError(`--year ${yearText}: give the fiscal year as four digits, e.g. 2028`);
  const { importValidList } = await import('./knowledge/icd10-import.js');
  const year = Number(yearText);
  const text = await readInput(file, io);
  const today = todayIn(loadConfig().zone, io.clock ?? systemClock);
  const done = importValidList(knowledgeDir, text, year, { from: file, today, replace: flags.includes('--replace'), force: flags.includes('--force') });
  io.out([
    `${done.replaced ? 'Replaced' : 'Shipped'} the FY${year} ICD-10-CM valid list: ${done.count} codes in ${displayPath(join(knowledgeDir, done.file))}`
      + `${done.against ? ` (against FY${done.against.year}: ${done.against.added} added, ${done.against.removed} no longer valid)` : ''}.`,
    `Diagnoses of services from ${fiscalYearStart(year)} to ${year}-09-30 are checked against it.`,
    done.sourceAdded ? `Added the source CMS-ICD10CM-FY${year} to knowledge/sources.json.` : `knowledge/sources.json already has CMS-ICD10CM-FY${year}.`,
    'Complete its entry in knowledge/codes/ICD10CM-PROVENANCE.md (where the file came from), then commit the three files.',
  ].join('\n'));
  const kn = loadKnowledge(knowledgeDir);
  const { checkValidList } = await import('./knowledge/check.js');
  const check = checkValidList(kn);
  io.out(check.summary);
  if (check.problems.length) {
    io.err(`knowledge/ no longer agrees with every year: ${check.problems.length} problem(s) for medbill kb check:\n${check.problems.map((p) => `  - ${p}`).join('\n')}`);
    return 1;
  }
  return 0;
}

/** Opens MEDBILL_DB for reading; an empty database in memory when there is no file yet (nothing is created). */
function openForReading(): Storage {
  const { dbPath } = loadConfig();
  return openSqliteStorage(dbPath === ':memory:' || !existsSync(dbPath) ? ':memory:' : dbPath);
}

// The claims modules (luxon, the claim policy, the report queries) load only for these commands.
async function cmdClaims(args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'import') return claimsImport(rest, io);
  if (sub === 'export') {
    if (positionals('claims export', rest).length) throw new UsageError('claims export takes no arguments (it writes every claim to standard output)');
    const { claimsCsv } = await import('./reports/claims-report.js');
    const storage = openForReading();
    try {
      let n = 0;
      for await (const line of claimsCsv(storage.claimReports)) {
        io.out(line);
        if (++n % 1000 === 0) await io.drain();
      }
    } finally {
      await storage.close();
    }
    return 0;
  }
  positionals('claims', [sub ?? '']);
  throw new UsageError('claims needs "import FILE.csv" or "export" (medbill claims --help)');
}

async function claimsImport(args: string[], io: Io): Promise<number> {
  const [{ importClaims, describeImport, describeRefusal, ImportFileError }, { mapPayerKind }] = await Promise.all([import('./claims/import.js'), import('./claims/import-values.js')]);
  const ignored = takeOption(args, '--ignore-column');
  const kinds = takeOneOption(ignored.rest, '--payer-kind');
  const { on: dryRun, rest: others } = takeFlag(kinds.rest, '--dry-run');
  const files = positionals('claims import', others);
  const [file, ...moreFiles] = files;
  if (file === undefined || moreFiles.length) throw new UsageError('claims import needs exactly one FILE.csv (or - for standard input)');
  const payerKind = kinds.value === undefined ? undefined : mapPayerKind(kinds.value);
  if (kinds.value !== undefined && !payerKind) throw new UsageError(`--payer-kind "${kinds.value}": use medicare, medicare-advantage, medicaid, commercial, tricare, auto, workers-comp, liability or other`);
  const csv = await readInput(file, io);
  const config = loadConfig();
  // A dry run against a database that does not exist yet creates none.
  const storage = openSqliteStorage(dryRun && (config.dbPath === ':memory:' || !existsSync(config.dbPath)) ? ':memory:' : config.dbPath);
  try {
    const result = await importClaims(storage, csv, { today: todayIn(config.zone, io.clock ?? systemClock), dryRun, ignoreColumns: ignored.values, ...(payerKind ? { payerKind } : {}) });
    if (!result.ok) {
      io.err(`medbill: ${describeRefusal(result).join('\n')}`);
      return 2;
    }
    io.out(describeImport(result).join('\n'));
    return 0;
  } catch (err) {
    if (!(err instanceof ImportFileError)) throw err;
    io.err(`medbill: ${err.message}`);
    return 2;
  } finally {
    await storage.close();
  }
}

async function cmdReport(args: string[], io: Io): Promise<number> {
  const chartOption = takeOption(args, '--chart');
  const { on: csv, rest } = takeFlag(chartOption.rest, '--csv');
  const stray = positionals('report', rest);
  if (stray.length) throw new UsageError(`report: unexpected ${stray[0]} (medbill report --help)`);
  if (chartOption.values.length > 1) throw new UsageError('--chart is given more than once');
  const chartFile = chartOption.values[0];
  const format = chartFile === undefined ? undefined : /\.png$/i.test(chartFile) ? 'png' : /\.svg$/i.test(chartFile) ? 'svg' : undefined;
  if (chartFile !== undefined && !format) throw new UsageError(`--chart ${chartFile}: the file must end in .png or .svg`);
  const { buildReport, categoryNames, drawAging, reportReplies } = await import('./reports/claims-report.js');
  const { zone } = loadConfig();
  const storage = openForReading();
  try {
    const report = await buildReport(storage.claimReports, todayIn(zone, io.clock ?? systemClock), zone, categoryNames(defaultKnowledge()));
    if (csv) {
      const { reportCsv } = await import('./reports/claims-report.js');
      io.out(reportCsv(report).join('\n'));
    } else {
      io.out(renderRepliesText(reportReplies(report)));
    }
    if (chartFile && format) {
      if (!report.aging.length) {
        io.err('No outstanding claims: there is no aging chart to draw, so no file was written.');
      } else {
        const chart = await drawAging(report);
        writeFileSync(chartFile, format === 'png' ? chart.png : chart.svg);
        io.err(`A/R aging chart written to ${chartFile}.`);
      }
    }
    return 0;
  } finally {
    await storage.close();
  }
}

/** package.json's version: the one place it is written. */
function packageVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...args] = argv;
  if (command === '--version') {
    io.out(`medbill ${packageVersion()}`);
    return 0;
  }
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    io.out(HELP[args[0] ?? 'main'] ?? HELP.main);
    return command ? 0 : 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(HELP[command] ?? HELP.main);
    return 0;
  }
  try {
    switch (command) {
      case 'triage': return await cmdTriage(args, defaultKnowledge(), io);
      case 'ask': return await cmdAsk(args, defaultKnowledge(), io);
      case 'lookup': return await cmdLookup(args, defaultKnowledge(), io);
      case 'kb': return await cmdKb(args, io);
      case 'claims': return await cmdClaims(args, io);
      case 'report': return await cmdReport(args, io);
      case 'today': return await (await import('./root/due.js')).cmdToday(args, io);
      case 'digest': return await (await import('./root/due.js')).cmdDigest(args, io);
      case 'letter': return await (await import('./root/letter.js')).cmdLetter(args, io);
      // The flows and resvg load only for the package: `medbill teams package`.
      case 'teams': return await (await import('./root/teams.js')).cmdTeams(args, io);
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
