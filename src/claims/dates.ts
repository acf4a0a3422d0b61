/**
 * Dates as billing staff type them ("12/3", "Dec 3", "yesterday"), read into the form claims store them in:
 * ISO local dates (YYYY-MM-DD); amounts of money are money.ts. A date without a year is the nearest
 * one on the side the sentence means: a payment or a denial happened (the past), a records request is due
 * (the future).
 */
import { DateTime } from 'luxon';
import { addDays, dateOf, fullYear, monthNumber } from '../calendar.js';

/** A date without a year: this year's, or the one a year before or after, whichever is on the meant side of today. */
function nearest(month: number, day: number, today: string, side: 'past' | 'future'): string | undefined {
  const year = Number(today.slice(0, 4));
  const same = dateOf(year, month, day);
  if (!same) return dateOf(year + (side === 'past' ? -1 : 1), month, day); // 29 Feb
  if (side === 'past') return same <= today ? same : dateOf(year - 1, month, day);
  return same >= today ? same : dateOf(year + 1, month, day);
}

/**
 * The first date written in `text`, as an ISO date, or undefined. `today` is an ISO date; `side` says which
 * way a date without a year leans.
 */
export function findDate(text: string, today: string, side: 'past' | 'future' = 'past'): string | undefined {
  const t = text.toLowerCase();
  if (/\btoday\b/.test(t)) return today;
  if (/\byesterday\b/.test(t)) return addDays(today, -1);
  if (/\btomorrow\b/.test(t)) return addDays(today, 1);
  const isoMatch = /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/.exec(t);
  if (isoMatch) return dateOf(Number(isoMatch[1]), Number(isoMatch[2]), Number(isoMatch[3]));
  // 12/3, 12/3/26, 12/03/2026 (US order, as US claims are written); not a tooth range like "#3/4" or a fraction of a dollar.
  const us = /(?<![\d#$.])(\d{1,2})\/(\d{1,2})(?:\/(\d{4}|\d{2}))?(?![\d/])/.exec(t);
  if (us) {
    const m = Number(us[1]);
    const d = Number(us[2]);
    if (us[3]) return dateOf(fullYear(us[3]), m, d);
    if (m >= 1 && m <= 12) return nearest(m, d, today, side);
  }
  const named = /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b/.exec(t);
  if (named) {
    const [, month = '', day, year] = named;
    const m = monthNumber(month);
    const d = Number(day);
    if (!m) return undefined;
    return year ? dateOf(Number(year), m, d) : nearest(m, d, today, side);
  }
  return undefined;
}

/** A date typed on its own (a form field): like findDate, but the whole text must be the date. */
export function parseDate(text: string, today: string, side: 'past' | 'future' = 'past'): string | undefined {
  const t = text.trim();
  if (!t) return undefined;
  const found = findDate(t, today, side);
  return found && t.replace(/[\s,.]/g, '').length <= 20 ? found : undefined;
}

/** A date for people: "Thu Dec 3". */
export function showDate(isoDate: string): string {
  return DateTime.fromISO(isoDate, { zone: 'UTC' }).toFormat('ccc LLL d, yyyy');
}
