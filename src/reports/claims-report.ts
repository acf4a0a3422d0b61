/**
 * Reports on claims: A/R aging by payer, the claims not submitted yet against their timely-filing limits, denials
 * by reason (this month and the last 12 months), paid rate and days to pay by category, code and
 * payer (which codes get paid, which payers ask for more documentation), and what medical billing recovered
 * this month (and the dental claims of medical-first cases after the medical EOB) against what was denied or written off. Tables for chat, CSV for a spreadsheet, and the aging
 * as a chart (PNG where a picture is uploaded, SVG on the local page).
 */
import { DateTime } from 'luxon';
import type { ClaimReportStore } from '../store/claim-reports.js';
import { reply, type Reply, type ReplyPart } from '../engine/model.js';
import { formatCents } from '../money.js';
import { dayNumber as calendarDay } from '../calendar.js';
import { localDate } from '../today.js';
import type { Denial } from '../store/claim.js';
import type { ChartSpec } from './chart.js';
import type { Knowledge } from '../knowledge/load.js';
import type { FollowUpPolicy } from '../knowledge/followup-denials.js';
import type { ClaimPayerKind } from '../knowledge/vocabulary.js';
import { timelyFilingDeadline } from '../claims/policy.js';
import { isDentalClaimKey } from '../case-id.js';

export const AGING_BUCKETS = ['0-30', '31-60', '61-90', '90+'] as const;

export interface AgingRow { payer: string; bucket: string; count: number; cents: number }
export interface DenialRow { reason: string; count: number; cents: number }
export interface OutcomeRow { key: string; submitted: number; paid: number; denied: number; recordsRequested: number; avgDaysToPay: number | null }
/** A claim not submitted yet, against the payer kind's timely-filing limit (counted from the date of service). */
export interface NotSubmittedItem {
  caseId: string; reference: string | null; payer: string; payerKind: ClaimPayerKind;
  /** The kind of procedure in words. */
  category: string;
  billedCents: number; serviceDate: string | null; daysSinceService: number | null;
  /** The limit as the policy gives it: "90 days", "12 months". */
  filingLimit: string;
  filingDeadline: string | null;
  /** Negative once the deadline has passed; null without a date of service. */
  daysLeft: number | null;
}
/**
 * The month's money. recovered/paidClaims: from medical plans (medical and medical-first cases); dental: from the
 * dental claims medical-first cases send after the medical EOB (C-7K3Q9-D); medicalFirst: the medical part of
 * those cases, so the two halves of a medical-first case are seen side by side.
 */
export interface MonthRow {
  recoveredCents: number; paidClaims: number; dentalRecoveredCents: number; dentalPaidClaims: number; medicalFirstCents: number; medicalFirstClaims: number;
  writtenOffCents: number; writtenOffClaims: number; deniedCents: number; deniedClaims: number;
}

export interface Report {
  today: string;
  month: { from: string; to: string; label: string };
  /** The last 12 months, this one included (what the 12-month denials and the outcomes cover). */
  year: { from: string; label: string };
  /** Open claims that were submitted, by payer and days since submission (claims not submitted are below). */
  aging: AgingRow[];
  /** Claims not submitted yet, the fewest days left to file first (no date of service last). */
  notSubmitted: { count: number; cents: number; items: NotSubmittedItem[] };
  /** Denials this month, by reason. */
  denials: DenialRow[];
  /** Denials in the last 12 months, by reason. */
  denialsYear: DenialRow[];
  byPayer: OutcomeRow[];
  byCategory: OutcomeRow[];
  byCode: OutcomeRow[];
  recovered: MonthRow;
}

/** Days since 1970 of an ISO date; a report sees few distinct dates, so each is worked out once. */
const dayNumbers = new Map<string, number>();
function dayNumber(iso: string): number {
  let n = dayNumbers.get(iso);
  if (n === undefined) {
    n = calendarDay(iso);
    if (dayNumbers.size < 100_000) dayNumbers.set(iso, n);
  }
  return n;
}
const bucketOf = (age: number) => (age <= 30 ? '0-30' : age <= 60 ? '31-60' : age <= 90 ? '61-90' : '90+');

