/**
 * What the reports read, in SQLite (see src/store/claim-reports.ts): every claim once, a page at a time by
 * key, so no cursor stays open on the connection between pages (other statements run in between).
 */
import type { Db } from './db.js';
import { exportPages, REPORT_PAGE, reportPages, type ClaimReportStore, type ExportRow, type NotSubmittedRow, type ReportRow } from '../claim-reports.js';

export class SqliteClaimReportStore implements ClaimReportStore {
  private readonly scanStmt;
  private readonly recordsStmt;
  private readonly exportStmt;
  private readonly notSubmittedStmt;

  constructor(db: Db, private readonly practice: string) {
    // The records flag is filled in from one read of the claims a payer asked records for (an index of its own):
    // a subquery would build that list again for every page. The case id, last, is the next page's key.
    this.scanStmt = db.prepare<[string, string, number], ReportRow>(
      `SELECT payer, lane, category, procedures, status, open, coalesce(billed_cents, 0), coalesce(paid_cents, 0), service_date, submitted_date,
         created_at, updated_at, paid_date, denied_date, denial, 0, case_id
       FROM claims WHERE practice = ? AND case_id > ? ORDER BY case_id LIMIT ?`,
    ).raw(true);
    this.recordsStmt = db.prepare<[string], string>("SELECT DISTINCT case_id FROM claim_history INDEXED BY claim_history_records WHERE practice = ? AND action = 'records-requested'").pluck(true);
    // Drafts only, through the claims_unsubmitted index (service_date WHERE status = 'draft'). payer_kind is
    // written only from ClaimPayerKind (the claims table's writer), so the row's type holds.
    this.notSubmittedStmt = db.prepare<[string], NotSubmittedRow>(
      `SELECT case_id AS caseId, reference, payer, payer_kind AS payerKind, category, coalesce(billed_cents, 0) AS billedCents,
         service_date AS serviceDate, created_at AS createdAt
       FROM claims INDEXED BY claims_unsubmitted WHERE practice = ? AND status = 'draft' ORDER BY service_date IS NULL, service_date, case_id`,
    );
    // Keyset pages on (created_at, case_id): the claims_created index keeps each page a range read.
    this.exportStmt = db.prepare<[string, number, number, string, number], ExportRow & { created_at: number }>(
      `SELECT case_id, reference, payer, payer_kind, lane, category, procedures, diagnoses, billed_cents, paid_cents, service_date, submitted_date,
         status, next_follow_up, appeal_deadline, denial, paid_date, denied_date, created_at FROM claims
       WHERE practice = ? AND (created_at > ? OR (created_at = ? AND case_id > ?)) ORDER BY created_at, case_id LIMIT ?`,
    );
  }

  async notSubmitted(): Promise<NotSubmittedRow[]> {
    return this.notSubmittedStmt.all(this.practice);
  }

  async *scan(): AsyncIterable<readonly ReportRow[]> {
    const records = new Set(this.recordsStmt.all(this.practice));
    yield* reportPages(records, (after) => this.scanStmt.all(this.practice, after, REPORT_PAGE));
  }

  async *exportRows(): AsyncIterable<ExportRow> {
    yield* exportPages((at, after) => this.exportStmt.all(this.practice, at, at, after, REPORT_PAGE));
  }
}
