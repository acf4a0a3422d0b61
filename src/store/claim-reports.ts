/**
 * The figures behind `medbill report` and "/medbill report": each one GROUP BY over the claims table (and
 * its history for events such as records requests), so a report over a practice's whole A/R is a handful
 * of queries, not a loop in JavaScript.
 */
import type { Db } from './db.js';

export interface AgingRow { payer: string; bucket: string; count: number; cents: number }
export interface DenialRow { reason: string; count: number; cents: number }
export interface OutcomeRow { key: string; submitted: number; paid: number; denied: number; recordsRequested: number; avgDaysToPay: number | null }
export interface MonthRow { recoveredCents: number; paidClaims: number; writtenOffCents: number; writtenOffClaims: number; deniedCents: number; deniedClaims: number }
export interface ExportRow {
  case_id: string; reference: string | null; payer: string; payer_kind: string; lane: string; category: string | null; procedures: string; diagnoses: string;
  billed_cents: number | null; paid_cents: number | null; service_date: string | null; submitted_date: string | null; status: string;
  next_follow_up: string | null; appeal_deadline: string | null; denial: string | null; paid_date: string | null; denied_date: string | null;
}

/** Days outstanding: from submission, or from the service when not submitted yet. */
const AGE = "julianday(@today) - julianday(coalesce(submitted_date, service_date, date(created_at / 1000, 'unixepoch')))";

/** Per claim: submitted, paid (anything), denied at some point, and days from submission to payment. */
const OUTCOME_COLUMNS = `count(*) AS submitted,
  sum(paid_cents > 0) AS paid,
  sum(denied_date IS NOT NULL) AS denied,
  sum(EXISTS (SELECT 1 FROM claim_history h WHERE h.case_id = c.case_id AND h.action = 'records-requested')) AS recordsRequested,
  avg(CASE WHEN paid_date IS NOT NULL THEN julianday(paid_date) - julianday(submitted_date) END) AS avgDaysToPay`;

export class ClaimReportStore {
  private readonly agingStmt;
  private readonly denialsStmt;
  private readonly byPayerStmt;
  private readonly byCategoryStmt;
  private readonly byCodeStmt;
  private readonly monthStmt;
  private readonly exportStmt;

  constructor(db: Db) {
    this.agingStmt = db.prepare<{ today: string }, AgingRow>(
      `SELECT payer, CASE WHEN age <= 30 THEN '0-30' WHEN age <= 60 THEN '31-60' WHEN age <= 90 THEN '61-90' ELSE '90+' END AS bucket,
         count(*) AS count, sum(outstanding) AS cents
       FROM (SELECT payer, ${AGE} AS age, coalesce(billed_cents, 0) - coalesce(paid_cents, 0) AS outstanding FROM claims WHERE open = 1)
       GROUP BY payer, bucket ORDER BY payer, bucket`,
    );
    this.denialsStmt = db.prepare<{ from: string; to: string }, DenialRow>(
      `SELECT coalesce(json_extract(denial, '$.group') || '-' || json_extract(denial, '$.carc'), 'CARC ' || json_extract(denial, '$.carc'), 'in words') AS reason,
         count(*) AS count, sum(coalesce(billed_cents, 0)) AS cents
       FROM claims WHERE denied_date >= @from AND denied_date < @to GROUP BY reason ORDER BY count DESC, reason`,
    );
    const outcomes = (key: string) => db.prepare<{ from: string; to: string }, OutcomeRow>(
      `SELECT ${key} AS key, ${OUTCOME_COLUMNS} FROM claims c WHERE submitted_date >= @from AND submitted_date < @to GROUP BY key ORDER BY submitted DESC, key`,
    );
    this.byPayerStmt = outcomes('payer');
    this.byCategoryStmt = outcomes("coalesce(category, 'other')");
    this.byCodeStmt = db.prepare<{ from: string; to: string }, OutcomeRow>(
      `SELECT code.value AS key, ${OUTCOME_COLUMNS} FROM claims c, json_each(c.procedures) AS code
       WHERE submitted_date >= @from AND submitted_date < @to GROUP BY key ORDER BY submitted DESC, key`,
    );
    this.monthStmt = db.prepare<{ from: string; to: string; fromMs: number; toMs: number }, MonthRow>(
      `SELECT
         coalesce((SELECT sum(paid_cents) FROM claims WHERE paid_date >= @from AND paid_date < @to AND lane IN ('medical', 'medical-first')), 0) AS recoveredCents,
         (SELECT count(*) FROM claims WHERE paid_date >= @from AND paid_date < @to AND lane IN ('medical', 'medical-first')) AS paidClaims,
         coalesce((SELECT sum(coalesce(billed_cents, 0) - coalesce(paid_cents, 0)) FROM claims c WHERE status = 'written-off'
           AND EXISTS (SELECT 1 FROM claim_history h WHERE h.case_id = c.case_id AND h.action = 'written-off' AND h.at >= @fromMs AND h.at < @toMs)), 0) AS writtenOffCents,
         (SELECT count(*) FROM claims c WHERE status = 'written-off'
           AND EXISTS (SELECT 1 FROM claim_history h WHERE h.case_id = c.case_id AND h.action = 'written-off' AND h.at >= @fromMs AND h.at < @toMs)) AS writtenOffClaims,
         coalesce((SELECT sum(coalesce(billed_cents, 0)) FROM claims WHERE denied_date >= @from AND denied_date < @to), 0) AS deniedCents,
         (SELECT count(*) FROM claims WHERE denied_date >= @from AND denied_date < @to) AS deniedClaims`,
    );
    this.exportStmt = db.prepare<[], ExportRow>(
      `SELECT case_id, reference, payer, payer_kind, lane, category, procedures, diagnoses, billed_cents, paid_cents, service_date, submitted_date,
         status, next_follow_up, appeal_deadline, denial, paid_date, denied_date FROM claims ORDER BY created_at, case_id`,
    );
  }

  aging(today: string): AgingRow[] {
    return this.agingStmt.all({ today });
  }

  denials(from: string, to: string): DenialRow[] {
    return this.denialsStmt.all({ from, to });
  }

  outcomes(by: 'payer' | 'category' | 'code', from: string, to: string): OutcomeRow[] {
    const stmt = by === 'payer' ? this.byPayerStmt : by === 'category' ? this.byCategoryStmt : this.byCodeStmt;
    return stmt.all({ from, to });
  }

  month(from: string, to: string, fromMs: number, toMs: number): MonthRow {
    return this.monthStmt.get({ from, to, fromMs, toMs }) ?? { recoveredCents: 0, paidClaims: 0, writtenOffCents: 0, writtenOffClaims: 0, deniedCents: 0, deniedClaims: 0 };
  }

  /** Every claim, oldest first, for CSV (iterated, not loaded at once). */
  exportRows(): IterableIterator<ExportRow> {
    return this.exportStmt.iterate();
  }
}
