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

export { PRACTICE_ID, DEFAULT_PRACTICE, checkPracticeId } from '../practice-id.js';