/** Counts per key for "paid rate, denials, records requests and days to pay". */
class Outcomes {
  private readonly rows = new Map<string, OutcomeRow & { daysSum: number; daysCount: number }>();
  add(key: string, paid: boolean, denied: boolean, records: boolean, daysToPay: number | undefined) {
    let r = this.rows.get(key);
    if (!r) this.rows.set(key, (r = { key, submitted: 0, paid: 0, denied: 0, recordsRequested: 0, avgDaysToPay: null, daysSum: 0, daysCount: 0 }));
    r.submitted++;
    if (paid) r.paid++;
    if (denied) r.denied++;
    if (records) r.recordsRequested++;
    if (daysToPay !== undefined) { r.daysSum += daysToPay; r.daysCount++; }
  }
  list(): OutcomeRow[] {
    return [...this.rows.values()]
      .map(({ daysSum, daysCount, ...r }) => ({ ...r, avgDaysToPay: daysCount ? daysSum / daysCount : null }))
      .sort((a, b) => b.submitted - a.submitted || a.key.localeCompare(b.key));
  }
}

/** What the report calls a claim with no category (the general category's own name). */
export const NO_CATEGORY = 'Other procedures';

/** Category ids and the names the report shows for them (knowledge/categories/). */
export function categoryNames(kn: Pick<Knowledge, 'categories'>): ReadonlyMap<string, string> {
  return new Map(kn.categories.map((c) => [c.id, c.name]));
}

/** A claim as the report lists it: the case ID and, beside it, the practice's own claim number. */
export const claimLabel = (caseId: string, reference: string | null): string => (reference ? `${caseId} (${reference})` : caseId);

/** The filing limit as the policy states it. */
function filingLimit(payerKind: ClaimPayerKind, policy: FollowUpPolicy): string {
  const rule = policy.timelyFiling[payerKind];
  return rule.months !== undefined ? `${rule.months} month${rule.months === 1 ? '' : 's'}` : `${rule.days ?? 0} day${rule.days === 1 ? '' : 's'}`;
}

/** Claims not submitted yet, each against its timely-filing deadline, the most urgent first. */
async function notSubmitted(reports: ClaimReportStore, today: string, names: ReadonlyMap<string, string>, policy: FollowUpPolicy): Promise<Report['notSubmitted']> {
  const todayN = dayNumber(today);
  const items = (await reports.notSubmitted()).map((c): NotSubmittedItem => {
    const deadline = c.serviceDate ? timelyFilingDeadline(c.payerKind, c.serviceDate, policy).date : null;
    return {
      caseId: c.caseId, reference: c.reference, payer: c.payer, payerKind: c.payerKind, category: categoryName(c.category, names), billedCents: c.billedCents,
      serviceDate: c.serviceDate, daysSinceService: c.serviceDate ? todayN - dayNumber(c.serviceDate) : null,
      filingLimit: filingLimit(c.payerKind, policy), filingDeadline: deadline, daysLeft: deadline ? dayNumber(deadline) - todayN : null,
    };
  });
  // The store orders by date of service; a stable sort keeps that order among equal days left.
  items.sort((a, b) => (a.daysLeft ?? Infinity) - (b.daysLeft ?? Infinity));
  return { count: items.length, cents: items.reduce((n, i) => n + i.billedCents, 0), items };
}

/** A category id in words (knowledge/categories/); none is "Other procedures"; an id the knowledge no longer has, as stored. */
const categoryName = (id: string | null, names: ReadonlyMap<string, string>): string => (id ? names.get(id) ?? id : NO_CATEGORY);

/** A denial's reason as the report groups it ("CO-50", "CARC 50", "in words"). */
function denialReason(denialJson: string | null): string {
  const d = denialJson ? (JSON.parse(denialJson) as Denial) : {};
  return d.carc ? (d.group ? `${d.group}-${d.carc}` : `CARC ${d.carc}`) : 'in words';
}

