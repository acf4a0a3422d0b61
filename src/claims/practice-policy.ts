/**
 * A practice's claim policy: knowledge/followup.json with the practice's own settings laid over it (its
 * follow-up days, its appeal windows by claim kind; `medbill practice set`). What the practice did not set
 * stays as followup.json has it, with its basis and sources; what it set says so in its basis.
 */
import type { ClaimKnowledge, FollowUpPolicy, PolicySetting } from '../knowledge/followup-denials.js';
import { CLAIM_PAYER_KINDS, type ClaimPayerKind } from '../knowledge/vocabulary.js';
import type { PracticeSettings } from '../store/settings.js';

/** The follow-up settings a practice can set, by the names `medbill practice set --follow-up` takes. */
export const FOLLOW_UP_SETTINGS = { first: 'firstAfterSubmissionDays', repeat: 'repeatEveryDays' } as const;
export type FollowUpSetting = keyof typeof FOLLOW_UP_SETTINGS;

export const MAX_FOLLOW_UP_DAYS = 365;
/** followup.json's own limit for an appeal window. */
export const MAX_APPEAL_DAYS = 730;

export const isClaimKind = (k: string): k is ClaimPayerKind => (CLAIM_PAYER_KINDS as readonly string[]).includes(k);
export const isFollowUpSetting = (k: string): k is FollowUpSetting => Object.hasOwn(FOLLOW_UP_SETTINGS, k);

const practiceDays = (base: PolicySetting, days: number): PolicySetting => ({
  value: days, basis: `${days} days, set for this practice (knowledge/followup.json says ${base.value}: ${base.basis})`, source: base.source, confidence: base.confidence,
});

/** followup.json's policy with the practice's settings over it. */
export function practicePolicy(base: FollowUpPolicy, settings: PracticeSettings | undefined): FollowUpPolicy {
  if (!settings?.followUp && !settings?.appeal) return base;
  const followUp = { ...base.followUp };
  for (const [name, days] of Object.entries(settings.followUp ?? {})) {
    if (isFollowUpSetting(name) && typeof days === 'number') followUp[FOLLOW_UP_SETTINGS[name]] = practiceDays(base.followUp[FOLLOW_UP_SETTINGS[name]], days);
  }
  const appealDeadlines = { ...base.appealDeadlines };
  for (const [kind, days] of Object.entries(settings.appeal ?? {})) {
    if (!isClaimKind(kind)) continue;
    const rule = base.appealDeadlines[kind];
    appealDeadlines[kind] = { ...rule, days, basis: `${days} days, set for this practice (knowledge/followup.json says ${rule.days}: ${rule.basis})` };
  }
  return { ...base, followUp, appealDeadlines };
}

/** The claim knowledge with the practice's policy; the same object when the practice set nothing. */
export function practiceKnowledge(base: ClaimKnowledge, settings: PracticeSettings | undefined): ClaimKnowledge {
  const policy = practicePolicy(base.policy, settings);
  return policy === base.policy ? base : { ...base, policy };
}
