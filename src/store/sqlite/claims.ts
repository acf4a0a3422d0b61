/**
 * Claims and their history in SQLite (see src/store/claims.ts). Every claim write is conditional on the
 * version it was read at; the history row is written in the same transaction (the unit of work's). The
 * digest and report queries run on partial indexes of open claims, so their cost follows what is due, not
 * how many claims a practice has ever had.
 */
import type Database from 'better-sqlite3';
import type { Db } from './db.js';
import type { Claim, HistoryEntry } from '../claim.js';
import { CLAIM_COLUMN_NAMES, CLAIM_COLUMNS, DUE_COLUMNS, dueItem, fromHistoryRow, fromRow, HISTORY_COLUMNS, historyValues, toRow, type ClaimRow, type DueRow, type HistoryRow } from '../claim-rows.js';
import { DUE_SECTIONS, MAX_BY_REFERENCE, type ClaimEntry, type ClaimKeys, type ClaimStore, type DueSection, type DueSectionName, type DueWindow } from '../claims.js';

const COLUMNS = CLAIM_COLUMNS;
const VALUES = CLAIM_COLUMN_NAMES.map((c) => `@${c}`).join(', ');

/**
 * What an open claim adds to the open amount: its balance, except a dental claim (C-7K3Q9-D) while its case's
 * medical claim is still open, whose balance is that same money.
 */
const OPEN_CENTS = `CASE WHEN claims.case_id LIKE '%-D' AND EXISTS (SELECT 1 FROM claims medical WHERE medical.practice = claims.practice AND medical.case_id = substr(claims.case_id, 1, 7) AND medical.open = 1)
  THEN 0 ELSE coalesce(claims.billed_cents, 0) - coalesce(claims.paid_cents, 0) END`;

/** The digest's window, with the practice whose claims it reads. */
type ScopedWindow = DueWindow & { practice: string };

const NOT_LISTED_BELOW = "status <> 'records-requested' AND NOT (status = 'denied' AND appeal_deadline IS NOT NULL AND appeal_deadline <= @until)";

/** The digest's sections: each a WHERE clause on one partial index, with the date column it sorts by. */
const SECTIONS = {
  // A claim whose appeal deadline or records request is listed below is not listed again as a follow-up.
  overdue: { date: 'next_follow_up', index: 'claims_follow_up', where: `practice = @practice AND open = 1 AND next_follow_up < @today AND ${NOT_LISTED_BELOW}` },
  today: { date: 'next_follow_up', index: 'claims_follow_up', where: `practice = @practice AND open = 1 AND next_follow_up = @today AND ${NOT_LISTED_BELOW}` },
  appeals: { date: 'appeal_deadline', index: 'claims_appeal', where: "practice = @practice AND open = 1 AND appeal_deadline IS NOT NULL AND appeal_deadline >= @today AND appeal_deadline <= @until AND status = 'denied'" },
  records: { date: 'records_due', index: 'claims_records', where: "practice = @practice AND open = 1 AND records_due IS NOT NULL AND records_due <= @until AND status = 'records-requested'" },
  authorizations: { date: 'auth_expires', index: 'claims_auth', where: "practice = @practice AND open = 1 AND auth_expires IS NOT NULL AND auth_expires <= @authUntil AND status = 'draft'" },
  unsubmitted: { date: 'service_date', index: 'claims_unsubmitted', where: "practice = @practice AND status = 'draft' AND service_date IS NOT NULL AND service_date <= @unsubmittedBefore" },
} as const satisfies Record<DueSectionName, { date: string; index: string; where: string }>;

/**
 * The claims read by key, an import's batch of keys included (test/unit/store/sqlite.test.ts checks each plan).
 * The claims_reference index is named: with the practice leading both keys, and no statistics in a new
 * database, the planner otherwise walks the practice's whole primary key, a scan per batch of an import.
 */
export const CLAIM_READS = {
  // NOCASE, as the claims_reference index is built: "a1005" finds A1005.
  byReference: `SELECT ${COLUMNS} FROM claims INDEXED BY claims_reference WHERE practice = ? AND reference = ? COLLATE NOCASE ORDER BY case_id LIMIT ?`,
  // A batch's keys as one JSON array each: one statement for any number of them.
  byCaseIds: `SELECT ${COLUMNS} FROM claims WHERE practice = ? AND case_id IN (SELECT value FROM json_each(?))`,
  byReferences: `SELECT ${COLUMNS} FROM claims INDEXED BY claims_reference WHERE practice = ? AND reference IS NOT NULL AND reference COLLATE NOCASE IN (SELECT value FROM json_each(?))`,
} as const;

