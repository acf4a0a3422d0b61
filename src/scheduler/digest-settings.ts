/**
 * The digest command as the team types it, read without side effects:
 *   here 8:00 America/Chicago              → post here at 08:00 Chicago time, Monday to Friday
 *   here 7:30am America/New_York weekdays  → the same, said explicitly
 *   here 8:00 America/Denver every day     → also on weekends (daily, every day, or days: mon wed fri, mon-sat)
 *   here 9:00                              → incomplete: which time zone? (asked, never guessed)
 *   off                                    → stop posting here
 *   show, or nothing                       → what is set here
 * A leading "digest" is ignored. Abbreviations such as CST or EST are refused with the zone to say instead:
 * some of them name a fixed offset that ignores daylight saving (EST is UTC-5 all year).
 */
import { canonicalZone, parseLocalTime } from './clock.js';

export type DigestSetting =
  | { kind: 'set'; localTime: string; zone: string; weekdays: number[] }
  | { kind: 'incomplete'; missing: ('time' | 'zone')[]; localTime?: string; zone?: string; weekdays: number[]; message: string }
  | { kind: 'off' }
  | { kind: 'show' }
  | { kind: 'error'; message: string };

export const WEEKDAYS = [1, 2, 3, 4, 5];
export const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];

export const ZONE_EXAMPLES = 'America/New_York, America/Chicago, America/Denver, America/Phoenix, America/Los_Angeles, America/Anchorage, Pacific/Honolulu';
const EXAMPLE = '`here 8:00 America/Chicago`';

/** Names people use for US zones, and the zone to say instead (the place's zone follows daylight saving). */
const ABBREVIATIONS: Record<string, string> = {
  est: 'America/New_York', edt: 'America/New_York', et: 'America/New_York', eastern: 'America/New_York',
  cst: 'America/Chicago', cdt: 'America/Chicago', ct: 'America/Chicago', central: 'America/Chicago',
  mst: 'America/Denver (or America/Phoenix in Arizona)', mdt: 'America/Denver', mt: 'America/Denver', mountain: 'America/Denver',
  pst: 'America/Los_Angeles', pdt: 'America/Los_Angeles', pt: 'America/Los_Angeles', pacific: 'America/Los_Angeles',
  akst: 'America/Anchorage', akdt: 'America/Anchorage', alaska: 'America/Anchorage',
  hst: 'Pacific/Honolulu', hawaii: 'Pacific/Honolulu',
  bst: 'Europe/London', cet: 'Europe/Paris (or your city\'s zone)', aest: 'Australia/Sydney', aedt: 'Australia/Sydney',
};

const DAY_NAMES: Record<string, number> = {
  mon: 1, monday: 1, tue: 2, tues: 2, tuesday: 2, wed: 3, weds: 3, wednesday: 3, thu: 4, thur: 4, thurs: 4, thursday: 4,
  fri: 5, friday: 5, sat: 6, saturday: 6, sun: 7, sunday: 7,
};
/** Own keys only: a word such as "constructor" is not a day (nor an abbreviation) just because every object has it. */
const own = <T>(table: Record<string, T>, key: string): T | undefined => (Object.hasOwn(table, key) ? table[key] : undefined);
const dayOf = (word: string): number | undefined => own(DAY_NAMES, word.replace(/s$/, '')) ?? own(DAY_NAMES, word);

/** Days named by one word: weekdays, weekends, daily, a day (mondays), a range (mon-fri); undefined if it names none. */
function daysOf(word: string): number[] | undefined {
  if (word === 'weekdays' || word === 'weekday') return [...WEEKDAYS];
  if (word === 'weekends' || word === 'weekend') return [6, 7];
  if (word === 'daily' || word === 'everyday') return [...EVERY_DAY];
  const range = /^([a-z]+)-([a-z]+)$/.exec(word);
  if (range) {
    const [, fromWord = '', toWord = ''] = range;
    const [from, to] = [dayOf(fromWord), dayOf(toWord)];
    if (from === undefined || to === undefined) return undefined;
    const out: number[] = [];
    for (let d = from; ; d = (d % 7) + 1) {
      out.push(d);
      if (d === to) break;
    }
    return out;
  }
  const one = dayOf(word);
  return one === undefined ? undefined : [one];
}

const FILLER = new Set(['at', 'in', 'on', 'and', 'time', 'zone', 'tz', 'only', 'local']);
const AMPM = /^(a\.?m\.?|p\.?m\.?)$/i;
const quote = (s: string) => `"${s.length > 40 ? `${s.slice(0, 40)}…` : s}"`;

