/**
 * `medbill claims import FILE.csv`: a practice starts medbill with the open medical claims its
 * practice-management (PM) system exports. Every row is checked first; with any bad row nothing is written.
 * The rows are then written in ONE transaction, each through ClaimService (`draft`, then `plan` + `commit` for
 * each later status), so every claim gets its follow-up dates from the policy and a history that says it came
 * from the import (surface `import`, actor `cli:import`).
 *
 * The parts, each its own file: the CSV reader (csv.ts, the seam where a streaming parser goes), the columns
 * and the header (import-columns.ts), what a cell's words mean (import-values.ts), one row read and checked
 * (import-row.ts), and the changes that bring a claim to its status (import-steps.ts). This file runs them
 * over the file, writes the claims, and says what happened.
 */
import type { ClaimService, Plan } from './service.js';
import type { ClaimReportStore } from '../store/claim-reports.js';
import type { StoreWrite, UnitOfWork } from '../store/unit-of-work.js';
import { CLAIM_STATUSES, isOpen, type Actor, type Claim, type ClaimStatus } from '../store/claim.js';
import { formatCents } from '../money.js';
import { CsvError, csvRecords, type CsvRecord } from './csv.js';
import { ImportFileError, readHeader } from './import-columns.js';
import { RowReader, type ImportRow, type KnownClaim, type RowOptions } from './import-row.js';
import type { Knowledge } from '../knowledge/load.js';
import type { CodeIndex } from '../knowledge/lookup.js';

export { ImportFileError } from './import-columns.js';

export interface RowProblem { line: number; problems: string[] }

export interface ImportOptions extends RowOptions {
  /** Check everything and write nothing. */
  dryRun?: boolean;
  /** Column names dropped unread (needed for a column whose name says it holds identifiers). */
  ignoreColumns?: readonly string[];
  actor?: Actor;
}

/** What an import reads and writes through, built by the composition root: the claims, and the codes and knowledge rows are checked against. */
export interface ImportServices {
  claims: ClaimService;
  codes: CodeIndex;
  kn: Knowledge;
  /** The claims already in medbill (a file is not imported twice). */
  reports: ClaimReportStore;
  /** Where the rows are written, all in one commit. */
  unitOfWork: UnitOfWork;
}

export interface ImportSummary {
  ok: true;
  dryRun: boolean;
  claims: number;
  open: number;
  outstandingCents: number;
  byStatus: Partial<Record<ClaimStatus, number>>;
  /** Columns not read: medbill has no use for them. */
  unused: string[];
  /** Columns dropped unread with --ignore-column. */
  dropped: string[];
}

export interface ImportRefused {
  ok: false;
  /** Data rows in the file. */
  rows: number;
  problems: RowProblem[];
  unused: string[];
  dropped: string[];
}

export type ImportResult = ImportSummary | ImportRefused;

export const IMPORT_ACTOR: Actor = { who: 'cli:import', surface: 'import' };

/**
 * Checks every row of `csv` and, when all are good, imports them as claims in one unit of work (with
 * `dryRun`, checks and writes nothing). Throws ImportFileError when the file as a whole cannot be read.
 */
export async function importClaims(to: ImportServices, csv: string, options: ImportOptions): Promise<ImportResult> {
  let records: CsvRecord[];
  try {
    records = [...csvRecords(csv)].filter((r) => r.fields.some((f) => f.trim() !== ''));
  } catch (err) {
    if (err instanceof CsvError) throw new ImportFileError(`the file is not valid CSV: ${err.message}`);
    throw err;
  }
  const [head, ...data] = records;
  if (!head) throw new ImportFileError('the file is empty: the first line must name the columns, and each line after it is one claim.');
  const cols = readHeader(head.fields, options.ignoreColumns ?? []);
  const service = to.claims;
  const reader = new RowReader(cols, await knownClaims(to.reports), () => service.kn, to.codes, to.kn, options);
  const problems: RowProblem[] = [];
  const rows: ImportRow[] = [];
  for (const rec of data) {
    const read = reader.read(rec);
    if ('row' in read) rows.push(read.row);
    else problems.push({ line: rec.line, problems: read.problems });
  }
  const refused = (list: RowProblem[]): ImportRefused => ({ ok: false, rows: data.length, problems: list, unused: cols.unused, dropped: cols.dropped });
  if (problems.length) return refused(problems);
  if (!rows.length) throw new ImportFileError('the file has a header but no claims.');

  // Every row's claim and its later statuses are planned in memory, then written in one commit: all or none.
  const actor = options.actor ?? IMPORT_ACTOR;
  const claims: Claim[] = [];
  const writes: StoreWrite[] = [];
  const writeProblems: RowProblem[] = [];
  for (const row of rows) {
    const last = await planRow(service, row, actor, writes);
    if (typeof last === 'string') writeProblems.push({ line: row.line, problems: [last] });
    else claims.push(last);
  }
  if (writeProblems.length) return refused(writeProblems);
  const first = rows[0];
  if (!options.dryRun && !(await to.unitOfWork.commit(writes)) && first) {
    return refused([{ line: first.line, problems: ['claims changed in medbill while the file was being imported; nothing was imported: import it again'] }]);
  }
  const open = claims.filter((c) => isOpen(c.status));
  const byStatus: Partial<Record<ClaimStatus, number>> = {};
  for (const c of claims) byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
  return {
    ok: true, dryRun: options.dryRun ?? false, claims: claims.length, open: open.length,
    outstandingCents: open.reduce((sum, c) => sum + (c.billedCents ?? 0) - (c.paidCents ?? 0), 0),
    byStatus, unused: cols.unused, dropped: cols.dropped,
  };
}

