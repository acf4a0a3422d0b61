/**
 * Everything medbill keeps, behind its ports: one object the composition root opens once and hands down.
 * src/store/sqlite implements it today (openSqliteStorage); a server database implements the same ports.
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
  readonly unitOfWork: UnitOfWork;
  /** Throws when the database cannot answer (for /healthz). */
  check(): Promise<void>;
  close(): Promise<void>;
}
