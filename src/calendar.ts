/**
 * Calendar dates (YYYY-MM-DD) as plain arithmetic on days: adding days or months, the days between two
 * dates, the weekday. No time zone is involved, so no daylight-saving change can move a date; where "today"
 * is depends on a zone, and that is worked out elsewhere (src/scheduler/clock.ts, src/claims/dates.ts).
 */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** The date's midnight in UTC, in ms; undefined for anything that is not a real calendar date (2026-02-30). */
function midnight(date: string): number | undefined {
  const m = DATE.exec(date);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  // A day past the month's end (02-30) rolls over, and years 0-99 are read as 19xx: either is not this date.
  // (Compared as numbers: this runs for every date of every imported row.)
  const at = new Date(ms);
  return at.getUTCFullYear() === y && at.getUTCMonth() === mo - 1 && at.getUTCDate() === d ? ms : undefined;
}

function dayMs(date: string): number {
  const ms = midnight(date);
  if (ms === undefined) throw new RangeError(`not a date (YYYY-MM-DD): "${date}"`);
  return ms;
}

const format = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** True for a real calendar date written YYYY-MM-DD (2025-02-29 is not one). */
export function isIsoDate(date: string): boolean {
  return midnight(date) !== undefined;
}

/** The date for a year, month and day as numbers, if it is a real calendar date (month 13 or 30 February is not). */
export function dateOf(year: number, month: number, day: number): string | undefined {
  if (!Number.isInteger(year) || year < 0 || year > 9999) return undefined;
  const date = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return isIsoDate(date) ? date : undefined;
}

/** A year as written on a form or a claim: two digits are 20yy. */
export const fullYear = (y: string): number => (y.length === 2 ? 2000 + Number(y) : Number(y));

const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** The month (1 to 12) a name or its abbreviation of three letters or more stands for ("Nov", "Sept.", "march"). */
export function monthNumber(word: string): number | undefined {
  const w = word.toLowerCase().replace(/\.$/, '');
  if (w.length < 3) return undefined;
  const i = MONTH_NAMES.findIndex((m) => m.startsWith(w) || (w === 'sept' && m === 'september'));
  return i < 0 ? undefined : i + 1;
}

/** `date` plus `days` calendar days (days may be negative). Throws RangeError on a malformed date. */
export function addDays(date: string, days: number): string {
  return format(dayMs(date) + days * DAY_MS);
}

/** `date` plus `months` calendar months; a day past the month's end becomes its last day (2024-02-29 + 12 months = 2025-02-28). */
export function addMonths(date: string, months: number): string {
  const d = new Date(dayMs(date));
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return format(Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(d.getUTCDate(), lastDay)));
}

/** Whole days from `a` to `b`: positive when `b` is later. */
export function daysBetween(a: string, b: string): number {
  return Math.round((dayMs(b) - dayMs(a)) / DAY_MS);
}

/** The ISO weekday of a date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  return new Date(dayMs(date)).getUTCDay() || 7;
}

/** Days since 1970-01-01 (for loops over many dates that only compare them). */
export function dayNumber(date: string): number {
  return dayMs(date) / DAY_MS;
}
