/**
 * What `medbill report` and "/medbill report" read: every claim once, with the fields its figures need
 * (src/claims/report.ts groups them several ways in one loop, which is cheaper than one scan per GROUP BY),
 * and every claim in full for the CSV export.
 */
import type { Db } from './db.js';

export interface ExportRow {
  case_id: string; reference: string | null; payer: string; payer_kind: string; lane: string; category: string | null; procedures: string; diagnoses: string;
  billed_cents: number | null; paid_cents: number | null; service_date: string | null; submitted_date: string | null; status: string;
  next_follow_up: string | null; appeal_deadline: string | null; denial: string | null; paid_date: string | null; denied_date: string | null;
}

/**
 * One claim as the report reads it, as a row of values (arrays are much cheaper than objects over a whole
 * A/R): see REPORT_COLUMNS for the order. `records` is 1 when a payer ever asked for records (from the history).
 */
export const REPORT_COLUMNS = ['payer', 'lane', 'category', 'procedures', 'status', 'open', 'billed', 'paid', 'serviceDate', 'submittedDate', 'createdAt', 'updatedAt', 'paidDate', 'deniedDate', 'denial', 'records'] as const;
export type ReportRow = [
  payer: string, lane: string, category: string | null, procedures: string, status: string, open: number, billed: number, paid: number,
  serviceDate: string | null, submittedDate: string | null, createdAt: number, updatedAt: number, paidDate: string | null, deniedDate: string | null,
  denial: string | null, records: number,
];

export class ClaimReportStore {
  private readonly scanStmt;
  private readonly exportStmt;

  constructor(db: Db) {
    this.scanStmt = db.prepare<[], ReportRow>(
      `SELECT payer, lane, category, procedures, status, open, coalesce(billed_cents, 0), coalesce(paid_cents, 0), service_date, submitted_date,
         created_at, updated_at, paid_date, denied_date, denial, c.case_id IN (SELECT case_id FROM claim_history WHERE action = 'records-requested')
       FROM claims c`,
    ).raw(true);
    this.exportStmt = db.prepare<[], ExportRow>(
      `SELECT case_id, reference, payer, payer_kind, lane, category, procedures, diagnoses, billed_cents, paid_cents, service_date, submitted_date,
         status, next_follow_up, appeal_deadline, denial, paid_date, denied_date FROM claims ORDER BY created_at, case_id`,
    );
  }

  /** Every claim, for the report's figures (iterated, not loaded at once). */
  scan(): IterableIterator<ReportRow> {
    return this.scanStmt.iterate() as IterableIterator<ReportRow>;
  }

  /** Every claim, oldest first, for CSV (iterated, not loaded at once). */
  exportRows(): IterableIterator<ExportRow> {
    return this.exportStmt.iterate();
  }
}
