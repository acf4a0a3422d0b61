/**
 * Time-zone arithmetic for the daily digest (luxon's IANA zones, from the ICU data Node ships).
 *
 * A digest is due at a local wall-clock time on a local date. The due instant is defined as the FIRST
 * instant of that date at which the zone's wall clock reads the given time or later. That one rule settles
 * both daylight-saving edges:
 * - spring forward (the time does not exist, e.g. 02:30 in America/Chicago on 2026-03-08, when clocks jump
 *   from 02:00 CST to 03:00 CDT): due at the first instant after the gap, 03:00 CDT (08:00Z). Luxon alone would
 *   give 03:30 CDT (it keeps the offset from before the gap and moves the time forward by the gap's length).
 * - fall back (the time happens twice, e.g. 01:30 on 2026-11-01, first in CDT then again in CST): due at the
 *   first occurrence, 01:30 CDT (06:30Z). Luxon alone would give the second one, 01:30 CST (07:30Z).
 * Posting once per local date is the scheduler's job (see digest-scheduler.ts): this only says when.
 */
import { dayNumber } from '../calendar.js';
import { IANAZone } from 'luxon';
import { isValidZone } from '../today.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The zone's usual spelling ('america/chicago' → 'America/Chicago'), or undefined when it is not a zone.
 * Aliases the platform knows (US/Central) are resolved to what ICU calls them.
 */
export function canonicalZone(zone: string): string | undefined {
  if (!isValidZone(zone)) return undefined;
  const lower = zone.trim().toLowerCase();
  const listed = Intl.supportedValuesOf('timeZone').find((z) => z.toLowerCase() === lower);
  if (listed) return listed;
  if (lower === 'utc' || lower === 'etc/utc' || lower === 'gmt' || lower === 'etc/gmt') return 'UTC';
  return new Intl.DateTimeFormat('en-US', { timeZone: zone.trim() }).resolvedOptions().timeZone;
}

const DAY = 86_400_000;

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** True for a canonical 'HH:MM' (00:00 to 23:59). */
export const isLocalTime = (time: string): boolean => HHMM.test(time);

/**
 * Reads a time of day as people type it: '8:00', '08:00', '20:15', '8am', '8 am', '8:30 am', '8:30pm',
 * '12pm' (noon), '12am' (midnight), 'noon'; returns 'HH:MM', or undefined when it is not a time. A bare hour
 * ('8') is refused: 8 in the morning or the evening is not obvious.
 */
export function parseLocalTime(text: string): string | undefined {
  const t = text.trim().toLowerCase().replace(/\s+/g, ' ');
  if (t === 'noon') return '12:00';
  if (t === 'midnight') return '00:00';
  const m = /^(\d{1,2})(?:[:.](\d{2}))? ?(a\.?m\.?|p\.?m\.?)?$/.exec(t);
  if (!m) return undefined;
  let hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  const half = m[3]?.[0] as 'a' | 'p' | undefined;
  if (minute > 59) return undefined;
  if (half) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (half === 'p' ? 12 : 0);
  } else {
    if (m[2] === undefined) return undefined; // a bare hour
    if (hour > 23) return undefined;
  }
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/**
 * The instant (ms since the epoch) a digest set for `time` ('HH:MM') in `zone` is due on the local date
 * `date`: the first instant of that date at which the wall clock reads `time` or later (see the top of this
 * file for the daylight-saving edges).
 */
export function dueInstant(date: string, time: string, zone: string): number {
  const t = HHMM.exec(time);
  if (!t) throw new RangeError(`not a time (HH:MM): ${time}`);
  if (!isValidZone(zone)) throw new RangeError(`not a time zone: ${zone}`);
  const z = IANAZone.create(zone);
  // The wall-clock reading as if it were UTC; an instant with offset o (minutes) shows it at wall - o.
  const wall = dayNumber(date) * DAY + Number(t[1]) * HOUR + Number(t[2]) * MINUTE;
  // Offsets lie within -12 h … +14 h, so every instant that could show this reading lies in that window.
  const offsets = [...new Set([z.offset(wall - 15 * HOUR), z.offset(wall), z.offset(wall + 13 * HOUR)])];
  const exact = offsets.map((o) => wall - o * MINUTE).filter((at) => z.offset(at) * MINUTE === wall - at);
  if (exact.length) return Math.min(...exact); // the first occurrence when the reading happens twice
  // In a gap: the reading never happens. Find the first instant whose reading is later (the gap's end).
  const shows = (at: number) => at + z.offset(at) * MINUTE;
  let lo = wall - Math.max(...offsets) * MINUTE; // reads earlier than the time
  let hi = wall - Math.min(...offsets) * MINUTE; // reads later
  if (!(shows(lo) < wall && shows(hi) > wall)) throw new RangeError(`cannot place ${date} ${time} in ${zone}`);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (shows(mid) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}
