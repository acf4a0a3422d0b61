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
import { opensDentalClaim, type ClaimService, type NewClaim, type Plan } from './service.js';
import { dentalClaimKey } from '../case-id.js';
import type { StoreWrite, UnitOfWork, WriteBatches } from '../store/unit-of-work.js';
import { CLAIM_STATUSES, isOpen, TRANSITIONS, type Actor, type Claim, type ClaimStatus } from '../store/claim.js';
import { localDate } from '../today.js';
import { formatCents } from '../money.js';
import { CsvError, csvEncoding, csvRecords, type CsvInput, type CsvRecord } from './csv.js';
import { ImportFileError, readHeader, type Columns } from './import-columns.js';
import { RowReader, type ImportRow, type RowOptions } from './import-row.js';
import { AddedRows, type PlannedRow } from './import-plan.js';
import type { Knowledge } from '../knowledge/load.js';
import type { CodeIndex } from '../knowledge/lookup.js';

export { ImportFileError } from './import-columns.js';
export type { CsvInput } from './csv.js';
export type { AddedRows, PlannedRow } from './import-plan.js';

export interface RowProblem { line: number; problems: string[] }

export interface ImportOptions extends RowOptions {
  /** Check everything and write nothing. */
  dryRun?: boolean;
  /** Column names dropped unread (needed for a column whose name says it holds identifiers). */
  ignoreColumns?: readonly string[];
  actor?: Actor;
  /** The practice's time zone: the day a change was made in medbill, against the file's dates (UTC unless given). */
  zone?: string;
}

/** What an import reads and writes through, built by the composition root: the claims, and the codes and knowledge rows are checked against. */
export interface ImportServices {
  claims: ClaimService;
  codes: CodeIndex;
  kn: Knowledge;
  /** Where the rows are written, all in one transaction (batch by batch). */
  unitOfWork: UnitOfWork;
}

/** What a weekly re-import does, row by row (new rows are in `added`, rows left as they are only by line). */
export interface ImportPlan {
  added: AddedRows;
  updated: PlannedRow[];
  unchanged: number[];
  /** Rows a later change made in medbill (chat, the CLI) contradicts: reported, not overwritten. */
  conflicts: PlannedRow[];
}

export interface ImportSummary {
  ok: true;
  dryRun: boolean;
  /** Claims written (new and updated). */
  claims: number;
  open: number;
  outstandingCents: number;
  byStatus: Partial<Record<ClaimStatus, number>>;
  /** Columns not read: medbill has no use for them. */
  unused: string[];
  /** Columns dropped unread with --ignore-column. */
  dropped: string[];
  plan: ImportPlan;
  /** How the file was read, when it was not plain UTF-8 (a note for the summary). */
  encoding?: string;
}

export interface ImportRefused {
  ok: false;
  /** Data rows in the file. */
  rows: number;
  problems: RowProblem[];
  unused: string[];
  dropped: string[];
  encoding?: string;
}

export type ImportResult = ImportSummary | ImportRefused;

export const IMPORT_ACTOR: Actor = { who: 'cli:import', surface: 'import' };

/** Rows read, matched (one read of the claims they name) and written (one batch of writes) together. */
export const IMPORT_BATCH = 1000;

/**
 * Checks every row of the CSV and, when all are good, imports them as claims in one unit of work (with
 * `dryRun`, checks and writes nothing). Throws ImportFileError when the file as a whole cannot be read.
 *
 * The file is read as a stream, once (after a pass over its bytes for the encoding): each batch of rows is
 * checked, matched to the claims in medbill it names, planned and written into the one transaction, which is
 * committed at the end only if no row of the file was bad; so memory holds a batch, the plan's counts and the
 * lines it lists, never the file.
 */
export async function importClaims(to: ImportServices, input: CsvInput, options: ImportOptions): Promise<ImportResult> {
  const encoding = await csvEncoding(input);
  const note = encoding === 'UTF-8' ? {} : { encoding };
  const records = nonBlank(csvRecords(input, encoding));
  try {
    const head = await records.next();
    if (head.done) throw new ImportFileError('the file is empty: the first line must name the columns, and each line after it is one claim.');
    const run = new ImportRun(to, readHeader(head.value.fields, options.ignoreColumns ?? []), options);
    try {
      let batch: CsvRecord[] = [];
      for (let r = await records.next(); !r.done; r = await records.next()) {
        batch.push(r.value);
        if (batch.length === IMPORT_BATCH) {
          await run.batch(batch);
          batch = [];
        }
      }
      if (batch.length) await run.batch(batch);
      return await run.finish(note);
    } finally {
      await run.rollback();
    }
  } finally {
    await records.return(undefined);
  }
}

