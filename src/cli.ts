/**
 * The medbill command line: the bin entry. It finds the command (src/root/commands/, one module each) and runs
 * it, builds the help text from the commands' own usage lines and help, and turns a command's errors into
 * exit codes. Contract (shared/contracts/triage.md): `triage --json FILE|-`, `triage --jsonl FILE|-`,
 * `ask --json "TEXT"`; JSON on stdout only, messages on stderr, exit 2 for bad input.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidFactsError } from './knowledge/facts.js';
import { KnowledgeError } from './knowledge/load.js';
import { IcdFileError } from './knowledge/icd10-file.js';
import { ConfigError } from './config.js';
import { UsageError, type Io } from './command-line.js';
import { PROJECT_ROOT } from './paths.js';
import { commands } from './root/commands/index.js';

const ABOUT = 'medbill: is this dental case billed to medical insurance?';

const ENVIRONMENT = `Environment: MEDBILL_DB (default ./data/medbill.db), MEDBILL_DATABASE_URL (postgres://…: PostgreSQL
instead of the SQLite file), PORT (3978), HOST (127.0.0.1),
MEDBILL_SESSION_TTL_MINUTES (120), MEDBILL_LOG (info; debug, warn, error, silent),
MEDBILL_WEB (on; off serves no chat page), MEDBILL_ALLOWED_HOSTS (extra host names for the page),
MEDBILL_INBOX_MAX (2000 events waiting to be answered, at most), MEDBILL_INBOX_LEASE_MS (30000: how long a
replica holds an event unrenewed), MEDBILL_REPLICA_ID (this process's name on the events it holds), MEDBILL_TIME_ZONE (the practice's
IANA time zone, for "today" in claims, digests, reports and letters; default America/New_York, never
this machine's), MEDBILL_PRACTICES (single; per-workspace: each Slack workspace or Teams tenant a practice of its own),
MEDBILL_PRACTICE (default: the practice the commands act on), MEDBILL_DIGEST (digest channels, e.g. "slack:C0BILLING 8:00 America/Chicago"), MEDBILL_DIGEST_TICK_SECONDS (30);
LLM narrative in letters (optional, off by default): MEDBILL_LLM_BASE_URL (an OpenAI-compatible server, with
/v1), MEDBILL_LLM_MODEL, MEDBILL_LLM_API_KEY, MEDBILL_LLM_TIMEOUT_MS (20000);
Slack: SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (HTTP at /slack/events) or SLACK_APP_TOKEN (Socket Mode),
SLACK_API_URL (the Web API base, for tests and proxies).
An option a command does not know is refused (exit 2, naming it); after "--" every argument is text.
Exit codes: 0 ok, 1 failure, 2 bad input.`;

/** `medbill --help`: what medbill is, every command's usage lines in the list's order, the environment and the exit codes. */
async function mainHelp(): Promise<string> {
  const all = await Promise.all(commands.map((c) => c.load()));
  const usage = ['medbill --version                the version of medbill', ...all.flatMap((c) => c.usage)];
  return `${ABOUT}\n\nUsage:\n${usage.map((line) => `  ${line}`).join('\n')}\n\n${ENVIRONMENT}`;
}

/** `medbill help NAME`, `medbill NAME --help`: the command's own help, or the main help for a name that is none. */
async function helpFor(name: string | undefined): Promise<string> {
  const entry = commands.find((c) => c.name === name);
  return entry ? (await entry.load()).help : mainHelp();
}

/** package.json's version: the one place it is written. */
function packageVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--version') {
    io.out(`medbill ${packageVersion()}`);
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(await helpFor(args[0]));
    return name ? 0 : 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(await helpFor(name));
    return 0;
  }
  try {
    const entry = commands.find((c) => c.name === name);
    if (!entry) throw new UsageError(`unknown command "${name}" (try medbill --help)`);
    return await (await entry.load()).run(args, io);
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