/** Reads the digest command. Pure: nothing is stored or looked up beyond the zone list. */
export function parseDigestSetting(text: string): DigestSetting {
  const all = text.trim().replace(/^\/?digest\b[:,]?/i, '').trim().split(/[\s,;]+/).filter(Boolean);
  const here = all.some((w) => w.toLowerCase() === 'here');
  const words = all.filter((w) => w.toLowerCase() !== 'here');
  const first = words[0]?.toLowerCase();
  if (first === undefined ? !here : ['show', 'status', 'settings', '?', 'what', 'when'].includes(first)) return { kind: 'show' };
  if (first && ['off', 'stop', 'disable', 'none', 'remove', 'cancel'].includes(first) && words.length === 1) return { kind: 'off' };
  if (!here && !startsWithTime(words)) {
    return { kind: 'error', message: `I did not understand ${quote(all.join(' '))}. Say ${EXAMPLE} to post the digest in this channel at 8:00 Chicago time on weekdays, \`off\` to stop it, or \`show\` to see what is set.` };
  }

  let localTime: string | undefined;
  let zone: string | undefined;
  const days = new Set<number>();
  const addDays = (d: number[]) => { for (const x of d) days.add(x); };
  // Read word by word; a word that belongs to the one before (the "pm" of "8 pm", the "day" of "every day") is taken off too.
  const queue = [...words];
  let raw: string | undefined;
  while ((raw = queue.shift()) !== undefined) {
    const word = raw.toLowerCase();
    const next = queue[0];
    const withHalf = next && AMPM.test(next) ? `${raw} ${next}` : undefined;
    if (withHalf && /\d/.test(raw)) {
      const t = parseLocalTime(withHalf);
      if (!t) return badTime(withHalf);
      if (localTime) return { kind: 'error', message: `Two times were given (${localTime} and ${t}): the digest posts once a day. Say one, e.g. ${EXAMPLE}.` };
      localTime = t;
      queue.shift();
      continue;
    }
    if (/^\d/.test(word)) {
      const t = parseLocalTime(raw);
      if (!t) return badTime(raw);
      if (localTime) return { kind: 'error', message: `Two times were given (${localTime} and ${t}): the digest posts once a day. Say one, e.g. ${EXAMPLE}.` };
      localTime = t;
      continue;
    }
    if (FILLER.has(word)) continue;
    if (word === 'every' || word === 'each') {
      if (next?.toLowerCase() === 'day') { addDays(EVERY_DAY); queue.shift(); }
      continue;
    }
    const d = daysOf(word);
    if (d) { addDays(d); continue; }
    const namedTime = word === 'noon' || word === 'midnight' ? parseLocalTime(word) : undefined;
    if (namedTime) {
      localTime = namedTime;
      continue;
    }
    const instead = own(ABBREVIATIONS, word);
    if (instead) {
      return { kind: 'error', message: `${quote(raw)} is not precise enough for a time zone (some abbreviations ignore daylight saving): say ${instead}, e.g. \`here 8:00 ${instead.split(' ')[0]}\`.` };
    }
    const z = raw.includes('/') || word === 'utc' || word === 'gmt' ? canonicalZone(raw) : undefined;
    if (z) {
      if (zone && zone !== z) return { kind: 'error', message: `Two time zones were given (${zone} and ${z}): say one.` };
      zone = z;
      continue;
    }
    if (raw.includes('/')) return { kind: 'error', message: `${quote(raw)} is not a time zone I know. Use the zone's name from the IANA list, e.g. ${ZONE_EXAMPLES}.` };
    const city = Intl.supportedValuesOf('timeZone').find((n) => n.toLowerCase().endsWith(`/${word}`));
    if (city) return { kind: 'error', message: `${quote(raw)} is not a time zone by itself: did you mean ${city}? e.g. \`here 8:00 ${city}\`.` };
    return { kind: 'error', message: `I did not understand ${quote(raw)}. Say ${EXAMPLE}; add \`every day\` or \`weekdays\` (the default) to choose the days.` };
  }

  const weekdays = days.size ? [...days].sort((a, b) => a - b) : [...WEEKDAYS];
  const missing: ('time' | 'zone')[] = [];
  if (!localTime) missing.push('time');
  if (!zone) missing.push('zone');
  if (localTime && zone) return { kind: 'set', localTime, zone, weekdays };
  const message = !localTime && !zone
    ? `At what time, and in which time zone? e.g. ${EXAMPLE} (zones such as ${ZONE_EXAMPLES}).`
    : !zone
      ? `Which time zone is this channel's ${localTime}? Say it with the time, e.g. \`here ${localTime} America/Chicago\` (zones such as ${ZONE_EXAMPLES}).`
      : `At what time in ${zone}? e.g. \`here 8:00 ${zone}\`.`;
  const out: DigestSetting = { kind: 'incomplete', missing, weekdays, message };
  if (localTime) out.localTime = localTime;
  if (zone) out.zone = zone;
  return out;
}

/** True when the words begin with a time of day: "8:00", "7:30am", or "8" then "pm". */
function startsWithTime([first, second]: string[]): boolean {
  if (first === undefined) return false;
  return parseLocalTime(first) !== undefined || (second !== undefined && AMPM.test(second) && parseLocalTime(`${first} ${second}`) !== undefined);
}

function badTime(raw: string): DigestSetting {
  const bare = /^\d{1,2}$/.test(raw.trim());
  return {
    kind: 'error',
    message: bare
      ? `${quote(raw)}: morning or evening? Say ${raw}:00 (24-hour), ${raw}am or ${raw}pm.`
      : `${quote(raw)} is not a time of day: say it like 8:00, 7:30am or 16:45.`,
  };
}

const DAY_SHORT = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** How a schedule reads back: "08:00 America/Chicago, weekdays". */
export function describeSchedule(s: { localTime: string; zone: string; weekdays: number[] }): string {
  const d = [...new Set(s.weekdays)].sort((a, b) => a - b);
  const days = d.join('') === '12345' ? 'weekdays' : d.join('') === '1234567' ? 'every day' : d.join('') === '67' ? 'weekends' : d.map((x) => DAY_SHORT[x]).join(' ');
  return `${s.localTime} ${s.zone}, ${days}`;
}