/** The claims already in medbill (case id and claim number), so that a file imported twice is refused. */
async function knownClaims(reports: ClaimReportStore): Promise<KnownClaim[]> {
  const known: KnownClaim[] = [];
  for await (const c of reports.exportRows()) known.push({ caseId: c.case_id, ...(c.reference !== null ? { reference: c.reference } : {}) });
  return known;
}

/** Plans one row's claim and its later statuses (adding their writes); the claim as it ends up, or what stopped it. */
async function planRow(service: ClaimService, row: ImportRow, actor: Actor, writes: StoreWrite[]): Promise<Claim | string> {
  const write = (p: Plan): Claim | string => {
    if (!p.ok) return p.problem;
    writes.push(service.write(p));
    return p.after;
  };
  let claim = write(await service.draft(row.claim, actor));
  for (const step of row.steps) {
    if (typeof claim === 'string') return claim;
    const p = service.planFrom(claim, step.change, actor);
    if (p.ok && step.withoutPaidDate) {
      delete p.after.paidDate;
      delete p.entry.change.paidDate;
    }
    claim = write(p);
  }
  return claim;
}

// ---------------------------------------------------------------------------------------------------------------
// What the command prints

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
const STATUS_SHORT: Record<ClaimStatus, string> = {
  draft: 'not submitted', submitted: 'submitted', pended: 'pended', 'records-requested': 'records requested', paid: 'paid',
  'partially-paid': 'partly paid', denied: 'denied', appealed: 'appealed', 'written-off': 'written off', closed: 'closed',
};

/** The summary of an import (stdout), e.g. "Imported 123 claims (98 open, $45,120 outstanding)." */
export function describeImport(r: ImportSummary): string[] {
  const figures = `${plural(r.open, 'open', 'open')}, ${formatCents(r.outstandingCents)} outstanding`;
  const lines = [r.dryRun
    ? `Checked ${plural(r.claims, 'claim')}: all can be imported (${figures}). Nothing was written (--dry-run).`
    : `Imported ${plural(r.claims, 'claim')} (${figures}).`];
  lines.push(`By status: ${CLAIM_STATUSES.filter((s) => r.byStatus[s]).map((s) => `${r.byStatus[s]} ${STATUS_SHORT[s]}`).join(', ')}.`);
  lines.push(...notes(r));
  return lines;
}

function notes(r: { unused: string[]; dropped: string[] }): string[] {
  const out: string[] = [];
  if (r.dropped.length) out.push(`Dropped unread: ${r.dropped.join(', ')}.`);
  if (r.unused.length) out.push(`Not read (medbill does not use ${r.unused.length === 1 ? 'it' : 'them'}): ${r.unused.join(', ')}.`);
  return out;
}

/** Why nothing was imported (stderr): each bad row by its line in the file, at most `limit` rows. */
export function describeRefusal(r: ImportRefused, limit = 50): string[] {
  const lines = [`nothing was imported: ${plural(r.problems.length, 'row')} of ${r.rows.toLocaleString('en-US')} cannot be imported.`];
  for (const p of r.problems.slice(0, limit)) lines.push(`  line ${p.line}: ${p.problems.join('; ')}`);
  if (r.problems.length > limit) lines.push(`  … and ${plural(r.problems.length - limit, 'more row')}.`);
  lines.push('Fix these rows (or remove them) and import the file again.', ...notes(r));
  return lines;
}
