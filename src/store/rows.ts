/**
 * The digest's, the letters' and the held things' rows as both SQL stores read them (src/store/sqlite,
 * src/store/postgres; the claims' are in claim-rows.ts). No SQL here.
 */
import type { ChannelAddress } from './address.js';
import { decodeWeekdays, type DigestChannel, type DigestRun } from './digest.js';
import type { HeldThing } from './held.js';
import type { StoredLetter } from './letters.js';

export interface ChannelRow { address: string; target: string; local_time: string; zone: string; weekdays: string; updated_at: number }
export interface RunRow { address: string; local_date: string; owner: string; lease_until: number; sent_at: number | null; message: string | null }

export function toChannel(r: ChannelRow): DigestChannel {
  return { key: r.address, target: JSON.parse(r.target) as ChannelAddress, localTime: r.local_time, zone: r.zone, weekdays: decodeWeekdays(r.weekdays), updatedAt: r.updated_at };
}

export function toRun(r: RunRow): DigestRun {
  const run: DigestRun = { key: r.address, localDate: r.local_date, owner: r.owner, leaseUntil: r.lease_until };
  if (r.sent_at !== null) run.sentAt = r.sent_at;
  if (r.message !== null) run.messageId = r.message;
  return run;
}

export interface LetterRow { case_id: string; template_id: string; template_version: number; facts: string; narrative: string | null; owner: string; updated_at: number }

export function toLetter(r: LetterRow): StoredLetter {
  const letter: StoredLetter = {
    caseId: r.case_id, templateId: r.template_id, templateVersion: r.template_version, facts: JSON.parse(r.facts) as Record<string, string>,
    owner: r.owner, updatedAt: r.updated_at,
  };
  if (r.narrative !== null) letter.narrative = JSON.parse(r.narrative) as string[];
  return letter;
}

export interface HeldRow { kind: string; bytes: Buffer; name: string | null; media_type: string | null; owner: string | null; until: number }

export function toHeld(r: HeldRow): HeldThing {
  return {
    kind: r.kind, bytes: r.bytes, until: r.until,
    ...(r.name !== null ? { name: r.name } : {}), ...(r.media_type !== null ? { mediaType: r.media_type } : {}), ...(r.owner !== null ? { owner: r.owner } : {}),
  };
}
