import type { ClaimPayerKind } from '../knowledge/vocabulary.js';

/**
 * The reports port: what `medbill report` and "/medbill report" read, every claim once with the fields its
 * figures need (src/reports/claims-report.ts groups them several ways in one loop, which is cheaper than one scan
 * per GROUP BY), and every claim in full for the CSV export. Both are async iterables: an implementation
 * reads them a page at a time, never the whole A/R at once (the report's scan hands over the pages themselves,
 * so a report over 100,000 claims awaits a few dozen times, not once per claim).
 */

export interface ExportRow {
  case_id: string; reference: string | null; payer: string; payer_kind: string; lane: string; category: string | null; procedures: string; diagnoses: string;
  billed_cents: number | null; paid_cents: number | null; service_date: string | null; submitted_date: string | null; status: string;
  next_follow_up: string | null; appeal_deadline: string | null; denial: string | null; paid_date: string | null; denied_date: string | null;
}

/**
 * One claim as the report reads it, as a row of values (arrays are much cheaper than objects over a whole
 * A/R): see REPORT_COLUMNS for the order. `records` is 1 when a payer ever asked for records (from the history).
 */
export const REPORT_COLUMNS = ['payer', 'lane', 'category', 'procedures', 'status', 'open', 'billed', 'paid', 'serviceDate', 'submittedDate', 'createdAt', 'updatedAt', 'paidDate', 'deniedDate', 'denial', 'records', 'caseId'] as const;
export type ReportRow = [
  payer: string, lane: string, category: string | null, procedures: string, status: string, open: number, billed: number, paid: number,
  serviceDate: string | null, submittedDate: string | null, createdAt: number, updatedAt: number, paidDate: string | null, deniedDate: string | null,
  denial: string | null, records: number, caseId: string,
];

/** A claim not submitted yet (a draft), as the report lists it: the practice's claim number beside the case ID. */
export interface NotSubmittedRow {
  caseId: string; reference: string | null; payer: string; payerKind: ClaimPayerKind; category: string | null;
  billedCents: number; serviceDate: string | null; createdAt: number;
}

export interface ClaimReportStore {
  /** Every claim, for the report's figures, in no particular order, by pages. */
  scan(): AsyncIterable<readonly ReportRow[]>;
  /**
   * Every claim not submitted yet, by date of service (none last), then case ID. All at once: the report ranks
   * them all by the days left to file, and drafts are a practice's backlog, not its A/R.
   */
  notSubmitted(): Promise<NotSubmittedRow[]>;
  /** Every claim, oldest first (then by case ID), for CSV. */
  exportRows(): AsyncIterable<ExportRow>;
}

/** Rows per page of a SQL store's report reads: large enough that paging costs nothing next to reading the rows. */
export const REPORT_PAGE = 10_000;

/**
 * The report's scan as both SQL stores page it, by case ID, so no cursor stays open between pages. `page(after)`
 * reads up to REPORT_PAGE claims whose case ID follows `after`, in case ID order, `records` left as 0: it is
 * filled in here from `records`, the claims a payer asked records for (one read, not a subquery per page).
 */
export async function* reportPages(records: ReadonlySet<string>, page: (after: string) => ReportRow[] | Promise<ReportRow[]>): AsyncIterable<readonly ReportRow[]> {
  for (let after = ''; ;) {
    const rows = await page(after);
    for (const row of rows) row[15] = records.has(row[16]) ? 1 : 0;
    const last = rows.at(-1);
    if (last) yield rows;
    if (!last || rows.length < REPORT_PAGE) return;
    after = last[16];
  }
}

/**
 * The CSV export as both SQL stores page it, by (created_at, case ID). `page(at, after)` reads up to REPORT_PAGE
 * claims after that key, in that order, each with its created_at for the next page's key.
 */
export async function* exportPages(page: (at: number, after: string) => (ExportRow & { created_at: number })[] | Promise<(ExportRow & { created_at: number })[]>): AsyncIterable<ExportRow> {
  for (let at = Number.MIN_SAFE_INTEGER, after = ''; ;) {
    const rows = await page(at, after);
    for (const { created_at, ...row } of rows) {
      at = created_at;
      after = row.case_id;
      yield row;
    }
    if (rows.length < REPORT_PAGE) return;
  }
}
