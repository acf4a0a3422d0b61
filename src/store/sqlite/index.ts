/**
 * SQLite behind the storage ports: `openSqliteStorage(path)` opens the file (migrating it) and gives every
 * store. Each store prepares its statements on first use, so a command that reads one table (a cold triage)
 * prepares nothing else.
 */
import type Database from 'better-sqlite3';
import type { Storage } from '../storage.js';
import { checkDb, openDb, type Db } from './db.js';
import { SqliteSessionStore } from './sessions.js';
import { SqliteCaseStore } from './cases.js';
import { SqliteInboxStore } from './inbox.js';
import { SqliteReferenceStore } from './references.js';
import { SqliteClaimStore } from './claims.js';
import { SqliteClaimReportStore } from './claim-reports.js';
import { SqliteDigestStore } from './digest.js';
import { SqliteLetterStore } from './letters.js';
import { SqliteIcd10Store } from './icd10.js';
import { SqliteHeldStore } from './held.js';
import { SqliteInstallationStore } from './installations.js';
import { SqliteUnitOfWork } from './unit-of-work.js';
import { SqliteSettingsStore } from './settings.js';
import { Checkpointer } from './checkpointer.js';
import { checkPracticeId, DEFAULT_PRACTICE } from '../settings.js';

export class SqliteStorage implements Storage {
  private sessionStore?: SqliteSessionStore;
  private caseStore?: SqliteCaseStore;
  private inboxStore?: SqliteInboxStore;
  private referenceStore?: SqliteReferenceStore;
  private claimStore?: SqliteClaimStore;
  private reportStore?: SqliteClaimReportStore;
  private digestStore?: SqliteDigestStore;
  private letterStore?: SqliteLetterStore;
  private heldStore?: SqliteHeldStore;
  private settingsStore?: SqliteSettingsStore;
  private digestPracticesStmt?: Database.Statement<[], string>;
  readonly unitOfWork: SqliteUnitOfWork;
  /** The WAL checkpoint thread of a long-running process (see checkpointer.ts); started by the first commit. */
  readonly checkpointer: Checkpointer | undefined;
  /** What every practice's view of this connection shares: the deployment-wide stores and the views made so far. */
  private readonly shared: { icd10?: SqliteIcd10Store; installations?: SqliteInstallationStore; views: Map<string, SqliteStorage> };

  constructor(readonly db: Db, opts: SqliteOptions = {}, readonly practiceId: string = DEFAULT_PRACTICE, of?: SqliteStorage) {
    checkPracticeId(practiceId);
    this.checkpointer = of ? of.checkpointer : opts.checkpointThread && db.name !== ':memory:' ? new Checkpointer(db, db.name) : undefined;
    this.shared = of ? of.shared : { views: new Map([[practiceId, this]]) };
    const checkpointer = this.checkpointer;
    this.unitOfWork = new SqliteUnitOfWork(db, () => this, checkpointer ? () => checkpointer.start() : undefined);
  }

  get sessions(): SqliteSessionStore { return (this.sessionStore ??= new SqliteSessionStore(this.db, this.practiceId)); }
  get cases(): SqliteCaseStore { return (this.caseStore ??= new SqliteCaseStore(this.db, this.practiceId)); }
  get inbox(): SqliteInboxStore { return (this.inboxStore ??= new SqliteInboxStore(this.db, this.practiceId)); }
  get references(): SqliteReferenceStore { return (this.referenceStore ??= new SqliteReferenceStore(this.db, this.practiceId)); }
  get claims(): SqliteClaimStore { return (this.claimStore ??= new SqliteClaimStore(this.db, this.practiceId)); }
  get claimReports(): SqliteClaimReportStore { return (this.reportStore ??= new SqliteClaimReportStore(this.db, this.practiceId)); }
  get digests(): SqliteDigestStore { return (this.digestStore ??= new SqliteDigestStore(this.db, this.practiceId)); }
  get letters(): SqliteLetterStore { return (this.letterStore ??= new SqliteLetterStore(this.db, this.practiceId)); }
  get icd10(): SqliteIcd10Store { return (this.shared.icd10 ??= new SqliteIcd10Store(this.db)); }
  get held(): SqliteHeldStore { return (this.heldStore ??= new SqliteHeldStore(this.db, this.practiceId)); }
  get installations(): SqliteInstallationStore { return (this.shared.installations ??= new SqliteInstallationStore(this.db)); }
  get settings(): SqliteSettingsStore { return (this.settingsStore ??= new SqliteSettingsStore(this.db, this.practiceId)); }

  practice(id: string): SqliteStorage {
    const known = this.shared.views.get(id);
    if (known) return known;
    const view = new SqliteStorage(this.db, {}, id, this);
    this.shared.views.set(id, view);
    return view;
  }

  async digestPractices(): Promise<string[]> {
    // Asked on every tick of the digest scheduler: prepared once, on first use.
    this.digestPracticesStmt ??= this.db.prepare<[], string>('SELECT DISTINCT practice FROM digest_channels ORDER BY practice').pluck(true);
    return this.digestPracticesStmt.all();
  }

  async purgeExpiredSessions(now: number): Promise<number> {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes;
  }

  async purgeDigestRuns(before: string): Promise<number> {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM digest_parts WHERE local_date < ?').run(before);
      return this.db.prepare('DELETE FROM digest_runs WHERE local_date < ?').run(before).changes;
    }).immediate();
  }

  async check(): Promise<void> {
    checkDb(this.db);
  }

  /** Closes the connection, which every practice's view shares. */
  async close(): Promise<void> {
    await this.checkpointer?.stop();
    if (this.db.open) this.db.close();
  }
}

export interface SqliteOptions {
  /**
   * Checkpoint the write-ahead log on a thread of its own instead of inside commits: for a process that serves
   * requests (the chat, the server), not for a command that writes once and exits.
   */
  checkpointThread?: boolean;
}

/** Opens (creating and migrating) the SQLite file at `path`; ':memory:' for a database that lives in the process. */
export function openSqliteStorage(path: string, opts: SqliteOptions = {}): SqliteStorage {
  return new SqliteStorage(openDb(path), opts);
}
