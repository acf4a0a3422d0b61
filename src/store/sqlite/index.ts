/**
 * SQLite behind the storage ports: `openSqliteStorage(path)` opens the file (migrating it) and gives every
 * store. Each store prepares its statements on first use, so a command that reads one table (a cold triage)
 * prepares nothing else.
 */
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
import { Checkpointer } from './checkpointer.js';

export class SqliteStorage implements Storage {
  private sessionStore?: SqliteSessionStore;
  private caseStore?: SqliteCaseStore;
  private inboxStore?: SqliteInboxStore;
  private referenceStore?: SqliteReferenceStore;
  private claimStore?: SqliteClaimStore;
  private reportStore?: SqliteClaimReportStore;
  private digestStore?: SqliteDigestStore;
  private letterStore?: SqliteLetterStore;
  private icd10Store?: SqliteIcd10Store;
  private heldStore?: SqliteHeldStore;
  private installationStore?: SqliteInstallationStore;
  readonly unitOfWork: SqliteUnitOfWork;
  /** The WAL checkpoint thread of a long-running process (see checkpointer.ts); started by the first commit. */
  readonly checkpointer: Checkpointer | undefined;

  constructor(readonly db: Db, opts: SqliteOptions = {}) {
    this.checkpointer = opts.checkpointThread && db.name !== ':memory:' ? new Checkpointer(db, db.name) : undefined;
    const checkpointer = this.checkpointer;
    this.unitOfWork = new SqliteUnitOfWork(db, () => this, checkpointer ? () => checkpointer.start() : undefined);
  }

  get sessions(): SqliteSessionStore { return (this.sessionStore ??= new SqliteSessionStore(this.db)); }
  get cases(): SqliteCaseStore { return (this.caseStore ??= new SqliteCaseStore(this.db)); }
  get inbox(): SqliteInboxStore { return (this.inboxStore ??= new SqliteInboxStore(this.db)); }
  get references(): SqliteReferenceStore { return (this.referenceStore ??= new SqliteReferenceStore(this.db)); }
  get claims(): SqliteClaimStore { return (this.claimStore ??= new SqliteClaimStore(this.db)); }
  get claimReports(): SqliteClaimReportStore { return (this.reportStore ??= new SqliteClaimReportStore(this.db)); }
  get digests(): SqliteDigestStore { return (this.digestStore ??= new SqliteDigestStore(this.db)); }
  get letters(): SqliteLetterStore { return (this.letterStore ??= new SqliteLetterStore(this.db)); }
  get icd10(): SqliteIcd10Store { return (this.icd10Store ??= new SqliteIcd10Store(this.db)); }
  get held(): SqliteHeldStore { return (this.heldStore ??= new SqliteHeldStore(this.db)); }
  get installations(): SqliteInstallationStore { return (this.installationStore ??= new SqliteInstallationStore(this.db)); }

  async check(): Promise<void> {
    checkDb(this.db);
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    this.db.close();
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
