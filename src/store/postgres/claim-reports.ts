/**
 * What the reports read, in PostgreSQL (see src/store/claim-reports.ts): every claim once, a page at a time
 * by key (no cursor held open between pages), as SQLite does.
 */
import type { PgDb } from './db.js';
import { exportPages, REPORT_PAGE, reportPages, type ClaimReportStore, type ExportRow, type NotSubmittedRow, type ReportRow } from '../claim-reports.js';

export class PgClaimReportStore implements ClaimReportStore {
  constructor(private readonly db: PgDb, private readonly practice: string) {}

  async notSubmitted(): Promise<NotSubmittedRow[]> {
    // payer_kind is written only from ClaimPayerKind (the claims table's writer), so the row's type holds.
    return (await this.db.query<NotSubmittedRow>(
      `SELECT case_id AS "caseId", reference, payer, payer_kind AS "payerKind", category, coalesce(billed_cents, 0) AS "billedCents",
         service_date AS "serviceDate", created_at AS "createdAt"
       FROM claims WHERE practice = $1 AND status = 'draft' ORDER BY service_date NULLS LAST, case_id`, [this.practice])).rows;
  }

  async *scan(): AsyncIterable<readonly ReportRow[]> {
    // The records flag comes from one read of the claims a payer asked records for, not a subquery per page.
    const records = new Set((await this.db.query<{ case_id: string }>("SELECT DISTINCT case_id FROM claim_history WHERE practice = $1 AND action = 'records-requested'", [this.practice])).rows.map((r) => r.case_id));
    yield* reportPages(records, (after) => this.db.arrays<ReportRow>(
      `SELECT payer, lane, category, procedures, status, open, coalesce(billed_cents, 0), coalesce(paid_cents, 0), service_date, submitted_date,
         created_at, updated_at, paid_date, denied_date, denial, 0, case_id
       FROM claims WHERE practice = $3 AND case_id > $1 ORDER BY case_id LIMIT $2`, [after, REPORT_PAGE, this.practice]));
  }

  async *exportRows(): AsyncIterable<ExportRow> {
    yield* exportPages(async (at, after) => (await this.db.query<ExportRow & { created_at: number }>(
      `SELECT case_id, reference, payer, payer_kind, lane, category, procedures, diagnoses, billed_cents, paid_cents, service_date, submitted_date,
         status, next_follow_up, appeal_deadline, denial, paid_date, denied_date, created_at FROM claims
       WHERE practice = $4 AND (created_at, case_id) > ($1, $2) ORDER BY created_at, case_id LIMIT $3`, [at, after, REPORT_PAGE, this.practice])).rows);
  }
}