/** The file's records but blank lines, a CSV syntax error as the file's. */
async function* nonBlank(records: AsyncIterable<CsvRecord>): AsyncGenerator<CsvRecord, void, undefined> {
  try {
    for await (const r of records) if (r.fields.some((f) => f.trim() !== '')) yield r;
  } catch (err) {
    if (err instanceof CsvError) throw new ImportFileError(`the file is not valid CSV: ${err.message}`);
    throw err;
  }
}

/**
 * A row of the plan, made by one literal of a fixed shape: a plan lists up to every row of the file, and objects
 * built by spreading got a hidden class each (200,000 rows held 60 MB of them).
 */
function planned(row: ImportRow, what: string): PlannedRow {
  const { line } = row;
  const { caseId, reference } = row.claim;
  return reference === undefined ? { line, caseId, what } : { line, caseId, reference, what };
}

/** One import under way: what its rows said so far, and the transaction its batches are written into. */
class ImportRun {
  private readonly reader: RowReader;
  private readonly service: ClaimService;
  private readonly actor: Actor;
  private readonly zone: string;
  private readonly problems: RowProblem[] = [];
  private readonly writeProblems: RowProblem[] = [];
  private readonly plan: ImportPlan = { added: new AddedRows((s) => STATUS_SHORT[s]), updated: [], unchanged: [], conflicts: [] };
  private readonly totals = { claims: 0, open: 0, outstandingCents: 0, byStatus: {} as Partial<Record<ClaimStatus, number>> };
  private rows = 0;
  private firstLine?: number;
  /** A conditional write found its claim changed in medbill meanwhile: nothing is written. */
  private changed = false;
  /**
   * Medical claims of medical-first cases the file shows paid, partly paid or denied: each opens its case's
   * dental claim at the end, unless the file has that claim's own row (a file exported from medbill) or medbill has it.
   */
  private readonly decided: { line: number; before?: Claim; after: Claim }[] = [];
  private writing?: WriteBatches;
  /** Whether the practice had claims when the first batch was checked. */
  private hadClaims?: boolean;

  constructor(private readonly to: ImportServices, private readonly cols: Columns, private readonly options: ImportOptions) {
    this.service = to.claims;
    this.reader = new RowReader(cols, () => this.service.kn, to.codes, to.kn, options);
    this.actor = options.actor ?? IMPORT_ACTOR;
    this.zone = options.zone ?? 'UTC';
  }

  /** A batch of records: each checked; while the file is good so far, planned and written. */
  async batch(records: readonly CsvRecord[]): Promise<void> {
    const { reader, service } = this;
    this.rows += records.length;
    this.firstLine ??= records[0]?.line;
    const caseIds = new Set<string>();
    const references = new Set<string>();
    for (const rec of records) {
      const k = reader.keys(rec);
      if (k.caseId) caseIds.add(k.caseId);
      if (k.reference) references.add(k.reference);
    }
    const stored = caseIds.size || references.size ? await service.store.find({ caseIds: [...caseIds], references: [...references] }) : [];
    reader.know(stored.map((c) => ({ caseId: c.caseId, ...(c.reference !== undefined ? { reference: c.reference } : {}) })));
    const rows: ImportRow[] = [];
    for (const rec of records) {
      const read = reader.read(rec);
      if ('row' in read) rows.push(read.row);
      else this.problems.push({ line: rec.line, problems: read.problems });
    }
    // With a bad row anywhere the file is refused: the rest is only checked.
    if (this.problems.length || this.changed) return;
    await this.freeIds(rows);
    const byCase = new Map(stored.map((c) => [c.caseId, c]));
    const writes: StoreWrite[] = [];
    for (const row of rows) await this.planRowOf(row, byCase, writes);
    if (this.writeProblems.length || this.options.dryRun || !writes.length) return;
    this.writing ??= await this.to.unitOfWork.begin();
    if (!(await this.writing.write(writes))) this.changed = true;
  }

  /**
   * Case ids made for new rows that a claim in medbill already has are made again (a few in 100,000). Only claims
   * there before the import can have one: the reader keeps the file's own ids from being made again. Into a
   * practice without claims there is nothing to check (a claim made elsewhere meanwhile with the same id makes
   * the import's write conflict: nothing is imported, and it is imported again).
   */
  private async freeIds(rows: ImportRow[]): Promise<void> {
    this.hadClaims ??= await this.service.store.hasClaims();
    if (!this.hadClaims) return;
    for (let made = rows.filter((r) => r.madeId); made.length;) {
      const taken = new Set((await this.service.store.find({ caseIds: made.map((r) => r.claim.caseId), references: [] })).map((c) => c.caseId));
      made = made.filter((r) => taken.has(r.claim.caseId));
      for (const r of made) this.reader.remakeId(r);
    }
  }

