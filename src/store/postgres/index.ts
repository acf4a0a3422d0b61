/**
 * PostgreSQL behind the storage ports (MEDBILL_DATABASE_URL=postgres://…): `openPostgresStorage(url)` opens a
 * pool, brings the schema up to date (the same numbered steps as SQLite: src/store/migrations.ts) and gives
 * every store. Several medbill processes can share one database: every write that must happen once is one
 * conditional statement or a transaction on one connection.
 */
import type { Storage } from '../storage.js';
import { PgDb } from './db.js';
import { PgSessionStore } from './sessions.js';
import { PgCaseStore } from './cases.js';
import { PgInboxStore } from './inbox.js';
import { PgReferenceStore } from './references.js';
import { PgClaimStore } from './claims.js';
import { PgClaimReportStore } from './claim-reports.js';
import { PgDigestStore } from './digest.js';
import { PgLetterStore } from './letters.js';
import { PgIcd10Store } from './icd10.js';
import { PgHeldStore } from './held.js';
import { PgInstallationStore } from './installations.js';
import { PgSettingsStore } from './settings.js';
import { PgUnitOfWork } from './unit-of-work.js';
import { checkPracticeId, DEFAULT_PRACTICE } from '../settings.js';

export class PostgresStorage implements Storage {
  readonly sessions: PgSessionStore;
  readonly cases: PgCaseStore;
  readonly inbox: PgInboxStore;
  readonly references: PgReferenceStore;
  readonly claims: PgClaimStore;
  readonly claimReports: PgClaimReportStore;
  readonly digests: PgDigestStore;
  readonly letters: PgLetterStore;
  readonly icd10: PgIcd10Store;
  readonly held: PgHeldStore;
  readonly installations: PgInstallationStore;
  readonly settings: PgSettingsStore;
  readonly unitOfWork: PgUnitOfWork;
  /** The views of every practice made so far over this pool (this one's among them). */
  private readonly views: Map<string, PostgresStorage>;

  constructor(readonly db: PgDb, readonly practiceId: string = DEFAULT_PRACTICE, of?: PostgresStorage) {
    checkPracticeId(practiceId);
    this.sessions = new PgSessionStore(db, practiceId);
    this.cases = new PgCaseStore(db, practiceId);
    this.inbox = new PgInboxStore(db, practiceId);
    this.references = new PgReferenceStore(db, practiceId);
    this.claims = new PgClaimStore(db, practiceId);
    this.claimReports = new PgClaimReportStore(db, practiceId);
    this.digests = new PgDigestStore(db, practiceId);
    this.letters = new PgLetterStore(db, practiceId);
    this.icd10 = of ? of.icd10 : new PgIcd10Store(db);
    this.held = new PgHeldStore(db, practiceId);
    this.settings = new PgSettingsStore(db, practiceId);
    this.installations = of ? of.installations : new PgInstallationStore(db);
    this.unitOfWork = new PgUnitOfWork(db, () => this);
    this.views = of ? of.views : new Map([[practiceId, this]]);
  }

  practice(id: string): PostgresStorage {
    const known = this.views.get(id);
    if (known) return known;
    const view = new PostgresStorage(this.db, id, this);
    this.views.set(id, view);
    return view;
  }

  async digestPractices(): Promise<string[]> {
    return (await this.db.query<{ practice: string }>('SELECT DISTINCT practice FROM digest_channels ORDER BY practice')).rows.map((r) => r.practice);
  }

  async purgeExpiredSessions(now: number): Promise<number> {
    return (await this.db.query('DELETE FROM sessions WHERE expires_at <= $1', [now])).rowCount ?? 0;
  }

  async purgeDigestRuns(before: string): Promise<number> {
    // One statement: the runs and their parts go together (as in SQLite's transaction), in one round trip.
    const sql = 'WITH parts AS (DELETE FROM digest_parts WHERE local_date < $1) DELETE FROM digest_runs WHERE local_date < $1';
    return (await this.db.query(sql, [before])).rowCount ?? 0;
  }

  /** Resolves once the schema is up to date (it is brought up to date on open); rejects with why not. */
  opened(): Promise<void> {
    return this.db.opened();
  }

  async check(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  /** Ends the pool, which every practice's view shares. */
  async close(): Promise<void> {
    await this.db.close();
  }
}

/** Opens the database at `url` (postgres://user:password@host:port/name, or ?host=/a/socket/folder); migrations start at once. */
export function openPostgresStorage(url: string, opts: { maxConnections?: number } = {}): PostgresStorage {
  return new PostgresStorage(new PgDb(url, opts.maxConnections));
}

