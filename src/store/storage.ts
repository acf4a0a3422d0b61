/**
 * Everything medbill keeps, behind its ports: one object the composition root opens once and hands down.
 * src/store/sqlite and src/store/postgres implement it. A Storage is one practice's view (the one opened is
 * practice 'default'): every store reads and writes that practice's rows only, and `practice(id)` gives
 * another practice's view over the same connection. The ICD-10-CM list and the inbox are the deployment's.
 */
import type { CaseStore } from './cases.js';
import type { ClaimReportStore } from './claim-reports.js';
import type { ClaimStore } from './claims.js';
import type { DigestStore } from './digest.js';
import type { HeldStore } from './held.js';
import type { Icd10Store } from './icd10.js';
import type { InboxStore } from './inbox.js';
import type { InstallationStore } from './installations.js';
import type { LetterStore } from './letters.js';
import type { ReferenceStore } from './references.js';
import type { SessionStore } from './sessions.js';
import type { SettingsStore } from './settings.js';
import type { UnitOfWork } from './unit-of-work.js';

export interface Storage {
  readonly sessions: SessionStore;
  readonly cases: CaseStore;
  readonly inbox: InboxStore;
  readonly references: ReferenceStore;
  readonly claims: ClaimStore;
  readonly claimReports: ClaimReportStore;
  readonly digests: DigestStore;
  readonly letters: LetterStore;
  readonly icd10: Icd10Store;
  readonly held: HeldStore;
  /** The chat app's installations into workspaces: deployment-wide, not scoped by practice. */
  readonly installations: InstallationStore;
  readonly settings: SettingsStore;
  readonly unitOfWork: UnitOfWork;
  /** This view's practice ('default' for the storage as opened). */
  readonly practiceId: string;
  /** The same ports scoped to practice `id`, over the same connection (cached; throws on a malformed id). */
  practice(id: string): Storage;
  /** Deployment-wide: the practices that have at least one digest channel (for the digest scheduler), sorted. */
  digestPractices(): Promise<string[]>;
  /**
   * Deployment-wide: drops every practice's sessions quiet past their expiry, also those of a practice whose
   * people stopped writing (a session may hold a case's facts); returns how many.
   */
  purgeExpiredSessions(now: number): Promise<number>;
  /**
   * Deployment-wide: drops every practice's digest runs (and their parts) of local dates before `before`
   * ('YYYY-MM-DD'), also those of a practice that has no digest channel any more; returns how many runs.
   */
  purgeDigestRuns(before: string): Promise<number>;
  /** Throws when the database cannot answer (for /healthz). */
  check(): Promise<void>;
  close(): Promise<void>;
}
