/** The one place that opens SQLite: WAL mode, busy timeout, and migrations applied in order on open. */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

/** Each migration runs once, in order; `user_version` records how far a database has come. */
const MIGRATIONS: string[] = [
  `CREATE TABLE icd10cm_codes (
     code TEXT PRIMARY KEY,          -- dotted, e.g. K08.3
     title TEXT NOT NULL,            -- official long title ('' when imported from a codes-only list)
     billable INTEGER NOT NULL       -- 1 valid for claims, 0 header
   ) WITHOUT ROWID;
   CREATE TABLE icd10cm_import (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     file TEXT NOT NULL, format TEXT NOT NULL, count INTEGER NOT NULL, imported_at TEXT NOT NULL
   );`,
  // Word search over the official titles; kept beside the codes table by replaceIcd10.
  `CREATE VIRTUAL TABLE icd10cm_titles USING fts5(code UNINDEXED, title);`,
  // One conversation per person per place (see src/store/sessions.ts). No patient identifiers are ever
  // written here: messages are scrubbed before any flow sees them.
  `CREATE TABLE sessions (
     key TEXT PRIMARY KEY,           -- platform:tenant:conversation:user
     flow TEXT NOT NULL,             -- the active flow id
     flow_version INTEGER NOT NULL,  -- the flow's version when the session started
     state TEXT NOT NULL,            -- JSON: step, slots, case id
     history TEXT NOT NULL,          -- JSON: earlier states, for "back"
     version INTEGER NOT NULL,       -- bumped on every write
     updated_at INTEGER NOT NULL,    -- ms since epoch
     expires_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX sessions_expiry ON sessions (expires_at);`,
  // Cases answered, per person, for "your recent cases" (src/store/cases.ts). Codes and lanes only.
  `CREATE TABLE cases (
     case_id TEXT PRIMARY KEY,
     owner TEXT NOT NULL,            -- the session key of the person who asked
     procedure TEXT NOT NULL,        -- as typed or chosen (identifiers already scrubbed), at most 80 characters
     lane TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX cases_owner ON cases (owner, updated_at);
   -- Platform event ids already handled (Slack retries re-deliver them); dropped by a later migration (the inbox deduplicates now).
   CREATE TABLE seen_events (
     id TEXT PRIMARY KEY,            -- platform:event id
     seen_at INTEGER NOT NULL
   ) WITHOUT ROWID;`,
  // The inbox (src/store/inbox.ts): every incoming event is written here before it is acknowledged, and
  // processed from here, so an acknowledged message survives a crash. The turn is stored already screened
  // (identifiers removed); the route holds platform ids only. Done rows keep only their id, a day, for deduplication.
  `CREATE TABLE inbox (
     seq INTEGER PRIMARY KEY,        -- arrival order
     event_id TEXT NOT NULL UNIQUE,  -- platform:tenant:event id (Slack: event_id, or the request signature)
     session_key TEXT NOT NULL,      -- whose turn: turns of one person are applied in arrival order
     turn TEXT NOT NULL,             -- JSON: the screened turn
     route TEXT NOT NULL,            -- JSON: where the adapter delivers the answer
     status TEXT NOT NULL CHECK (status IN ('pending', 'answered', 'done')),
     replies TEXT,                   -- JSON: the answer, kept from the turn's commit until it is delivered
     received_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX inbox_open ON inbox (status) WHERE status <> 'done';
   CREATE INDEX inbox_done ON inbox (updated_at) WHERE status = 'done';`,
  // Conversation references (src/store/references.ts): how to reach a person's DM or a channel without an
  // incoming message (the digest, a letter finished later). Platform ids only; Teams keeps its service URL.
  `CREATE TABLE conversation_refs (
     address TEXT PRIMARY KEY,       -- platform:tenant:dm:user or platform:tenant:channel:id
     platform TEXT NOT NULL,
     ref TEXT NOT NULL,              -- JSON: what the platform needs to write there
     updated_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX conversation_refs_platform ON conversation_refs (platform);
   -- A case's facts outlive the session (letters and claims refer to the case by ID); no identifiers.
   ALTER TABLE cases ADD COLUMN facts TEXT;`,
  // Event ids are deduplicated by the inbox now (its event_id is unique), so this table is no longer used.
  `DROP TABLE seen_events;`,
];

export function openDb(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

function migrate(db: Db) {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

/** Throws if the database cannot answer a query (for /healthz). */
export function checkDb(db: Db): void {
  db.prepare('SELECT 1').get();
}