  /** One good row planned: a new claim, an update, unchanged, or a conflict (its writes added to `writes`). */
  private async planRowOf(row: ImportRow, stored: ReadonlyMap<string, Claim>, writes: StoreWrite[]): Promise<void> {
    const { service, actor, plan } = this;
    const at = (what: string): PlannedRow => planned(row, what);
    if (row.existing === undefined) {
      // The batch's read found no claim with this case id (and a made one was checked): a new claim.
      const last = await planRow(service, row, actor, writes, (c) => service.draftUnstored(c, actor));
      if (typeof last === 'string') this.writeProblems.push({ line: row.line, problems: [last] });
      else {
        this.count(last);
        plan.added.add(row.line, last.caseId, last.reference, last.status);
        if (opensDentalClaim(undefined, last)) this.decided.push({ line: row.line, after: last });
      }
      return;
    }
    const synced = await planUpdate(service, row, stored.get(row.existing), actor, this.zone);
    if (synced.kind === 'problem') this.writeProblems.push({ line: row.line, problems: [synced.problem] });
    else if (synced.kind === 'unchanged') plan.unchanged.push(row.line);
    else if (synced.kind === 'conflict') plan.conflicts.push(at(synced.why));
    else {
      writes.push(service.write(synced.plan));
      this.count(synced.plan.after);
      plan.updated.push(at(describeSync(synced.plan)));
      if (opensDentalClaim(synced.plan.before, synced.plan.after)) this.decided.push({ line: row.line, ...(synced.plan.before ? { before: synced.plan.before } : {}), after: synced.plan.after });
    }
  }

  /** The dental claims the file's medical EOBs open (see `decided`), planned and written with the rest. */
  private async openDentalClaims(): Promise<void> {
    const { service, actor } = this;
    const writes: StoreWrite[] = [];
    for (const d of this.decided) {
      if (this.reader.hasCase(dentalClaimKey(d.after.caseId))) continue;
      const opened = await service.opening(d.before, d.after, actor);
      if (!opened) continue;
      writes.push(...service.writes({ ok: true, after: opened.after, entry: opened.entry }));
      this.count(opened.after);
      // Listed after its medical claim's row, so the plan reads in line order.
      this.plan.added.addAfter({ line: d.line, caseId: opened.after.caseId, what: `dental claim opened after ${d.after.caseId}'s medical EOB (${STATUS_SHORT[opened.after.status]})` });
    }
    if (this.options.dryRun || !writes.length) return;
    this.writing ??= await this.to.unitOfWork.begin();
    if (!(await this.writing.write(writes))) this.changed = true;
  }

  private count(c: Claim): void {
    const t = this.totals;
    t.claims++;
    t.byStatus[c.status] = (t.byStatus[c.status] ?? 0) + 1;
    if (isOpen(c.status)) {
      t.open++;
      t.outstandingCents += (c.billedCents ?? 0) - (c.paidCents ?? 0);
    }
  }

  /** What the file came to: refused (nothing written), or the summary, with every batch committed. */
  async finish(note: { encoding?: string }): Promise<ImportResult> {
    const { cols } = this;
    const refused = (list: RowProblem[]): ImportRefused => ({ ok: false, rows: this.rows, problems: list, unused: cols.unused, dropped: cols.dropped, ...note });
    if (this.problems.length) return refused(this.problems);
    if (!this.rows) throw new ImportFileError('the file has a header but no claims.');
    if (this.writeProblems.length) return refused(this.writeProblems);
    if (!this.changed) await this.openDentalClaims();
    if (this.changed) return refused([{ line: this.firstLine ?? 2, problems: ['claims changed in medbill while the file was being imported; nothing was imported: import it again'] }]);
    await this.writing?.commit();
    const { claims, open, outstandingCents, byStatus } = this.totals;
    return { ok: true, dryRun: this.options.dryRun ?? false, claims, open, outstandingCents, byStatus, unused: cols.unused, dropped: cols.dropped, plan: this.plan, ...note };
  }

  /** Drops whatever was written (nothing once `finish` committed it). */
  async rollback(): Promise<void> {
    await this.writing?.rollback();
  }
}

/**
 * Plans one row's claim and its later statuses (adding their writes, when `writes` is given); the claim as it
 * ends up, or what stopped it.
 */
