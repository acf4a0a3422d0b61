/**
 * Claims and their history in PostgreSQL (see src/store/claims.ts). Every claim write is conditional on the
 * version it was read at, with its history row, in the unit of work's transaction: under READ COMMITTED an
 * UPDATE that meets a row another transaction is changing waits for it and then re-checks the version, so of
 * two people pressing "Paid" only one applies. The digest's sections read partial indexes of open claims.
 */
import type { PgDb, Sql } from './db.js';
import { named } from './db.js';
import type { Claim, HistoryEntry } from '../claim.js';
import { CLAIM_COLUMN_NAMES, CLAIM_COLUMNS, DUE_COLUMNS, dueItem, fromHistoryRow, fromRow, HISTORY_COLUMNS, historyValues, toRow, type ClaimRow, type DueRow, type HistoryRow } from '../claim-rows.js';
import { DUE_SECTIONS, MAX_BY_REFERENCE, type ClaimKeys, type ClaimEntry, type ClaimStore, type DueSection, type DueSectionName, type DueWindow } from '../claims.js';

const COLUMNS = CLAIM_COLUMNS;

/** A claim's values in CLAIM_COLUMN_NAMES order, then the practice: $1 is the case id, $N the practice. */
const toValues = (c: Claim, practice: string): unknown[] => {
  const row = toRow(c);
  return [...CLAIM_COLUMN_NAMES.map((k) => row[k]), practice];
};
const PRACTICE_PARAM = CLAIM_COLUMN_NAMES.length + 1;
// Built once: a claim write is an import's hot path.
const INSERT_CLAIM = `INSERT INTO claims (${COLUMNS}, practice) VALUES (${Array.from({ length: PRACTICE_PARAM }, (_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT (practice, case_id) DO NOTHING`;
const UPDATE_CLAIM = `UPDATE claims SET ${CLAIM_COLUMN_NAMES.slice(1).map((c, i) => `${c} = $${i + 2}`).join(', ')} WHERE practice = $${PRACTICE_PARAM} AND case_id = $1 AND version = $${PRACTICE_PARAM + 1}`;

/**
 * What an open claim adds to the open amount: its balance, except a dental claim (C-7K3Q9-D) while its case's
 * medical claim is still open, whose balance is that same money.
 */
const OPEN_CENTS = `CASE WHEN claims.case_id LIKE '%-D' AND EXISTS (SELECT 1 FROM claims medical WHERE medical.practice = claims.practice AND medical.case_id = substr(claims.case_id, 1, 7) AND medical.open = 1)
  THEN 0 ELSE coalesce(claims.billed_cents, 0) - coalesce(claims.paid_cents, 0) END`;

const NOT_LISTED_BELOW = "status <> 'records-requested' AND NOT (status = 'denied' AND appeal_deadline IS NOT NULL AND appeal_deadline <= @until)";

/** The digest's sections, as SQLite's (src/store/sqlite/claims.ts): a WHERE clause each, with the date column it sorts by. */
const SECTIONS = {
  overdue: { date: 'next_follow_up', where: `practice = @practice AND open = 1 AND next_follow_up < @today AND ${NOT_LISTED_BELOW}` },
  today: { date: 'next_follow_up', where: `practice = @practice AND open = 1 AND next_follow_up = @today AND ${NOT_LISTED_BELOW}` },
  appeals: { date: 'appeal_deadline', where: "practice = @practice AND open = 1 AND appeal_deadline IS NOT NULL AND appeal_deadline >= @today AND appeal_deadline <= @until AND status = 'denied'" },
  records: { date: 'records_due', where: "practice = @practice AND open = 1 AND records_due IS NOT NULL AND records_due <= @until AND status = 'records-requested'" },
  authorizations: { date: 'auth_expires', where: "practice = @practice AND open = 1 AND auth_expires IS NOT NULL AND auth_expires <= @authUntil AND status = 'draft'" },
  unsubmitted: { date: 'service_date', where: "practice = @practice AND status = 'draft' AND service_date IS NOT NULL AND service_date <= @unsubmittedBefore" },
} as const satisfies Record<DueSectionName, { date: string; where: string }>;

const OUTSTANDING = 'coalesce(billed_cents, 0) - coalesce(paid_cents, 0)';
/** Every section's count and amount, and the open total, in one pass over the open claims (every section is a subset of them). */
const TOTALS = `SELECT count(*) AS open_count, coalesce(sum(${OPEN_CENTS}), 0)::bigint AS open_cents,
  ${DUE_SECTIONS.map((n) => `count(*) FILTER (WHERE ${SECTIONS[n].where}) AS ${n}_count,
  coalesce(sum(${OUTSTANDING}) FILTER (WHERE ${SECTIONS[n].where}), 0)::bigint AS ${n}_cents`).join(',\n  ')}
  FROM claims WHERE practice = @practice AND open = 1`;

export class PgClaimStore implements ClaimStore {
  constructor(private readonly db: PgDb, private readonly practice: string) {}

