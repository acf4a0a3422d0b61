/**
 * Reports on claims: A/R aging by payer, denials by reason, paid rate and days to pay by category, code and
 * payer (which codes get paid, which payers ask for more documentation), and what medical billing recovered
 * this month against what was denied or written off. Tables for chat, CSV for a spreadsheet, and the aging
 * as a chart (PNG where a picture is uploaded, SVG on the local page).
 */
import { DateTime } from 'luxon';
import type { Db } from '../store/db.js';
import { ClaimReportStore, type AgingRow, type DenialRow, type MonthRow, type OutcomeRow } from '../store/claim-reports.js';
import { reply, type Reply, type ReplyPart } from '../engine/model.js';
import { formatCents } from './dates.js';
import type { ChartSpec } from '../reports/chart.js';

export const AGING_BUCKETS = ['0-30', '31-60', '61-90', '90+'] as const;

export interface Report {
  today: string;
  month: { from: string; to: string; label: string };
  aging: AgingRow[];
  denials: DenialRow[];
  byPayer: OutcomeRow[];
  byCategory: OutcomeRow[];
  byCode: OutcomeRow[];
  recovered: MonthRow;
}

/** The report as of `today` (ISO), for the month it falls in; `zone` turns the month into instants for the history. */
export function buildReport(db: Db, today: string, zone: string): Report {
  const store = new ClaimReportStore(db);
  const start = DateTime.fromISO(today, { zone }).startOf('month');
  const end = start.plus({ months: 1 });
  const from = start.toFormat('yyyy-MM-dd');
  const to = end.toFormat('yyyy-MM-dd');
  // Outcomes need time to come in: paid rate and days to pay look at claims submitted in the last 12 months.
  const yearAgo = start.minus({ months: 11 }).toFormat('yyyy-MM-dd');
  return {
    today,
    month: { from, to, label: start.toFormat('LLLL yyyy') },
    aging: store.aging(today),
    denials: store.denials(from, to),
    byPayer: store.outcomes('payer', yearAgo, to),
    byCategory: store.outcomes('category', yearAgo, to),
    byCode: store.outcomes('code', yearAgo, to),
    recovered: store.month(from, to, start.toMillis(), end.toMillis()),
  };
}

const percent = (n: number, of: number) => (of ? `${Math.round((100 * n) / of)}%` : '—');
const days = (d: number | null) => (d === null ? '—' : `${Math.round(d)}`);

function agingTable(rows: AgingRow[]): ReplyPart {
  const payers = [...new Set(rows.map((r) => r.payer))];
  const cell = (payer: string, bucket: string) => {
    const r = rows.find((x) => x.payer === payer && x.bucket === bucket);
    return r ? `${formatCents(r.cents)} (${r.count})` : '—';
  };
  return {
    kind: 'table', title: 'A/R aging: outstanding by payer and days since submission',
    columns: ['Payer', ...AGING_BUCKETS.map((b) => `${b} days`)],
    rows: payers.map((p) => [p, ...AGING_BUCKETS.map((b) => cell(p, b))]),
  };
}

function outcomeTable(title: string, first: string, rows: OutcomeRow[], limit = 12): ReplyPart {
  return {
    kind: 'table', title, columns: [first, 'Submitted', 'Paid rate', 'Denied', 'Asked for records', 'Days to pay'],
    rows: rows.slice(0, limit).map((r) => [r.key, String(r.submitted), percent(r.paid, r.submitted), String(r.denied), String(r.recordsRequested), days(r.avgDaysToPay)]),
  };
}

