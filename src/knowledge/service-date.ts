/**
 * The date of service as staff type it in a message ("DOS 10/3/2026", "service date 2026-10-03", "seen on Oct 3
 * 2026", "surgery scheduled for 1/15"), read into CaseFacts.serviceDate: it chooses the ICD-10-CM code set of its
 * fiscal year (J34.830 is valid only from 2026-10-01). Only a date that service words introduce is one: a date of
 * birth ("DOB 3/4/1980", "born 1980-03-04") or a bare date is never read as the date of service.
 *
 * In chat the privacy scrubber has run first: a date of service typed with its year is left out and only its
 * fiscal year stays ("DOS [date removed: service in FY2027]"; src/privacy/scrubber.ts). That fiscal year is read
 * here as its first day (2026-10-01 for FY2027): the code set is all the date decides, and it is the same for
 * every day of the year.
 */
import { dateOf, fullYear, monthNumber } from '../calendar.js';
import { fiscalYearOf, fiscalYearStart } from './icd10-valid.js';

/** How the scrubber writes a date of service's fiscal year in place of the date ("…FY2027]"). */
export const SERVICE_YEAR_MARK = '[date removed: service in FY';

/** The words right before a date that make it the date of service (the scrubber uses the same list). */
export const SERVICE_CUE_WORDS = String.raw`(?:dos|d\.o\.s\.?|date\s{1,3}of\s{1,3}(?:service|svc|treatment|surgery|procedure)|(?:service|svc|treatment|surgery|procedure|visit|appointment|appt)\s{1,3}date|(?:seen|treated|operated|done|performed|visit|appointment|appt|surgery|procedure|extraction)\s{1,3}on|(?:scheduled|planned|booked)\s{1,3}(?:for|on))`;

const MONTH = String.raw`(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}\.?`;
const SERVICE_DATE = new RegExp(
  String.raw`\b${SERVICE_CUE_WORDS}\s{0,3}[:#-]?\s{0,3}(?:(\d{4})-(\d{1,2})-(\d{1,2})\b|(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?(?![\d/])|(${MONTH})\s{1,3}(\d{1,2})(?:st|nd|rd|th)?(?:,?\s{1,3}(\d{4}))?\b|(\d{1,2})(?:\s{1,3}|-)(${MONTH})(?:,?\s{1,3}|-)(\d{4})\b)`,
  'i',
);
const MARKED = /\[date removed: service in FY(\d{4})\]/;

/** Whether the text states a date of service without its year (its reading depends on today). */
export const hasYearlessServiceDate = (text: string): boolean => {
  const m = SERVICE_DATE.exec(text);
  return !!m && !m[1] && !m[6] && !m[9] && !m[12];
};

/**
 * The date of service a message states, as YYYY-MM-DD, or undefined. A date without a year needs `today` (the
 * practice's local date): it is the nearest such day on the side the words mean, ahead for "scheduled for", else
 * behind; without `today` it is not read.
 */
export function findServiceDate(text: string, today?: string | (() => string)): string | undefined {
  const marked = MARKED.exec(text);
  if (marked) return fiscalYearStart(Number(marked[1]));
  const m = SERVICE_DATE.exec(text);
  if (!m) return undefined;
  const ahead = /\b(?:scheduled|planned|booked)\b/i.test(m[0]);
  if (m[1]) return dateOf(Number(m[1]), Number(m[2]), Number(m[3]));
  if (m[4]) return withYear(Number(m[4]), Number(m[5]), m[6] ? fullYear(m[6]) : undefined, today, ahead);
  if (m[7]) return withYear(monthNumber(m[7].replace(/\.$/, '')) ?? 0, Number(m[8]), m[9] ? Number(m[9]) : undefined, today, ahead);
  return withYear(monthNumber((m[11] ?? '').replace(/\.$/, '')) ?? 0, Number(m[10]), Number(m[12]), today, ahead);
}

function withYear(month: number, day: number, year: number | undefined, todayOf: string | (() => string) | undefined, ahead: boolean): string | undefined {
  if (year !== undefined) return dateOf(year, month, day);
  if (!todayOf) return undefined;
  // Only now: the practice zone's first lookup is slow on a cold start.
  const today = typeof todayOf === 'string' ? todayOf : todayOf();
  const thisYear = Number(today.slice(0, 4));
  const same = dateOf(thisYear, month, day);
  if (!same) return undefined;
  if (ahead) return same >= today ? same : dateOf(thisYear + 1, month, day);
  return same <= today ? same : dateOf(thisYear - 1, month, day);
}

/** Whether `date` stands for a whole fiscal year: its first day, with the scrubber's mark for that year in the notes. */
export function isFiscalYearOnly(date: string, notes: string | undefined): boolean {
  return date === fiscalYearStart(fiscalYearOf(date)) && !!notes?.includes(`${SERVICE_YEAR_MARK}${fiscalYearOf(date)}]`);
}
