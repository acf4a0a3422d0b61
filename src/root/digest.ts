/**
 * The daily digest in the running service: a scheduler that, for each channel set up with "digest here …",
 * builds what is due on claims for that channel's local date and posts it once through the outbound port
 * (Slack today; any platform whose adapter offers keyed posts).
 */
import type { House } from './house.js';
import type { Logger } from '../log.js';
import { DigestScheduler, defaultOwner } from '../scheduler/digest-scheduler.js';
import { buildDigest, digestReplies } from '../claims/digest.js';
import { parseDigestSetting } from '../scheduler/digest-settings.js';
import { ConfigError } from '../config.js';
import type { DigestChannelInput } from '../store/digest.js';
import { systemClock, type Clock } from '../today.js';

/**
 * MEDBILL_DIGEST: "PLATFORM:[TENANT/]CHANNEL TIME ZONE [DAYS]" entries separated by ";", e.g.
 * "slack:C0BILLING 8:00 America/Chicago; slack:T0TEAM/C0OTHER 7:30am America/New_York every day", or for
 * Teams "teams:TENANT-GUID/19:abc…@thread.tacv2 8:00 America/Chicago" (a channel id has colons and dots).
 * A bad entry stops the start with a message naming it.
 */
export function configuredDigests(text: string): DigestChannelInput[] {
  return text.split(';').map((e) => e.trim()).filter(Boolean).map((entry) => {
    const m = /^([a-z]+):(?:([A-Za-z0-9_-]+)\/)?([A-Za-z0-9_:@.-]+)\s+(.+)$/.exec(entry);
    if (!m) throw new ConfigError(`MEDBILL_DIGEST: "${entry}" is not PLATFORM:CHANNEL TIME ZONE, e.g. slack:C0BILLING 8:00 America/Chicago`);
    const [, platform = '', tenant, channel = '', schedule = ''] = m;
    const setting = parseDigestSetting(`here ${schedule}`);
    if (setting.kind !== 'set') throw new ConfigError(`MEDBILL_DIGEST: "${entry}": ${'message' in setting ? setting.message : 'give a time and a time zone'}`);
    return { address: { platform, ...(tenant ? { tenant } : {}), channel }, localTime: setting.localTime, zone: setting.zone, weekdays: setting.weekdays };
  });
}

/**
 * The house's digest scheduler, started: it posts through the house's way out, each channel's digest from its
 * practice's claims and policy, its runs leased in that practice's digest store.
 */
export async function startDigest(house: House, opts: { log: Logger; tickMs: number; now?: Clock; channels?: DigestChannelInput[] }): Promise<DigestScheduler> {
  const now = opts.now ?? systemClock;
  // Channels from the configuration are (re)set at each start, each in its practice; "digest here …" in chat changes them until the next.
  for (const c of opts.channels ?? []) await house.practiceOffice(house.practiceFor(c.address)).digests.setChannel(c, now());
  const scheduler = new DigestScheduler({
    store: house.digests,
    practices: { list: () => house.storage.digestPractices(), storeFor: (practice) => house.practiceOffice(practice).digests },
    owner: defaultOwner(),
    log: opts.log,
    now,
    publish: async (target, localDate, runKey, posted, onPart, practice) => {
      const office = house.practiceOffice(practice);
      await office.loadSettings(); // its follow-up days and appeal windows as set now
      const { claims } = office;
      const replies = digestReplies(await buildDigest(claims.store, localDate, claims.kn.policy));
      return house.outbound.sendKeyed(target, replies, { key: runKey, skip: new Set(posted.map((p) => p.part)), posted: onPart });
    },
    findPosted: (target, runKey) => house.outbound.findKeyed(target, runKey),
    purgeRuns: (before) => house.storage.purgeDigestRuns(before),
  });
  scheduler.start(opts.tickMs);
  return scheduler;
}
