/**
 * The practice settings port: a practice's own zone, follow-up days and appeal windows (overlaying
 * knowledge/followup.json: src/claims/practice-policy.ts), one row per practice, as the practice's view of
 * the storage sees it. The store keeps what it is given; `medbill practice set` validates it.
 */

export interface PracticeSettings {
  /** The practice's IANA zone: its default local date (a digest channel's own zone still wins there). */
  zone?: string;
  /** followup.json's followUp days: the first follow-up after submission, and each one after. */
  followUp?: { first?: number; repeat?: number };
  /** Appeal windows in days by the claim kinds followup.json's appealDeadlines names (medicare, commercial, dental, …). */
  appeal?: Record<string, number>;
}

export interface StoredSettings { settings: PracticeSettings; updatedAt: number }

export interface SettingsStore {
  /** This practice's settings, or undefined when none were ever set. */
  get(): Promise<StoredSettings | undefined>;
  /** Replaces this practice's settings. */
  put(settings: PracticeSettings, now: number): Promise<void>;
}

/** A practice id: letters, digits and : _ . - (Slack's "slack:T0123", a Teams tenant GUID), at most 100. */
export const PRACTICE_ID = /^[A-Za-z0-9:_.-]{1,100}$/;

/** The practice every single-practice medbill has always been: rows from before practices are its. */
export const DEFAULT_PRACTICE = 'default';

/** The id, checked; throws a RangeError naming what is allowed. */
export function checkPracticeId(id: string): string {
  if (!PRACTICE_ID.test(id)) throw new RangeError(`"${id.slice(0, 120)}" is not a practice id: 1 to 100 letters, digits, or : _ . -`);
  return id;
}
