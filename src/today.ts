/**
 * "Today" as a person means it: the calendar date on the wall where they are. Every date medbill shows or
 * records (a denial, a payment, a follow-up, "today", the digest's date, an appeal deadline, a report's month,
 * a letter's month) comes from `todayIn`, with an injected clock and the zone of the place it was said: the
 * channel's digest zone for a digest and its buttons, else the practice's (MEDBILL_TIME_ZONE). The machine's
 * own zone never decides a date: a server in UTC would record tomorrow every evening in the Americas.
 */
/** The current instant, in ms since the epoch. Injected, so tests (and faketime in CI) decide "now". */
export type Clock = () => number;

/** The machine's wall clock: the one place medbill reads it for "now". */
export const systemClock: Clock = () => Date.now();

/**
 * The practice's zone when MEDBILL_TIME_ZONE is not set: a fixed zone, so a date never depends on where the
 * server runs. US Eastern, where most US practices are; the server warns at start until a practice sets its own.
 */
export const DEFAULT_PRACTICE_ZONE = 'America/New_York';

/**
 * A formatter of calendar dates per zone (built once: each costs a look into the platform's time-zone data).
 * Intl, not a date library, so a command that never shows a date loads none.
 */
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterOf(zone: string): Intl.DateTimeFormat | null {
  if (typeof zone !== 'string' || zone.trim() === '') return null;
  let f = formatters.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hourCycle: 'h23' });
    } catch {
      f = null;
    }
    if (formatters.size > 1000) formatters.clear();
    formatters.set(zone, f);
  }
  return f;
}

/** True for a time zone the platform's ICU knows, e.g. America/Chicago; case does not matter. */
export function isValidZone(zone: string): boolean {
  return formatterOf(zone) !== null;
}

/** A practice's zone as IANA names places (America/Chicago, or UTC), not an abbreviation such as EST. */
export function isPracticeZone(zone: string): boolean {
  return isValidZone(zone) && (zone.includes('/') || zone === 'UTC');
}

/**
 * Each zone's date in the quarter hour last asked about (a turn asks once; formatting takes tens of
 * microseconds). Since 1980 every zone has been offset from UTC by whole quarter hours (Kiritimati's -10:40
 * ended in 1979), so a zone's date can only change on a UTC quarter hour; earlier instants are not kept.
 */
const QUARTER_HOUR_MS = 15 * 60 * 1000;
const QUARTER_HOURS_SINCE = Date.UTC(1980, 0, 1);
const lastDates = new Map<string, { quarter: number; date: string }>();

/** The local date ('YYYY-MM-DD') at an instant in a zone; a RangeError for anything that is not a zone. */
export function localDate(instantMs: number, zone: string): string {
  const quarter = Math.floor(instantMs / QUARTER_HOUR_MS);
  const known = lastDates.get(zone);
  if (known?.quarter === quarter) return known.date;
  const f = formatterOf(zone);
  if (!f) throw new RangeError(`not a time zone: ${zone}`);
  const parts = f.formatToParts(instantMs);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const date = `${part('year').padStart(4, '0')}-${part('month')}-${part('day')}`;
  if (instantMs >= QUARTER_HOURS_SINCE) {
    if (lastDates.size > 1000) lastDates.clear();
    lastDates.set(zone, { quarter, date });
  }
  return date;
}

/** Today's date in `zone` by `clock`: the one way medbill reads the clock for a date. */
export function todayIn(zone: string, clock: Clock): string {
  return localDate(clock(), zone);
}
