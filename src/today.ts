/**
 * "Today" as a person means it: the calendar date on the wall where they are. Every date medbill shows or
 * records (a denial, a payment, a follow-up, "today", the digest's date, an appeal deadline, a report's month,
 * a letter's month) comes from `todayIn`, with an injected clock and the zone of the place it was said: the
 * channel's digest zone for a digest and its buttons, else the practice's (MEDBILL_TIME_ZONE). The machine's
 * own zone never decides a date: a server in UTC would record tomorrow every evening in the Americas.
 */
import { IANAZone } from 'luxon';

/** The current instant, in ms since the epoch. Injected, so tests (and faketime in CI) decide "now". */
export type Clock = () => number;

/** The machine's wall clock: the one place medbill reads it for "now". */
export const systemClock: Clock = () => Date.now();

/**
 * The practice's zone when MEDBILL_TIME_ZONE is not set: a fixed zone, so a date never depends on where the
 * server runs. US Eastern, where most US practices are; the server warns at start until a practice sets its own.
 */
export const DEFAULT_PRACTICE_ZONE = 'America/New_York';

const MINUTE = 60_000;

/** Zones already checked (luxon's check builds an Intl.DateTimeFormat each time: slow on every tick). */
const checked = new Map<string, boolean>();

/** True for a time zone luxon (and the platform's ICU) knows, e.g. America/Chicago; case does not matter. */
export function isValidZone(zone: string): boolean {
  if (typeof zone !== 'string' || zone.trim() === '') return false;
  let valid = checked.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    if (checked.size > 1000) checked.clear();
    checked.set(zone, valid);
  }
  return valid;
}

/** The zone as luxon's, for offset arithmetic; a RangeError for anything that is not a zone. */
export function ianaZone(zone: string): IANAZone {
  if (!isValidZone(zone)) throw new RangeError(`not a time zone: ${zone}`);
  return IANAZone.create(zone);
}

/** The local date ('YYYY-MM-DD') at an instant in a zone. */
export function localDate(instantMs: number, zone: string): string {
  return new Date(instantMs + ianaZone(zone).offset(instantMs) * MINUTE).toISOString().slice(0, 10);
}

/** Today's date in `zone` by `clock`: the one way medbill reads the clock for a date. */
export function todayIn(zone: string, clock: Clock): string {
  return localDate(clock(), zone);
}
