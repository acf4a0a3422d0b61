/**
 * `medbill practice show|set`: MEDBILL_PRACTICE's own settings (src/store/settings.ts), validated here: a
 * zone as IANA names places, a follow-up setting or a claim kind followup.json knows, a whole number of days.
 */
import { loadConfig } from '../config.js';
import { positionals, takeOneOption, takeOption, UsageError, type Io } from '../command-line.js';
import { isPracticeZone, systemClock, type Clock } from '../today.js';
import type { PracticeSettings } from '../store/settings.js';
import { FOLLOW_UP_SETTINGS, isClaimKind, isFollowUpSetting, MAX_APPEAL_DAYS, MAX_FOLLOW_UP_DAYS, practicePolicy } from '../claims/practice-policy.js';
import { CLAIM_PAYER_KINDS } from '../knowledge/vocabulary.js';
import { openBackOffice } from './back-office.js';

/** "name=DAYS" (or name=default, to drop it): the name and the days, or a UsageError saying what is wrong. */
function namedDays<K extends string>(option: string, given: string, known: (name: string) => name is K, names: readonly string[], max: number): [K, number | undefined] {
  const m = /^([a-z-]+)=(\S+)$/.exec(given.trim());
  if (!m?.[1] || !m[2]) throw new UsageError(`${option} takes NAME=DAYS, e.g. ${option} ${names[0]}=30 (got "${given}")`);
  const [, name, value] = m;
  if (!known(name)) throw new UsageError(`${option}: unknown ${option === '--appeal' ? 'claim kind' : 'setting'} "${name}" (one of: ${names.join(', ')})`);
  if (value === 'default') return [name, undefined];
  const days = Number(value);
  if (!/^\d+$/.test(value) || days < 1 || days > max) throw new UsageError(`${option} ${name}: days must be a whole number from 1 to ${max} (got "${value}")`);
  return [name, days];
}

/** The settings `set` makes of `earlier` and its options. */
export function changedSettings(earlier: PracticeSettings, args: string[]): PracticeSettings {
  const zoneOpt = takeOneOption(args, '--zone');
  const follow = takeOption(zoneOpt.rest, '--follow-up');
  const appeal = takeOption(follow.rest, '--appeal');
  const stray = positionals('practice set', appeal.rest);
  if (stray.length) throw new UsageError(`practice set: unexpected ${stray[0]} (medbill practice --help)`);
  if (zoneOpt.value === undefined && !follow.values.length && !appeal.values.length) throw new UsageError('practice set needs --zone, --follow-up or --appeal (medbill practice --help)');
  const next: PracticeSettings = { ...earlier, followUp: { ...earlier.followUp }, appeal: { ...earlier.appeal } };
  if (zoneOpt.value !== undefined) {
    const zone = zoneOpt.value.trim();
    if (zone === 'default') delete next.zone;
    else if (isPracticeZone(zone)) next.zone = zone;
    else throw new UsageError(`--zone: "${zone}" is not an IANA time zone such as America/Chicago`);
  }
  for (const given of follow.values) {
    const [name, days] = namedDays('--follow-up', given, isFollowUpSetting, Object.keys(FOLLOW_UP_SETTINGS), MAX_FOLLOW_UP_DAYS);
    const followUp = next.followUp ?? {};
    if (days === undefined) delete followUp[name];
    else followUp[name] = days;
    next.followUp = followUp;
  }
  for (const given of appeal.values) {
    const [kind, days] = namedDays('--appeal', given, isClaimKind, CLAIM_PAYER_KINDS, MAX_APPEAL_DAYS);
    const windows = next.appeal ?? {};
    if (days === undefined) delete windows[kind];
    else windows[kind] = days;
    next.appeal = windows;
  }
  if (next.followUp && !Object.keys(next.followUp).length) delete next.followUp;
  if (next.appeal && !Object.keys(next.appeal).length) delete next.appeal;
  return next;
}

export async function cmdPractice(args: string[], io: Io, clock: Clock = systemClock): Promise<number> {
  const [verb, ...rest] = args;
  if (verb !== 'show' && verb !== 'set') throw new UsageError('practice takes show or set (medbill practice --help)');
  const config = loadConfig();
  const office = openBackOffice(config, { existing: verb === 'show', now: clock });
  try {
    const earlier = (await office.storage.settings.get())?.settings ?? {};
    let settings = earlier;
    if (verb === 'set') {
      settings = changedSettings(earlier, rest);
      await office.storage.settings.put(settings, clock());
    } else if (positionals('practice show', rest).length) throw new UsageError('practice show takes nothing more (medbill practice --help)');
    const policy = practicePolicy(office.shelf.claims().policy, settings);
    const mark = (set: boolean) => (set ? ' (set for this practice)' : ' (knowledge/followup.json)');
    const lines = [
      `Practice ${config.practice}${verb === 'set' ? ': saved' : ''}`,
      `  zone: ${settings.zone ?? `${config.zone} (MEDBILL_TIME_ZONE${config.zoneIsDefault ? ', not set: the default' : ''})`}`,
      `  first follow-up: ${policy.followUp.firstAfterSubmissionDays.value} days after submission${mark(settings.followUp?.first !== undefined)}`,
      `  follow-up after that: every ${policy.followUp.repeatEveryDays.value} days${mark(settings.followUp?.repeat !== undefined)}`,
      '  appeal windows:',
      ...CLAIM_PAYER_KINDS.map((k) => `    ${k}: ${policy.appealDeadlines[k].days} days${mark(settings.appeal?.[k] !== undefined)}`),
    ];
    io.out(lines.join('\n'));
    return 0;
  } finally {
    await office.close();
  }
}