/** The report as replies; `chart` is the aging picture when one was drawn. */
export function reportReplies(r: Report, chart?: { svg: string; png: Buffer }): Reply[] {
  const m = r.recovered;
  const parts: ReplyPart[] = [
    { kind: 'facts', title: `${r.month.label}`, rows: [
      { label: 'Recovered from medical plans', value: `${formatCents(m.recoveredCents)} on ${m.paidClaims} claim${m.paidClaims === 1 ? '' : 's'}` },
      { label: 'Denied', value: `${m.deniedClaims} claim${m.deniedClaims === 1 ? '' : 's'} (${formatCents(m.deniedCents)} billed)` },
      { label: 'Written off', value: `${formatCents(m.writtenOffCents)} on ${m.writtenOffClaims} claim${m.writtenOffClaims === 1 ? '' : 's'}` },
    ] },
  ];
  if (r.aging.length) parts.push(agingTable(r.aging));
  if (chart) parts.push({ kind: 'chart', title: 'A/R aging by payer', svg: chart.svg, pngBase64: chart.png.toString('base64') });
  if (r.denials.length) parts.push({ kind: 'table', title: `Denials by reason, ${r.month.label}`, columns: ['Reason', 'Claims', 'Billed'], rows: r.denials.map((d) => [d.reason, String(d.count), formatCents(d.cents)]) });
  if (r.byPayer.length) parts.push(outcomeTable('By payer (claims submitted in the last 12 months)', 'Payer', r.byPayer));
  if (r.byCategory.length) parts.push(outcomeTable('By kind of procedure', 'Category', r.byCategory));
  if (r.byCode.length) parts.push(outcomeTable('By procedure code', 'Code', r.byCode));
  const empty = !r.aging.length && !r.byPayer.length && !m.paidClaims && !m.deniedClaims;
  return [reply(empty ? 'No claims to report on yet. Track one with "claim", or import your open medical claims with `medbill claims import FILE.csv`.' : `Claims report as of ${r.today}.`, parts)];
}

/** The aging chart's description: one stacked bar per payer, coloured by age. */
export function agingChart(r: Report): ChartSpec {
  return {
    title: 'A/R aging by payer', subtitle: `As of ${r.today}`, orientation: 'horizontal',
    categoryAxisTitle: 'Payer', valueAxisTitle: 'Outstanding', valueFormat: 'dollars',
    data: r.aging.map((a) => ({ category: a.payer, series: a.bucket, value: a.cents / 100 })),
    series: { title: 'Days since submission', order: AGING_BUCKETS, palette: 'ordered' },
  };
}

/** Draws the aging chart (vega and resvg are loaded here, on first use, never by triage). */
export async function drawAging(r: Report): Promise<{ svg: string; png: Buffer }> {
  const { renderChart } = await import('../reports/chart.js');
  const { svg, png } = await renderChart(agingChart(r));
  return { svg, png };
}

const CSV_COLUMNS = [
  'case_id', 'claim_number', 'payer', 'payer_kind', 'lane', 'category', 'procedures', 'diagnoses', 'billed', 'paid', 'service_date',
  'submitted_date', 'status', 'next_follow_up', 'appeal_deadline', 'denial', 'paid_date', 'denied_date',
] as const;

/** A CSV cell: quoted when it holds a comma, quote or line break; a leading = + - @ is defused for spreadsheets. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s) && typeof value === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Every claim as CSV lines (header first), generated row by row. */
export function* claimsCsv(db: Db): Generator<string> {
  yield CSV_COLUMNS.join(',');
  for (const r of new ClaimReportStore(db).exportRows()) {
    const denial = r.denial ? JSON.parse(r.denial) as { group?: string; carc?: string; rarc?: string; words?: string } : undefined;
    const cells = [
      r.case_id, r.reference, r.payer, r.payer_kind, r.lane, r.category, (JSON.parse(r.procedures) as string[]).join(' '), (JSON.parse(r.diagnoses) as string[]).join(' '),
      r.billed_cents === null ? null : (r.billed_cents / 100).toFixed(2), r.paid_cents === null ? null : (r.paid_cents / 100).toFixed(2),
      r.service_date, r.submitted_date, r.status, r.next_follow_up, r.appeal_deadline,
      denial ? [denial.group && denial.carc ? `${denial.group}-${denial.carc}` : denial.carc, denial.rarc, denial.words].filter(Boolean).join(' ') : null,
      r.paid_date, r.denied_date,
    ];
    yield cells.map(csvCell).join(',');
  }
}
