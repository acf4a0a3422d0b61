/**
 * What is due on claims, from the command line: `medbill today` (the replies typing "today" gets, as text)
 * and `medbill digest --preview [--channel PLATFORM:CHANNEL]` (the daily digest as the scheduler would post
 * it, posted nowhere). Both read MEDBILL_DB and never create it; "today" is the practice's date
 * (MEDBILL_TIME_ZONE), or a named digest channel's own, by `todayIn` on the machine's clock.
 */
import { loadConfig, type Config } from '../config.js';
import { buildDigest, digestReplies } from '../claims/digest.js';
import { showDate } from '../claims/dates.js';
import type { DigestChannel, DigestChannelInput } from '../store/digest.js';
import { describeSchedule } from '../scheduler/digest-settings.js';
import type { ChannelAddress } from '../store/address.js';
import { systemClock, todayIn, type Clock } from '../today.js';
import { positionals, takeFlag, takeOneOption, UsageError, type Io } from '../command-line.js';
import { renderRepliesText } from '../reply-text.js';
import { configuredDigests } from './digest.js';
import { openBackOffice, type BackOffice } from './back-office.js';

/** MEDBILL_DB's claims and digest channels when it exists; else an empty database in memory, so nothing is created by looking. */
function openExisting(config: Config, clock: Clock): BackOffice {
  return openBackOffice(config, { existing: true, now: clock });
}

/** What is due on `date` (YYYY-MM-DD), as the chat's "today" and the scheduler's post show it. */
async function dueText(office: BackOffice, date: string): Promise<string> {
  await office.loadSettings(); // the practice's follow-up days and appeal windows
  const { claims } = office;
  return renderRepliesText(digestReplies(await buildDigest(claims.store, date, claims.kn.policy)));
}

export async function cmdToday(args: string[], io: Io, clock: Clock = systemClock): Promise<number> {
  const stray = positionals('today', args);
  if (stray.length) throw new UsageError(`today: unexpected ${stray[0]} (medbill today --help)`);
  const config = loadConfig();
  const office = openExisting(config, clock);
  try {
    // The practice's own zone (medbill practice set --zone), else MEDBILL_TIME_ZONE.
    const zone = (await office.loadSettings())?.zone ?? config.zone;
    io.out(await dueText(office, todayIn(zone, clock)));
    return 0;
  } finally {
    await office.close();
  }
}

/** A channel as it is written in MEDBILL_DIGEST and on the command line: slack:C0BILLING, teams:TENANT/19:…@thread.tacv2. */
export function channelName(a: ChannelAddress): string {
  return `${a.platform}:${a.tenant ? `${a.tenant}/` : ''}${a.channel}`;
}

type Scheduled = Pick<DigestChannel, 'localTime' | 'zone' | 'weekdays'> & { target: ChannelAddress };

/** The channels that get a digest: MEDBILL_DIGEST's (which `serve` sets at each start) over those set in chat. */
async function digestChannels(config: Config, office: BackOffice): Promise<Map<string, Scheduled>> {
  const channels = new Map<string, Scheduled>();
  for (const c of await office.digests.channels()) channels.set(channelName(c.target), c);
  const fromConfig: DigestChannelInput[] = configuredDigests(config.digestChannels);
  for (const c of fromConfig) channels.set(channelName(c.address), { ...c, target: c.address });
  return channels;
}

const DAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** ISO weekday (1 = Monday) of a YYYY-MM-DD date. */
function isoWeekday(date: string): number {
  return ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
}

export async function cmdDigest(args: string[], io: Io, clock: Clock = systemClock): Promise<number> {
  const { on: preview, rest: afterPreview } = takeFlag(args, '--preview');
  const { value: channel, rest } = takeOneOption(afterPreview, '--channel');
  const stray = positionals('digest', rest);
  if (stray.length) throw new UsageError(`digest: unexpected ${stray[0]} (medbill digest --help)`);
  if (!preview) throw new UsageError('digest needs --preview: medbill serve posts the digest at each channel\'s time; --preview prints it here and posts nothing');
  const config = loadConfig();
  const office = openExisting(config, clock);
  try {
    const practiceZone = (await office.loadSettings())?.zone;
    let zone = practiceZone ?? config.zone;
    let where = practiceZone ? `in ${zone} (the practice's zone, medbill practice set)` : `in ${config.zone} (the practice's zone, MEDBILL_TIME_ZONE)`;
    let days: number[] | undefined;
    if (channel !== undefined) {
      const channels = await digestChannels(config, office);
      const found = channels.get(channel);
      if (!found) {
        const names = [...channels.keys()].sort();
        throw new UsageError(`${channel} gets no digest (${names.length ? `these do: ${names.join(', ')}` : 'no channel does: set MEDBILL_DIGEST, or type "digest here 8:00 America/Chicago" in the channel'})`);
      }
      zone = found.zone;
      days = found.weekdays;
      where = `for ${channel} (${describeSchedule(found)})`;
    }
    const date = todayIn(zone, clock);
    io.out(await dueText(office, date));
    const weekday = isoWeekday(date);
    const off = days && !days.includes(weekday) ? ` ${channel ?? 'That channel'} gets no digest on ${DAY_NAMES[weekday] ?? 'that day'}s, so nothing would be posted there today.` : '';
    io.err(`The digest for ${showDate(date)} ${where}, as it would be posted; it was not posted.${off}`);
    return 0;
  } finally {
    await office.close();
  }
}
