/**
 * What the reports read, in SQLite (see src/store/claim-reports.ts): every claim once, a page at a time by
 * key, so no cursor stays open on the connection between pages (other statements run in between).
 */
import type { Db } from './db.js';
import type { ClaimReportStore, ExportRow, ReportRow } from '../claim-reports.js';

/** Rows per page: large enough that paging costs nothing next to reading the rows. */
const PAGE = 2000;

export class SqliteClaimReportStore implements ClaimReportStore {
  private readonly scanStmt;
  private readonly exportStmt;

  constructor(db: Db) {
    // The case id rides last in each row, for the next page's key.
    this.scanStmt = db.prepare<[string, number], [...ReportRow, string]>(
      `SELECT payer, lane, category, procedures, status, open, coalesce(billed_cents, 0), coalesce(paid_cents, 0), service_date, submitted_date,
         created_at, updated_at, paid_date, denied_date, denial, c.case_id IN (SELECT case_id FROM claim_history WHERE action = 'records-requested'), case_id
       FROM claims c WHERE case_id > ? ORDER BY case_id LIMIT ?`,
    ).raw(true);
    // Keyset pages on (created_at, case_id): the claims_created index keeps each page a range read.
    this.exportStmt = db.prepare<[number, number, string, number], ExportRow & { created_at: number }>(
      `SELECT case_id, reference, payer, payer_kind, lane, category, procedures, diagnoses, billed_cents, paid_cents, service_date, submitted_date,
         status, next_follow_up, appeal_deadline, denial, paid_date, denied_date, created_at FROM claims
       WHERE created_at > ? OR (created_at = ? AND case_id > ?) ORDER BY created_at, case_id LIMIT ?`,
    );
  }

  async *scan(): AsyncIterable<ReportRow> {
    for (let after = ''; ;) {
      const rows = this.scanStmt.all(after, PAGE);
      for (const r of rows) {
        after = r[16];
        yield r.slice(0, 16) as ReportRow;
      }
      if (rows.length < PAGE) return;
    }
  }

  async *exportRows(): AsyncIterable<ExportRow> {
    for (let at = Number.MIN_SAFE_INTEGER, after = ''; ;) {
      const rows = this.exportStmt.all(at, at, after, PAGE);
      for (const { created_at, ...row } of rows) {
        at = created_at;
        after = row.case_id;
        yield row;
      }
      if (rows.length < PAGE) return;
    }
  }
}