export class SqliteClaimStore implements ClaimStore {
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly getStmt;
  private readonly byReferenceStmt;
  private readonly byCaseIds;
  private readonly byReferences;
  private readonly nonAsciiReferences;
  private readonly anyStmt;
  private readonly historyInsert;
  private readonly historyStmt;
  private readonly lastEntryStmt;
  private readonly lastByActorStmt;
  private readonly listStmt;
  private readonly sectionStmts;
  private readonly totalsStmt;

  constructor(db: Db, private readonly practice: string) {
    this.insertStmt = db.prepare(`INSERT INTO claims (practice, ${COLUMNS}) VALUES (@practice, ${VALUES}) ON CONFLICT (practice, case_id) DO NOTHING`);
    this.updateStmt = db.prepare(
      `UPDATE claims SET reference = @reference, payer = @payer, payer_kind = @payer_kind, lane = @lane, category = @category,
         procedures = @procedures, diagnoses = @diagnoses, billed_cents = @billed_cents, paid_cents = @paid_cents, service_date = @service_date,
         submitted_date = @submitted_date, auth_number = @auth_number, auth_expires = @auth_expires, status = @status, open = @open,
         next_follow_up = @next_follow_up, records_due = @records_due, appeal_deadline = @appeal_deadline, denial = @denial,
         paid_date = @paid_date, denied_date = @denied_date, updated_at = @updated_at, version = @version
       WHERE practice = @practice AND case_id = @case_id AND version = @expected`,
    );
    this.getStmt = db.prepare<[string, string], ClaimRow>(`SELECT ${COLUMNS} FROM claims WHERE practice = ? AND case_id = ?`);
    this.byReferenceStmt = db.prepare<[string, string, number], ClaimRow>(CLAIM_READS.byReference);
    this.byCaseIds = db.prepare<[string, string], ClaimRow>(CLAIM_READS.byCaseIds);
    this.byReferences = db.prepare<[string, string], ClaimRow>(CLAIM_READS.byReferences);
    // SQLite's lower() folds ASCII letters only: claim numbers with other characters are compared in JS.
    this.nonAsciiReferences = db.prepare<[string], ClaimRow>(`SELECT ${COLUMNS} FROM claims WHERE practice = ? AND reference GLOB '*[^ -~]*'`);
    this.anyStmt = db.prepare<[string], number>('SELECT 1 FROM claims WHERE practice = ? LIMIT 1').pluck(true);
    this.historyInsert = db.prepare(
      'INSERT INTO claim_history (practice, case_id, at, actor, surface, action, from_status, to_status, change, before, reverts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.historyStmt = db.prepare<[string, string], HistoryRow>(`SELECT ${HISTORY_COLUMNS} FROM claim_history WHERE practice = ? AND case_id = ? ORDER BY id`);
    this.lastEntryStmt = db.prepare<[string, string], HistoryRow>(`SELECT ${HISTORY_COLUMNS} FROM claim_history WHERE practice = ? AND case_id = ? ORDER BY id DESC LIMIT 1`);
    this.lastByActorStmt = db.prepare<[string, string], HistoryRow>(`SELECT ${HISTORY_COLUMNS} FROM claim_history WHERE practice = ? AND actor = ? ORDER BY id DESC LIMIT 1`);
    this.listStmt = db.prepare<[string, number], ClaimRow>(`SELECT ${COLUMNS} FROM claims WHERE practice = ? AND open = 1 ORDER BY next_follow_up IS NULL, next_follow_up LIMIT ?`);
    this.sectionStmts = Object.fromEntries(DUE_SECTIONS.map((name) => {
      const s = SECTIONS[name];
      // Each section's first few come from the index on its own date, in order: no sort of every due claim.
      return [name, db.prepare<ScopedWindow, DueRow>(`SELECT ${DUE_COLUMNS}, ${s.date} AS date FROM claims INDEXED BY ${s.index} WHERE ${s.where} ORDER BY ${s.date} LIMIT @limit`)];
    })) as Record<DueSectionName, Database.Statement<ScopedWindow, DueRow>>;
    // Every section's count and amount, and the open total, in one pass over the open claims (every section
    // is a subset of them), instead of one scan per section.
    const OUTSTANDING = 'coalesce(billed_cents, 0) - coalesce(paid_cents, 0)';
    this.totalsStmt = db.prepare<ScopedWindow, Record<string, number>>(
      `SELECT count(*) AS open_count, coalesce(sum(${OPEN_CENTS}), 0) AS open_cents,
         ${DUE_SECTIONS.map((n) => `coalesce(sum(CASE WHEN ${SECTIONS[n].where} THEN 1 ELSE 0 END), 0) AS ${n}_count,
         coalesce(sum(CASE WHEN ${SECTIONS[n].where} THEN ${OUTSTANDING} ELSE 0 END), 0) AS ${n}_cents`).join(',\n         ')}
       FROM claims WHERE practice = @practice AND open = 1`,
    );
  }

  async get(caseId: string): Promise<Claim | undefined> {
    const row = this.getStmt.get(this.practice, caseId);
    return row ? fromRow(row) : undefined;
  }

  async byReference(reference: string): Promise<Claim[]> {
    const wanted = reference.trim();
    return wanted ? this.byReferenceStmt.all(this.practice, wanted, MAX_BY_REFERENCE).map(fromRow) : [];
  }

  async find(keys: ClaimKeys): Promise<Claim[]> {
    const found = new Map<string, ClaimRow>();
    if (keys.caseIds.length) for (const r of this.byCaseIds.all(this.practice, JSON.stringify(keys.caseIds))) found.set(r.case_id, r);
    if (keys.references.length) {
      for (const r of this.byReferences.all(this.practice, JSON.stringify(keys.references))) found.set(r.case_id, r);
      // eslint-disable-next-line no-control-regex
      if (keys.references.some((k) => /[^\x00-\x7f]/.test(k))) {
        const wanted = new Set(keys.references);
        for (const r of this.nonAsciiReferences.all(this.practice)) if (r.reference !== null && wanted.has(r.reference.toLowerCase())) found.set(r.case_id, r);
      }
    }
    return [...found.values()].map(fromRow);
  }

  async hasClaims(): Promise<boolean> {
    return this.anyStmt.get(this.practice) !== undefined;
  }

  /**
   * In the unit of work: a new claim (`expected` undefined) unless the case has one, or a changed claim if it
   * is still at `expected`, with its history entry. False on a conflict.
   */
  write(claim: Claim, expected: number | undefined, entry: HistoryEntry): boolean {
    const row = { ...toRow(claim), practice: this.practice };
    const written = expected === undefined ? this.insertStmt.run(row) : this.updateStmt.run({ ...row, expected });
    if (written.changes !== 1) return false;
    this.addHistory(claim.caseId, entry);
    return true;
  }

  /** In the unit of work: a new claim as it ends up after several changes, with each change's history entry; false if the case has a claim. */
  insertWithHistory(claim: Claim, entries: readonly HistoryEntry[]): boolean {
    if (this.insertStmt.run({ ...toRow(claim), practice: this.practice }).changes !== 1) return false;
    for (const e of entries) this.addHistory(claim.caseId, e);
    return true;
  }

  async history(caseId: string): Promise<HistoryEntry[]> {
    return this.historyStmt.all(this.practice, caseId).map(fromHistoryRow);
  }

  async lastEntry(caseId: string): Promise<ClaimEntry | undefined> {
    const row = this.lastEntryStmt.get(this.practice, caseId);
    return row && { ...fromHistoryRow(row), caseId: row.case_id };
  }

  async lastEntryBy(actor: string): Promise<ClaimEntry | undefined> {
    const row = this.lastByActorStmt.get(this.practice, actor);
    return row && { ...fromHistoryRow(row), caseId: row.case_id };
  }

  async openClaims(limit: number): Promise<Claim[]> {
    return this.listStmt.all(this.practice, limit).map(fromRow);
  }

  async due(window: DueWindow): Promise<{ sections: Record<DueSectionName, DueSection>; open: { count: number; cents: number } }> {
    const scoped = { ...window, practice: this.practice };
    const t = this.totalsStmt.get(scoped) ?? {};
    const n = (k: string) => t[k] ?? 0;
    const sections = Object.fromEntries(DUE_SECTIONS.map((name) => [name, {
      count: n(`${name}_count`), cents: n(`${name}_cents`),
      items: n(`${name}_count`) ? this.sectionStmts[name].all(scoped).map(dueItem) : [],
    }])) as Record<DueSectionName, DueSection>;
    return { sections, open: { count: n('open_count'), cents: n('open_cents') } };
  }

  private addHistory(caseId: string, e: HistoryEntry): void {
    this.historyInsert.run(this.practice, ...historyValues(caseId, e));
  }
}
