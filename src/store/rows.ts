/**
 * The sessions', the cases', the digest's, the letters', the held things' and the installations' rows as both SQL stores
 * read them (src/store/sqlite, src/store/postgres; the claims' are in claim-rows.ts). No SQL here.
 */
import type { ChannelAddress } from './address.js';
import { decodeWeekdays, type DigestChannel, type DigestPart, type DigestRun } from './digest.js';
import type { HeldThing } from './held.js';
import type { StoredLetter } from './letters.js';
import type { Installation } from './installations.js';
import type { SessionRow } from './sessions.js';
import type { CaseFile } from './cases.js';

export interface SessionRawRow { key: string; flow: string; flow_version: number; state: string; history: string; version: number; updated_at: number; expires_at: number }

export function toSession<S>(row: SessionRawRow): SessionRow<S> {
  return {
    key: row.key, flow: row.flow, flowVersion: row.flow_version, state: JSON.parse(row.state) as S,
    history: JSON.parse(row.history) as S[], version: row.version, updatedAt: row.updated_at, expiresAt: row.expires_at,
  };
}

/** A case as both stores select it (columns already named as CaseFile's fields), its facts still JSON. */
export interface CaseRow { caseId: string; owner: string; procedure: string; lane: string; updatedAt: number; facts: string | null }

export function toCaseFile(row: CaseRow): CaseFile {
  return { caseId: row.caseId, owner: row.owner, procedure: row.procedure, lane: row.lane, updatedAt: row.updatedAt, facts: row.facts ? (JSON.parse(row.facts) as Record<string, unknown>) : {} };
}

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

export interface PartRow { part: number; of: number; message: string }

export function toPart(r: PartRow): DigestPart {
  return { part: r.part, of: r.of, messageId: r.message };
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

/** The held thing if `owner` may have it: one offered to a person is for that person alone (see HeldStore.get). */
export function heldFor(r: HeldRow | undefined, owner: string | undefined): HeldThing | undefined {
  return r && (r.owner === null || r.owner === owner) ? toHeld(r) : undefined;
}

export interface InstallationRow {
  key: string; team_id: string | null; enterprise_id: string | null; is_enterprise_install: number | boolean;
  bot_user_id: string; bot_id: string | null; app_id: string; scopes: string; installed_at: number; bot_token: string;
}

export function toInstallation(r: InstallationRow): Installation {
  return {
    key: r.key, isEnterpriseInstall: Boolean(r.is_enterprise_install), botUserId: r.bot_user_id, appId: r.app_id,
    scopes: r.scopes ? r.scopes.split(',') : [], installedAt: r.installed_at, sealedBotToken: r.bot_token,
    ...(r.team_id !== null ? { teamId: r.team_id } : {}), ...(r.enterprise_id !== null ? { enterpriseId: r.enterprise_id } : {}), ...(r.bot_id !== null ? { botId: r.bot_id } : {}),
  };
}

/** The row's values in the column order of INSERT (key, team_id, enterprise_id, is_enterprise_install, bot_user_id, bot_id, app_id, scopes, installed_at, bot_token). */
export function installationValues(i: Installation, flag: (b: boolean) => unknown): unknown[] {
  return [i.key, i.teamId ?? null, i.enterpriseId ?? null, flag(i.isEnterpriseInstall), i.botUserId, i.botId ?? null, i.appId, i.scopes.join(','), i.installedAt, i.sealedBotToken];
}