function countDenial(rows: Map<string, DenialRow>, reason: string, billed: number): void {
  const row = rows.get(reason) ?? { reason, count: 0, cents: 0 };
  row.count++;
  row.cents += billed;
  rows.set(reason, row);
}

/**
 * The report as of `today` (ISO), for the month it falls in (`zone` turns the month into instants). One pass over the
 * claims, and one read of those not submitted yet (`policy` gives their filing limits). Kinds of procedure are named in
 * words (`names`, from knowledge/categories/); a claim with none is "Other procedures", and an id the knowledge no
 * longer has is shown as it is stored.
 */
export async function buildReport(reports: ClaimReportStore, today: string, zone: string, names: ReadonlyMap<string, string>, policy: FollowUpPolicy): Promise<Report> {
  const start = DateTime.fromISO(today, { zone }).startOf('month');
  const end = start.plus({ months: 1 });
  const from = start.toFormat('yyyy-MM-dd');
  const to = end.toFormat('yyyy-MM-dd');
  // Outcomes need time to come in: paid rate and days to pay look at claims submitted in the last 12 months.
  const yearAgo = start.minus({ months: 11 }).toFormat('yyyy-MM-dd');
  const [fromMs, toMs] = [start.toMillis(), end.toMillis()];
  const todayN = dayNumber(today);
  const aging = new Map<string, AgingRow>();
  const denials = new Map<string, DenialRow>();
  const denialsYear = new Map<string, DenialRow>();
  const reasons = new Map<string, string>(); // the same few denials recur on thousands of claims
  const [byPayer, byCategory, byCode] = [new Outcomes(), new Outcomes(), new Outcomes()];
  const parsedCodes = new Map<string, string[]>(); // the same few code lists recur on thousands of claims
  const month: MonthRow = { recoveredCents: 0, paidClaims: 0, dentalRecoveredCents: 0, dentalPaidClaims: 0, medicalFirstCents: 0, medicalFirstClaims: 0, writtenOffCents: 0, writtenOffClaims: 0, deniedCents: 0, deniedClaims: 0 };
  // A page at a time (see ClaimReportStore.scan), each read in one synchronous loop.
  for await (const page of reports.scan()) for (const [payer, lane, category, procedures, status, open, billed, paid, serviceDate, submittedDate, createdAt, updatedAt, paidDate, deniedDate, denialJson, records, caseId] of page) {
    // A claim not submitted yet has no days since submission: it is listed apart, against its filing limit.
    if (open && status !== 'draft') {
      const since = submittedDate ?? serviceDate ?? localDate(createdAt, zone);
      const bucket = bucketOf(todayN - dayNumber(since));
      const key = `${payer}\u0000${bucket}`;
      const row = aging.get(key) ?? { payer, bucket, count: 0, cents: 0 };
      row.count++;
      row.cents += billed - paid;
      aging.set(key, row);
    }
    if (deniedDate && deniedDate >= yearAgo && deniedDate < to) {
      const json = denialJson ?? '';
      let reason = reasons.get(json);
      if (reason === undefined) reasons.set(json, (reason = denialReason(denialJson)));
      countDenial(denialsYear, reason, billed);
      if (deniedDate >= from) {
        countDenial(denials, reason, billed);
        month.deniedClaims++;
        month.deniedCents += billed;
      }
    }
    if (paidDate && paidDate >= from && paidDate < to && (lane === 'medical' || lane === 'medical-first')) {
      // A medical-first case's dental claim (C-7K3Q9-D) carries the case's lane: its money came from the dental plan.
      if (isDentalClaimKey(caseId)) {
        month.dentalPaidClaims++;
        month.dentalRecoveredCents += paid;
      } else {
        month.paidClaims++;
        month.recoveredCents += paid;
        if (lane === 'medical-first') {
          month.medicalFirstClaims++;
          month.medicalFirstCents += paid;
        }
      }
    }
    // A written-off claim changes no more (only "closed" follows), so its last change is the write-off.
    if (status === 'written-off' && updatedAt >= fromMs && updatedAt < toMs) {
      month.writtenOffClaims++;
      month.writtenOffCents += billed - paid;
    }
    if (submittedDate && submittedDate >= yearAgo && submittedDate < to) {
      const days = paidDate ? dayNumber(paidDate) - dayNumber(submittedDate) : undefined;
      const args = [paid > 0, deniedDate !== null, records === 1, days] as const;
      byPayer.add(payer, ...args);
      byCategory.add(categoryName(category, names), ...args);
      let codes = parsedCodes.get(procedures);
      if (!codes) parsedCodes.set(procedures, (codes = JSON.parse(procedures) as string[]));
      for (const code of codes) byCode.add(code, ...args);
    }
  }
  const byCount = (a: DenialRow, b: DenialRow) => b.count - a.count || a.reason.localeCompare(b.reason);
  const order = (a: AgingRow, b: AgingRow) => a.payer.localeCompare(b.payer) || AGING_BUCKETS.indexOf(a.bucket as (typeof AGING_BUCKETS)[number]) - AGING_BUCKETS.indexOf(b.bucket as (typeof AGING_BUCKETS)[number]);
  return {
    today,
    month: { from, to, label: start.toFormat('LLLL yyyy') },
    year: { from: yearAgo, label: `${start.minus({ months: 11 }).toFormat('LLLL yyyy')} to ${start.toFormat('LLLL yyyy')}` },
    aging: [...aging.values()].sort(order),
    notSubmitted: await notSubmitted(reports, today, names, policy),
    denials: [...denials.values()].sort(byCount),
    denialsYear: [...denialsYear.values()].sort(byCount),
    byPayer: byPayer.list(),
    byCategory: byCategory.list(),
    byCode: byCode.list(),
    recovered: month,
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

/** At most this many claims not submitted are listed in chat (the most urgent); the CSV lists them all. */
const NOT_SUBMITTED_SHOWN = 25;

const daysLeft = (n: number | null) => (n === null ? '—' : n < 0 ? `late by ${-n}` : String(n));

function notSubmittedTable(r: Report['notSubmitted']): ReplyPart {
  const more = r.count > NOT_SUBMITTED_SHOWN ? `; the ${NOT_SUBMITTED_SHOWN} with the fewest days left (medbill report --csv lists all)` : '';
  return {
    kind: 'table',
    title: `Not submitted yet: ${r.count} claim${r.count === 1 ? '' : 's'}, ${formatCents(r.cents)} billed, against the timely-filing limit from the date of service${more}`,
    columns: ['Claim', 'Payer', 'Kind of procedure', 'Billed', 'Date of service', 'Days since service', 'Filing limit', 'File by', 'Days left'],
    rows: r.items.slice(0, NOT_SUBMITTED_SHOWN).map((i) => [
      claimLabel(i.caseId, i.reference), i.payer, i.category, formatCents(i.billedCents), i.serviceDate ?? 'not given',
      i.daysSinceService === null ? '—' : String(i.daysSinceService), i.filingLimit, i.filingDeadline ?? '—', daysLeft(i.daysLeft),
    ]),
  };
}

/** Denials by reason: this month beside the last 12 months (every reason of the month is among the year's). */
function denialsTable(r: Report): ReplyPart {
  const month = new Map(r.denials.map((d) => [d.reason, d]));
  return {
    kind: 'table', title: `Denials by reason, ${r.month.label} and the last 12 months (${r.year.label})`,
    columns: ['Reason', `Claims, ${r.month.label}`, `Billed, ${r.month.label}`, 'Claims, 12 months', 'Billed, 12 months'],
    rows: r.denialsYear.map((d) => {
      const m = month.get(d.reason);
      return [d.reason, String(m?.count ?? 0), formatCents(m?.cents ?? 0), String(d.count), formatCents(d.cents)];
    }),
  };
}

function outcomeTable(title: string, first: string, rows: OutcomeRow[], limit = 12): ReplyPart {
  return {
    kind: 'table', title, columns: [first, 'Submitted', 'Paid rate', 'Denied', 'Asked for records', 'Days to pay'],
    rows: rows.slice(0, limit).map((r) => [r.key, String(r.submitted), percent(r.paid, r.submitted), String(r.denied), String(r.recordsRequested), days(r.avgDaysToPay)]),
  };
}

const claims = (n: number) => `${n} claim${n === 1 ? '' : 's'}`;

/** The dental claims of medical-first cases, when any were paid this month: their recovery, the total, and both halves of those cases. */
function medicalFirstRows(m: MonthRow): { label: string; value: string }[] {
  if (!m.dentalPaidClaims) return [];
  return [
    { label: 'Recovered from dental plans after the medical EOB', value: `${formatCents(m.dentalRecoveredCents)} on ${claims(m.dentalPaidClaims)}` },
    { label: 'Recovered in all', value: formatCents(m.recoveredCents + m.dentalRecoveredCents) },
    { label: 'Medical-first cases', value: `${formatCents(m.medicalFirstCents)} from medical plans (${claims(m.medicalFirstClaims)}), ${formatCents(m.dentalRecoveredCents)} from dental plans (${claims(m.dentalPaidClaims)})` },
  ];
}

/** The report as replies; `chart` is the aging picture when one was drawn. */
export function reportReplies(r: Report, chart?: { svg: string; png: Buffer }): Reply[] {
  const m = r.recovered;
  const parts: ReplyPart[] = [
    { kind: 'facts', title: `${r.month.label}`, rows: [
      { label: 'Recovered from medical plans', value: `${formatCents(m.recoveredCents)} on ${m.paidClaims} claim${m.paidClaims === 1 ? '' : 's'}` },
      ...medicalFirstRows(m),
      { label: 'Denied', value: `${m.deniedClaims} claim${m.deniedClaims === 1 ? '' : 's'} (${formatCents(m.deniedCents)} billed)` },
      { label: 'Written off', value: `${formatCents(m.writtenOffCents)} on ${m.writtenOffClaims} claim${m.writtenOffClaims === 1 ? '' : 's'}` },
    ] },
  ];
  if (r.aging.length) parts.push(agingTable(r.aging));
  if (chart) parts.push({ kind: 'chart', title: 'A/R aging by payer', svg: chart.svg, pngBase64: chart.png.toString('base64') });
  if (r.notSubmitted.count) parts.push(notSubmittedTable(r.notSubmitted));
  if (r.denialsYear.length) parts.push(denialsTable(r));
  if (r.byPayer.length) parts.push(outcomeTable('By payer (claims submitted in the last 12 months)', 'Payer', r.byPayer));
  if (r.byCategory.length) parts.push(outcomeTable('By kind of procedure', 'Category', r.byCategory));
  if (r.byCode.length) parts.push(outcomeTable('By procedure code', 'Code', r.byCode));
  const empty = !r.aging.length && !r.notSubmitted.count && !r.byPayer.length && !m.paidClaims && !m.dentalPaidClaims && !m.deniedClaims && !r.denialsYear.length;
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
  const { renderChart } = await import('./chart.js');
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

/** An amount in a CSV cell: dollars with cents (1234.50), for a spreadsheet to read as a number. */
const csvDollars = (cents: number) => (cents / 100).toFixed(2);

/**
 * The report's tables as CSV sections for a spreadsheet: each a title line, a header, its rows and a blank
 * line. Amounts in dollars (1234.50), the paid rate as a fraction (0.85), days to pay to one decimal.
 */
export function reportCsv(r: Report): string[] {
  const out: string[] = [];
  const section = (title: string, columns: string[], rows: (string | number | null)[][]) => {
    out.push(csvCell(title), columns.join(','), ...rows.map((row) => row.map(csvCell).join(',')), '');
  };
  const m = r.recovered;
  // recovered is from medical plans; the dental claims of medical-first cases follow (new columns go last).
  section(`Month: ${r.month.label} (as of ${r.today})`, ['month', 'recovered', 'paid_claims', 'denied_claims', 'denied_billed', 'written_off', 'written_off_claims', 'dental_recovered', 'dental_paid_claims', 'medical_first_recovered', 'recovered_total'],
    [[r.month.from.slice(0, 7), csvDollars(m.recoveredCents), m.paidClaims, m.deniedClaims, csvDollars(m.deniedCents), csvDollars(m.writtenOffCents), m.writtenOffClaims,
      csvDollars(m.dentalRecoveredCents), m.dentalPaidClaims, csvDollars(m.medicalFirstCents), csvDollars(m.recoveredCents + m.dentalRecoveredCents)]]);
  // The report's aging rows are in order already: by payer, then by bucket.
  section('A/R aging: outstanding by payer and days since submission', ['payer', 'days', 'claims', 'outstanding'],
    r.aging.map((a) => [a.payer, a.bucket, a.count, csvDollars(a.cents)]));
  section('Not submitted yet, against the timely-filing limit from the date of service', ['case_id', 'claim_number', 'payer', 'payer_kind', 'category', 'billed', 'service_date', 'days_since_service', 'filing_limit', 'file_by', 'days_left'],
    r.notSubmitted.items.map((i) => [i.caseId, i.reference, i.payer, i.payerKind, i.category, csvDollars(i.billedCents), i.serviceDate, i.daysSinceService, i.filingLimit, i.filingDeadline, i.daysLeft]));
  section(`Denials by reason, ${r.month.label}`, ['reason', 'claims', 'billed'], r.denials.map((d) => [d.reason, d.count, csvDollars(d.cents)]));
  section(`Denials by reason, the last 12 months (${r.year.label})`, ['reason', 'claims', 'billed'], r.denialsYear.map((d) => [d.reason, d.count, csvDollars(d.cents)]));
  const outcomes = (title: string, key: string, rows: Report['byPayer']) => section(title, [key, 'submitted', 'paid', 'paid_rate', 'denied', 'records_requested', 'avg_days_to_pay'],
    rows.map((o) => {
      // SQLite's sum() over no paid claims is NULL.
      const paid = o.paid ?? 0;
      return [o.key, o.submitted, paid, o.submitted ? (paid / o.submitted).toFixed(3) : null, o.denied ?? 0, o.recordsRequested ?? 0, o.avgDaysToPay === null ? null : o.avgDaysToPay.toFixed(1)];
    }));
  outcomes('By payer (claims submitted in the last 12 months)', 'payer', r.byPayer);
  outcomes('By kind of procedure', 'category', r.byCategory);
  outcomes('By procedure code', 'code', r.byCode);
  return out;
}

/** Every claim as CSV lines (header first), generated row by row. */
export async function* claimsCsv(reports: ClaimReportStore): AsyncGenerator<string> {
  yield CSV_COLUMNS.join(',');
  for await (const r of reports.exportRows()) {
    const denial = r.denial ? JSON.parse(r.denial) as { group?: string; carc?: string; rarc?: string; words?: string } : undefined;
    const cells = [
      r.case_id, r.reference, r.payer, r.payer_kind, r.lane, r.category, (JSON.parse(r.procedures) as string[]).join(' '), (JSON.parse(r.diagnoses) as string[]).join(' '),
      r.billed_cents === null ? null : csvDollars(r.billed_cents), r.paid_cents === null ? null : csvDollars(r.paid_cents),
      r.service_date, r.submitted_date, r.status, r.next_follow_up, r.appeal_deadline,
      denial ? [denial.group && denial.carc ? `${denial.group}-${denial.carc}` : denial.carc, denial.rarc, denial.words].filter(Boolean).join(' ') : null,
      r.paid_date, r.denied_date,
    ];
    yield cells.map(csvCell).join(',');
  }
}