  async get(caseId: string): Promise<Claim | undefined> {
    const row = (await this.db.query<ClaimRow>(`SELECT ${COLUMNS} FROM claims WHERE practice = $2 AND case_id = $1`, [caseId, this.practice])).rows[0];
    return row ? fromRow(row) : undefined;
  }

  /** Claim numbers as given (lower case) against lower(reference), as the claims_reference index is built. */
  async find(keys: ClaimKeys): Promise<Claim[]> {
    if (!keys.caseIds.length && !keys.references.length) return [];
    const rows = await this.db.query<ClaimRow>(
      `SELECT ${COLUMNS} FROM claims WHERE practice = $3 AND (case_id = ANY($1::text[]) OR (reference IS NOT NULL AND lower(reference) = ANY($2::text[])))`,
      [keys.caseIds, keys.references, this.practice],
    );
    return rows.rows.map(fromRow);
  }

  async hasClaims(): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM claims WHERE practice = $1 LIMIT 1', [this.practice])).rows.length > 0;
  }

  /** In any letter case, as the claims_reference index on lower(reference) is built. */
  async byReference(reference: string): Promise<Claim[]> {
    const wanted = reference.trim();
    if (!wanted) return [];
    const rows = await this.db.query<ClaimRow>(`SELECT ${COLUMNS} FROM claims WHERE practice = $3 AND lower(reference) = lower($1) ORDER BY case_id LIMIT $2`, [wanted, MAX_BY_REFERENCE, this.practice]);
    return rows.rows.map(fromRow);
  }

  /**
   * In the unit of work: a new claim (`expected` undefined) unless the case has one, or a changed claim if it
   * is still at `expected`, with its history entry. False on a conflict.
   */
  async write(sql: Sql, claim: Claim, expected: number | undefined, entry: HistoryEntry): Promise<boolean> {
    const values = toValues(claim, this.practice);
    const written = expected === undefined ? await sql.query(INSERT_CLAIM, values) : await sql.query(UPDATE_CLAIM, [...values, expected]);
    if (written.rowCount !== 1) return false;
    await sql.query(
      'INSERT INTO claim_history (case_id, at, actor, surface, action, from_status, to_status, change, before, reverts, practice) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
      [...historyValues(claim.caseId, entry), this.practice],
    );
    return true;
  }

  async history(caseId: string): Promise<HistoryEntry[]> {
    return (await this.db.query<HistoryRow>(`SELECT ${HISTORY_COLUMNS} FROM claim_history WHERE practice = $2 AND case_id = $1 ORDER BY id`, [caseId, this.practice])).rows.map(fromHistoryRow);
  }

  async lastEntry(caseId: string): Promise<ClaimEntry | undefined> {
    const row = (await this.db.query<HistoryRow>(`SELECT ${HISTORY_COLUMNS} FROM claim_history WHERE practice = $2 AND case_id = $1 ORDER BY id DESC LIMIT 1`, [caseId, this.practice])).rows[0];
    return row && { ...fromHistoryRow(row), caseId: row.case_id };
  }

  async lastEntryBy(actor: string): Promise<ClaimEntry | undefined> {
    const row = (await this.db.query<HistoryRow>(`SELECT ${HISTORY_COLUMNS} FROM claim_history WHERE practice = $2 AND actor = $1 ORDER BY id DESC LIMIT 1`, [actor, this.practice])).rows[0];
    return row && { ...fromHistoryRow(row), caseId: row.case_id };
  }

  /** Ties by case ID, as SQLite's index returns them. */
  async openClaims(limit: number): Promise<Claim[]> {
    return (await this.db.query<ClaimRow>(`SELECT ${COLUMNS} FROM claims WHERE practice = $2 AND open = 1 ORDER BY next_follow_up NULLS LAST, case_id LIMIT $1`, [limit, this.practice])).rows.map(fromRow);
  }

  async due(window: DueWindow): Promise<{ sections: Record<DueSectionName, DueSection>; open: { count: number; cents: number } }> {
    const params = { ...window, practice: this.practice };
    const totals = named(TOTALS, params);
    const t = (await this.db.query<Record<string, number>>(totals.text, totals.values)).rows[0] ?? {};
    const n = (k: string) => t[k] ?? 0;
    const entries: [DueSectionName, DueSection][] = [];
    for (const name of DUE_SECTIONS) {
      const s = SECTIONS[name];
      // The first few of each section in date order (case ID on a tie, so every run lists the same ones).
      const items = named(`SELECT ${DUE_COLUMNS}, ${s.date} AS date FROM claims WHERE ${s.where} ORDER BY ${s.date}, case_id LIMIT @limit`, params);
      entries.push([name, {
        count: n(`${name}_count`), cents: n(`${name}_cents`),
        items: n(`${name}_count`) ? (await this.db.query<DueRow>(items.text, items.values)).rows.map(dueItem) : [],
      }]);
    }
    const sections = Object.fromEntries(entries) as Record<DueSectionName, DueSection>;
    return { sections, open: { count: n('open_count'), cents: n('open_cents') } };
  }
}
