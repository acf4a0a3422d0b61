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
import { PgUnitOfWork } from './unit-of-work.js';

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
  readonly unitOfWork: PgUnitOfWork;

  constructor(readonly db: PgDb) {
    this.sessions = new PgSessionStore(db);
    this.cases = new PgCaseStore(db);
    this.inbox = new PgInboxStore(db);
    this.references = new PgReferenceStore(db);
    this.claims = new PgClaimStore(db);
    this.claimReports = new PgClaimReportStore(db);
    this.digests = new PgDigestStore(db);
    this.letters = new PgLetterStore(db);
    this.icd10 = new PgIcd10Store(db);
    this.held = new PgHeldStore(db);
    this.installations = new PgInstallationStore(db);
    this.unitOfWork = new PgUnitOfWork(db, () => this);
  }

  /** Resolves once the schema is up to date (it is brought up to date on open); rejects with why not. */
  opened(): Promise<void> {
    return this.db.opened();
  }

  async check(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

/** Opens the database at `url` (postgres://user:password@host:port/name, or ?host=/a/socket/folder); migrations start at once. */
export function openPostgresStorage(url: string, opts: { maxConnections?: number } = {}): PostgresStorage {
  return new PostgresStorage(new PgDb(url, opts.maxConnections));
}