async function planRow(service: ClaimService, row: ImportRow, actor: Actor, writes: StoreWrite[] | undefined, draft: (c: NewClaim) => Plan | Promise<Plan>): Promise<Claim | string> {
  const write = (p: Plan): Claim | string => {
    if (!p.ok) return p.problem;
    writes?.push(service.write(p));
    return p.after;
  };
  let claim = write(await draft(row.claim));
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

/** What a weekly export can change on a claim medbill has: its amounts, dates and denial (and, apart, its status). */
const SYNC_FIELDS: readonly (keyof Claim)[] = ['billedCents', 'paidCents', 'serviceDate', 'submittedDate', 'paidDate', 'deniedDate', 'denial', 'authExpires'];

type Update =
  | { kind: 'unchanged' }
  | { kind: 'conflict'; why: string }
  | { kind: 'problem'; problem: string }
  | { kind: 'update'; plan: Extract<Plan, { ok: true }> };

/**
 * A row naming a claim medbill has: what the file says of it (the claim a fresh import of the row makes) against
 * what medbill recorded. Unchanged when every status, amount, date and denial the file gives matches; a conflict
 * when, after the file's latest date, someone changed the claim in medbill (not an import), or when the file
 * would move it back from where it is; otherwise the claim is brought to the file's status and figures.
 */
async function planUpdate(service: ClaimService, row: ImportRow, stored: Claim | undefined, actor: Actor, zone: string): Promise<Update> {
  const caseId = row.existing ?? row.claim.caseId;
  if (!stored) return { kind: 'problem', problem: `case ${caseId} is no longer in medbill: import the file again` };
  // Most rows of a weekly export are unchanged: told from the row's steps, without replaying them.
  const says = fileSays(row);
  if (says && matches(says, stored)) return { kind: 'unchanged' };
  const file = await planRow(service, { ...row, claim: { ...row.claim, caseId } }, actor, undefined, (c) => service.draftUnstored(c, actor));
  if (typeof file === 'string') return { kind: 'problem', problem: file };
  if (matches(file, stored)) return { kind: 'unchanged' };
  const asOf = row.asOf;
  const later = (await service.store.history(caseId)).filter((e) => e.surface !== 'import' && e.action !== 'created' && (asOf === undefined || localDate(e.at, zone) > asOf)).at(-1);
  if (later) {
    const when = localDate(later.at, zone);
    return { kind: 'conflict', why: `medbill recorded "${later.action}" (${STATUS_SHORT[later.toStatus]}) on ${when} from ${later.surface}, after the file's ${asOf ?? 'undated row'}; the file says ${STATUS_SHORT[file.status]}: not overwritten, check it` };
  }
  if (file.status !== stored.status && !reachable(stored.status, file.status)) {
    return { kind: 'conflict', why: `medbill has it ${STATUS_SHORT[stored.status]} and the file says ${STATUS_SHORT[file.status]}, which a claim cannot go back to: not overwritten, check it` };
  }
  const p = service.planSync(stored, file, SYNC_FIELDS, actor);
  return p.ok ? { kind: 'update', plan: p } : { kind: 'problem', problem: p.problem };
}

/** What the file says of a claim: its status and the fields a weekly export syncs. */
type FileSays = Pick<Claim, 'status'> & Partial<Pick<Claim, (typeof SYNC_FIELDS)[number]>>;

/** Whether the stored claim already has the file's status and every synced field the file gives. */
function matches(file: FileSays, stored: Claim): boolean {
  return file.status === stored.status && SYNC_FIELDS.every((f) => file[f] === undefined || sameValue(file[f], stored[f]));
}

const sameValue = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

/**
 * The status and synced fields a row's claim ends with, read off its steps as ClaimService's changes set them
 * (created: submitted or draft; paid: the amount and date, none when the file gives none; denied: the denial
 * and its date; any other: its status). Undefined for a change it does not read, which is then replayed.
 */
export function fileSays(row: ImportRow): FileSays | undefined {
  const { billedCents, serviceDate, submittedDate, authExpires } = row.claim;
  const says: FileSays = { status: submittedDate ? 'submitted' : 'draft', billedCents, serviceDate, submittedDate, authExpires };
  for (const { change, withoutPaidDate } of row.steps) {
    switch (change.kind) {
      case 'paid':
        says.status = change.partial ? 'partially-paid' : 'paid';
        says.paidCents = (says.paidCents ?? 0) + change.amountCents;
        says.paidDate = withoutPaidDate ? undefined : change.date;
        break;
      case 'denied':
        says.status = 'denied';
        says.denial = change.denial;
        says.deniedDate = change.date;
        break;
      case 'pended':
      case 'records-requested':
      case 'appealed':
      case 'written-off':
      case 'closed':
        says.status = change.kind;
        break;
      default:
        return undefined;
    }
  }
  return says;
}

/** Whether a claim can get from one status to another by the moves medbill allows (a week may hold several). */
function reachable(from: ClaimStatus, to: ClaimStatus): boolean {
  const seen = new Set<ClaimStatus>([from]);
  const queue: ClaimStatus[] = [from];
  for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
    for (const next of TRANSITIONS[s]) {
      if (next === to) return true;
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return false;
}

const FIELD_NAMES: Partial<Record<keyof Claim, string>> = {
  billedCents: 'billed', paidCents: 'paid', serviceDate: 'date of service', submittedDate: 'submitted', paidDate: 'paid on', deniedDate: 'denied on', denial: 'denial', authExpires: 'auth expires',
};

/** An update in a few words: the status move and the figures that changed ("submitted → paid; paid $412, paid on 2026-11-18"). */
function describeSync(p: Extract<Plan, { ok: true }>): string {
  const from = p.before ? STATUS_SHORT[p.before.status] : '';
  const status = p.before && p.before.status !== p.after.status ? `${from} → ${STATUS_SHORT[p.after.status]}` : STATUS_SHORT[p.after.status];
  const figures = SYNC_FIELDS.filter((f) => f in p.entry.change).map((f) => {
    const v = p.after[f];
    const shown = typeof v === 'number' ? formatCents(v) : typeof v === 'string' ? v : v && typeof v === 'object' ? describeDenial(p.after) : '';
    return `${FIELD_NAMES[f] ?? f} ${shown}`;
  });
  return figures.length ? `${status}; ${figures.join(', ')}` : status;
}

const describeDenial = (c: Claim): string => {
  const d = c.denial;
  if (!d) return '';
  return d.carc ? `${d.group ? `${d.group}-` : ''}${d.carc}${d.rarc ? ` ${d.rarc}` : ''}` : (d.words ?? '');
};

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
  const { added, updated, unchanged, conflicts } = r.plan;
  // A file of new claims only reads as it always has; a re-import says what it does to each row.
  const incremental = updated.length + unchanged.length + conflicts.length > 0;
  const lines: string[] = [];
  if (!incremental) {
    lines.push(r.dryRun
      ? `Checked ${plural(r.claims, 'claim')}: all can be imported (${figures}). Nothing was written (--dry-run).`
      : `Imported ${plural(r.claims, 'claim')} (${figures}).`);
  } else {
    const counts = `${added.length.toLocaleString('en-US')} new, ${updated.length.toLocaleString('en-US')} updated, ${unchanged.length.toLocaleString('en-US')} unchanged, ${plural(conflicts.length, 'conflict')}`;
    const rows = plural(added.length + updated.length + unchanged.length + conflicts.length, 'row');
    lines.push(r.dryRun ? `Checked ${rows}: ${counts}. Nothing was written (--dry-run).` : `Imported ${rows}: ${counts}.`);
    const claim = (p: PlannedRow) => `${p.caseId}${p.reference !== undefined ? ` (${p.reference})` : ''}`;
    const listed = [...[...added].map((p) => ({ ...p, kind: 'new' })), ...updated.map((p) => ({ ...p, kind: 'updated' })), ...conflicts.map((p) => ({ ...p, kind: 'conflict' }))].sort((a, b) => a.line - b.line);
    for (const p of listed) lines.push(`  line ${p.line}: ${p.kind}: ${claim(p)} ${p.what}`);
    if (unchanged.length) lines.push(`  unchanged: ${lineRanges(unchanged)}`);
  }
  if (r.claims) lines.push(`By status${incremental ? ' (new and updated)' : ''}: ${CLAIM_STATUSES.filter((s) => r.byStatus[s]).map((s) => `${r.byStatus[s]} ${STATUS_SHORT[s]}`).join(', ')}.`);
  lines.push(...notes(r));
  return lines;
}

/** Line numbers as ranges: "lines 2-4, 7". */
function lineRanges(lines: readonly number[]): string {
  const sorted = [...lines].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return `line${sorted.length > 1 ? 's' : ''} ${parts.join(', ')}`;
}

function notes(r: { unused: string[]; dropped: string[]; encoding?: string }): string[] {
  const out: string[] = [];
  if (r.encoding) out.push(`Read as ${r.encoding}: the file is not UTF-8 (check accented names, e.g. the payers', came out right).`);
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
