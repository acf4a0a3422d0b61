/**
 * The SQLite SQL of every schema step (the list and its order: src/store/migrations.ts). A step runs once, in
 * order; `user_version` records how far a database has come, as it always has, so a file made before the
 * shared list opens and upgrades as before.
 */
import type { DialectMigrations } from '../migrations.js';

export const SQLITE_MIGRATIONS: DialectMigrations = {
  'icd10-codes': `CREATE TABLE icd10cm_codes (
     code TEXT PRIMARY KEY,          -- dotted, e.g. K08.3
     title TEXT NOT NULL,            -- official long title ('' when imported from a codes-only list)
     billable INTEGER NOT NULL       -- 1 valid for claims, 0 header
   ) WITHOUT ROWID;
   CREATE TABLE icd10cm_import (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     file TEXT NOT NULL, format TEXT NOT NULL, count INTEGER NOT NULL, imported_at TEXT NOT NULL
   );`,
  // Word search over the official titles; kept beside the codes table by replaceIcd10.
  'icd10-title-search': `CREATE VIRTUAL TABLE icd10cm_titles USING fts5(code UNINDEXED, title);`,
  // One conversation per person per place (see src/store/sessions.ts). No patient identifiers are ever
  // written here: messages are scrubbed before any flow sees them.
  'sessions': `CREATE TABLE sessions (
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
  'cases': `CREATE TABLE cases (
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
  'inbox': `CREATE TABLE inbox (
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
  'conversation-refs-and-case-facts': `CREATE TABLE conversation_refs (
     address TEXT PRIMARY KEY,       -- platform:tenant:dm:user or platform:tenant:channel:id
     platform TEXT NOT NULL,
     ref TEXT NOT NULL,              -- JSON: what the platform needs to write there
     updated_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX conversation_refs_platform ON conversation_refs (platform);
   -- A case's facts outlive the session (letters and claims refer to the case by ID); no identifiers.
   ALTER TABLE cases ADD COLUMN facts TEXT;`,
  // Event ids are deduplicated by the inbox now (its event_id is unique), so this table is no longer used.
  'drop-seen-events': `DROP TABLE seen_events;`,
  // Claims (src/store/claims.ts): one per case, keyed by the case id. Codes, amounts, dates and statuses
  // only: no patient identifiers (free text is scrubbed before it gets here). Dates are local ISO dates
  // (YYYY-MM-DD), so they compare as text; amounts are in cents.
  'claims-and-digests': `CREATE TABLE claims (
     case_id TEXT PRIMARY KEY,
     reference TEXT,                 -- the practice's own claim number, if given
     payer TEXT NOT NULL,            -- the payer's name as typed, e.g. "Aetna"
     payer_kind TEXT NOT NULL,       -- medicare | medicare-advantage | medicaid | commercial | tricare | other
     lane TEXT NOT NULL,
     category TEXT,                  -- the procedure category from triage, for reports
     procedures TEXT NOT NULL,       -- JSON array of CPT/HCPCS/CDT codes
     diagnoses TEXT NOT NULL,        -- JSON array of ICD-10-CM codes
     billed_cents INTEGER,
     paid_cents INTEGER,
     service_date TEXT,
     submitted_date TEXT,
     auth_number TEXT,
     auth_expires TEXT,
     status TEXT NOT NULL CHECK (status IN ('draft','submitted','pended','records-requested','paid','partially-paid','denied','appealed','written-off','closed')),
     open INTEGER NOT NULL,          -- 1 until paid in full, written off or closed
     next_follow_up TEXT,            -- when someone should next check on it (the follow-up policy decides)
     records_due TEXT,
     appeal_deadline TEXT,
     denial TEXT,                    -- JSON: group, CARC, RARC, or the words of the denial
     paid_date TEXT,
     denied_date TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     version INTEGER NOT NULL        -- bumped on every change; updates are conditional on it
   ) WITHOUT ROWID;
   CREATE INDEX claims_follow_up ON claims (next_follow_up) WHERE open = 1;
   -- Covers the digest's one-pass totals (ClaimStore.due): the open claims are read from this narrow index, not the table.
   CREATE INDEX claims_due ON claims (open, status, next_follow_up, appeal_deadline, records_due, auth_expires, service_date, billed_cents, paid_cents);
   CREATE INDEX claims_records ON claims (records_due) WHERE open = 1 AND records_due IS NOT NULL;
   CREATE INDEX claims_appeal ON claims (appeal_deadline) WHERE open = 1 AND appeal_deadline IS NOT NULL;
   CREATE INDEX claims_auth ON claims (auth_expires) WHERE open = 1 AND auth_expires IS NOT NULL;
   CREATE INDEX claims_unsubmitted ON claims (service_date) WHERE status = 'draft';
   -- Every change to a claim: who, when, what, from which surface.
   CREATE TABLE claim_history (
     id INTEGER PRIMARY KEY,
     case_id TEXT NOT NULL REFERENCES claims (case_id),
     at INTEGER NOT NULL,
     actor TEXT NOT NULL,            -- platform:user, or cli / import
     surface TEXT NOT NULL,          -- slack | teams | web | terminal | cli | import | digest
     action TEXT NOT NULL,           -- created | submitted | paid | denied | followed-up | ...
     from_status TEXT,
     to_status TEXT NOT NULL,
     change TEXT NOT NULL            -- JSON: the fields that changed, with their new values
   );
   CREATE INDEX claim_history_case ON claim_history (case_id, id);
   -- Where the daily digest goes (src/store/digest.ts): a channel, its local time and its IANA zone.
   CREATE TABLE digest_channels (
     address TEXT PRIMARY KEY,       -- addressKey() of the channel
     target TEXT NOT NULL,           -- JSON: the Address
     local_time TEXT NOT NULL,       -- HH:MM
     zone TEXT NOT NULL,             -- IANA time zone, e.g. America/Chicago
     weekdays TEXT NOT NULL,         -- ISO weekdays it posts on, e.g. "12345"
     updated_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   -- One row per channel and local date: claimed by one process with a lease, marked sent once posted.
   CREATE TABLE digest_runs (
     address TEXT NOT NULL,
     local_date TEXT NOT NULL,
     owner TEXT NOT NULL,            -- the process that holds (or held) the lease
     lease_until INTEGER NOT NULL,
     sent_at INTEGER,
     message TEXT,                   -- the platform's id of the posted message
     PRIMARY KEY (address, local_date)
   ) WITHOUT ROWID;`,
  // Letter drafts (src/store/letters.ts), one per case: the template and the letter's facts (clinical, scrubbed:
  // never an identifier; the letter itself carries placeholders for those), so "letter for C-7K3Q9" works the
  // next day and a changed fact regenerates it. The LLM's narrative, when one was used and passed its check.
  'letters': `CREATE TABLE letters (
     case_id TEXT PRIMARY KEY,
     template_id TEXT NOT NULL,
     template_version INTEGER NOT NULL,
     facts TEXT NOT NULL,            -- JSON: fact id → value as given
     narrative TEXT,                 -- JSON: paragraphs written by the LLM (checked against the facts), or NULL
     owner TEXT NOT NULL,            -- the session key of the person who asked for it
     updated_at INTEGER NOT NULL
   ) WITHOUT ROWID;`,
  // Undo and corrections (ClaimService.revert): each change keeps the changed fields' earlier values, and an
  // undo or a correction names the entry it took back. Entries from before this have no "before": not undoable.
  'claim-history-undo': `ALTER TABLE claim_history ADD COLUMN before TEXT;       -- JSON: the changed fields' earlier values (null: not set)
   ALTER TABLE claim_history ADD COLUMN reverts INTEGER;   -- an undo's or a correction's: the id of the entry taken back
   CREATE INDEX claim_history_actor ON claim_history (actor, id);`,
  // The report and the export read claims a page at a time (src/store/sqlite/claim-reports.ts): the export in
  // this order, the report with the claims a payer asked records for, read once per report from this index.
  'report-indexes': `CREATE INDEX claims_created ON claims (created_at, case_id);
   CREATE INDEX claim_history_records ON claim_history (case_id) WHERE action = 'records-requested';`,
  // Each part of a digest run's post as it goes out, so a process taking the run over posts only the parts
  // missing, also on Teams, where a bot cannot read the channel back.
  'digest-parts': `CREATE TABLE digest_parts (
     address TEXT NOT NULL,
     local_date TEXT NOT NULL,
     part INTEGER NOT NULL,          -- 1-based
     of INTEGER NOT NULL,            -- how many parts the post had
     message TEXT NOT NULL,          -- the platform's id of that message
     at INTEGER NOT NULL,
     PRIMARY KEY (address, local_date, part)
   ) WITHOUT ROWID;`,
  // Things handed to a platform by a token (src/store/held.ts): an offered file, a chart's picture, until they
  // expire, so any process behind this database can serve them, also after a restart.
  'held': `CREATE TABLE held (
     token TEXT PRIMARY KEY,         -- unguessable: 18 random bytes, base64url
     kind TEXT NOT NULL,             -- file | picture
     bytes BLOB NOT NULL,
     name TEXT,
     media_type TEXT,
     owner TEXT,                     -- the platform user it was offered to, when only for them
     until INTEGER NOT NULL          -- expires at (ms)
   );
   CREATE INDEX held_until ON held (until);`,
  // A claim by the practice's own claim number ("A1005 paid $5200", ClaimStore.byReference), in any letter case
  // as the import matches it.
  'claims-by-reference': `CREATE INDEX claims_reference ON claims (reference COLLATE NOCASE) WHERE reference IS NOT NULL;`,
  // Practices as tenants (issue 25): every row carries its practice, and every key leads with it, so two
  // practices can each have case C-7K3Q9. Tables whose key changes are rebuilt (SQLite cannot change a key in
  // place), their rows kept under 'default', the practice a single-practice medbill has always been. The inbox
  // and held things keep their deployment-wide keys (an event id, a random token) and record the practice.
  // Claims and their history are rebuilt together: the history's foreign key follows the renamed claims table.
  'practices': `CREATE TABLE sessions_p (
     practice TEXT NOT NULL DEFAULT 'default',
     key TEXT NOT NULL, flow TEXT NOT NULL, flow_version INTEGER NOT NULL, state TEXT NOT NULL, history TEXT NOT NULL,
     version INTEGER NOT NULL, updated_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
     PRIMARY KEY (practice, key)
   ) WITHOUT ROWID;
   INSERT INTO sessions_p (key, flow, flow_version, state, history, version, updated_at, expires_at)
     SELECT key, flow, flow_version, state, history, version, updated_at, expires_at FROM sessions;
   DROP TABLE sessions;
   ALTER TABLE sessions_p RENAME TO sessions;
   CREATE INDEX sessions_expiry ON sessions (practice, expires_at);

   CREATE TABLE cases_p (
     practice TEXT NOT NULL DEFAULT 'default',
     case_id TEXT NOT NULL, owner TEXT NOT NULL, procedure TEXT NOT NULL, lane TEXT NOT NULL, updated_at INTEGER NOT NULL, facts TEXT,
     PRIMARY KEY (practice, case_id)
   ) WITHOUT ROWID;
   INSERT INTO cases_p (case_id, owner, procedure, lane, updated_at, facts) SELECT case_id, owner, procedure, lane, updated_at, facts FROM cases;
   DROP TABLE cases;
   ALTER TABLE cases_p RENAME TO cases;
   CREATE INDEX cases_owner ON cases (practice, owner, updated_at);

   ALTER TABLE inbox ADD COLUMN practice TEXT NOT NULL DEFAULT 'default';

   CREATE TABLE conversation_refs_p (
     practice TEXT NOT NULL DEFAULT 'default',
     address TEXT NOT NULL, platform TEXT NOT NULL, ref TEXT NOT NULL, updated_at INTEGER NOT NULL,
     PRIMARY KEY (practice, address)
   ) WITHOUT ROWID;
   INSERT INTO conversation_refs_p (address, platform, ref, updated_at) SELECT address, platform, ref, updated_at FROM conversation_refs;
   DROP TABLE conversation_refs;
   ALTER TABLE conversation_refs_p RENAME TO conversation_refs;
   CREATE INDEX conversation_refs_platform ON conversation_refs (practice, platform);

   CREATE TABLE claims_p (
     practice TEXT NOT NULL DEFAULT 'default',
     case_id TEXT NOT NULL, reference TEXT, payer TEXT NOT NULL, payer_kind TEXT NOT NULL, lane TEXT NOT NULL, category TEXT,
     procedures TEXT NOT NULL, diagnoses TEXT NOT NULL, billed_cents INTEGER, paid_cents INTEGER, service_date TEXT, submitted_date TEXT,
     auth_number TEXT, auth_expires TEXT,
     status TEXT NOT NULL CHECK (status IN ('draft','submitted','pended','records-requested','paid','partially-paid','denied','appealed','written-off','closed')),
     open INTEGER NOT NULL, next_follow_up TEXT, records_due TEXT, appeal_deadline TEXT, denial TEXT, paid_date TEXT, denied_date TEXT,
     created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, version INTEGER NOT NULL,
     PRIMARY KEY (practice, case_id)
   ) WITHOUT ROWID;
   INSERT INTO claims_p (case_id, reference, payer, payer_kind, lane, category, procedures, diagnoses, billed_cents, paid_cents, service_date,
       submitted_date, auth_number, auth_expires, status, open, next_follow_up, records_due, appeal_deadline, denial, paid_date, denied_date,
       created_at, updated_at, version)
     SELECT case_id, reference, payer, payer_kind, lane, category, procedures, diagnoses, billed_cents, paid_cents, service_date,
       submitted_date, auth_number, auth_expires, status, open, next_follow_up, records_due, appeal_deadline, denial, paid_date, denied_date,
       created_at, updated_at, version FROM claims;
   CREATE TABLE claim_history_p (
     id INTEGER PRIMARY KEY,
     practice TEXT NOT NULL DEFAULT 'default',
     case_id TEXT NOT NULL, at INTEGER NOT NULL, actor TEXT NOT NULL, surface TEXT NOT NULL, action TEXT NOT NULL,
     from_status TEXT, to_status TEXT NOT NULL, change TEXT NOT NULL, before TEXT, reverts INTEGER,
     FOREIGN KEY (practice, case_id) REFERENCES claims_p (practice, case_id)
   );
   INSERT INTO claim_history_p (id, case_id, at, actor, surface, action, from_status, to_status, change, before, reverts)
     SELECT id, case_id, at, actor, surface, action, from_status, to_status, change, before, reverts FROM claim_history;
   DROP TABLE claim_history;
   DROP TABLE claims;
   ALTER TABLE claims_p RENAME TO claims;
   ALTER TABLE claim_history_p RENAME TO claim_history;
   CREATE INDEX claims_follow_up ON claims (practice, next_follow_up) WHERE open = 1;
   CREATE INDEX claims_due ON claims (practice, open, status, next_follow_up, appeal_deadline, records_due, auth_expires, service_date, billed_cents, paid_cents);
   CREATE INDEX claims_records ON claims (practice, records_due) WHERE open = 1 AND records_due IS NOT NULL;
   CREATE INDEX claims_appeal ON claims (practice, appeal_deadline) WHERE open = 1 AND appeal_deadline IS NOT NULL;
   CREATE INDEX claims_auth ON claims (practice, auth_expires) WHERE open = 1 AND auth_expires IS NOT NULL;
   CREATE INDEX claims_unsubmitted ON claims (practice, service_date) WHERE status = 'draft';
   CREATE INDEX claims_created ON claims (practice, created_at, case_id);
   CREATE INDEX claims_reference ON claims (practice, reference COLLATE NOCASE) WHERE reference IS NOT NULL;
   CREATE INDEX claim_history_case ON claim_history (practice, case_id, id);
   CREATE INDEX claim_history_actor ON claim_history (practice, actor, id);
   CREATE INDEX claim_history_records ON claim_history (practice, case_id) WHERE action = 'records-requested';

   CREATE TABLE digest_channels_p (
     practice TEXT NOT NULL DEFAULT 'default',
     address TEXT NOT NULL, target TEXT NOT NULL, local_time TEXT NOT NULL, zone TEXT NOT NULL, weekdays TEXT NOT NULL, updated_at INTEGER NOT NULL,
     PRIMARY KEY (practice, address)
   ) WITHOUT ROWID;
   INSERT INTO digest_channels_p (address, target, local_time, zone, weekdays, updated_at) SELECT address, target, local_time, zone, weekdays, updated_at FROM digest_channels;
   DROP TABLE digest_channels;
   ALTER TABLE digest_channels_p RENAME TO digest_channels;

   CREATE TABLE digest_runs_p (
     practice TEXT NOT NULL DEFAULT 'default',
     address TEXT NOT NULL, local_date TEXT NOT NULL, owner TEXT NOT NULL, lease_until INTEGER NOT NULL, sent_at INTEGER, message TEXT,
     PRIMARY KEY (practice, address, local_date)
   ) WITHOUT ROWID;
   INSERT INTO digest_runs_p (address, local_date, owner, lease_until, sent_at, message) SELECT address, local_date, owner, lease_until, sent_at, message FROM digest_runs;
   DROP TABLE digest_runs;
   ALTER TABLE digest_runs_p RENAME TO digest_runs;

   CREATE TABLE digest_parts_p (
     practice TEXT NOT NULL DEFAULT 'default',
     address TEXT NOT NULL, local_date TEXT NOT NULL, part INTEGER NOT NULL, of INTEGER NOT NULL, message TEXT NOT NULL, at INTEGER NOT NULL,
     PRIMARY KEY (practice, address, local_date, part)
   ) WITHOUT ROWID;
   INSERT INTO digest_parts_p (address, local_date, part, of, message, at) SELECT address, local_date, part, of, message, at FROM digest_parts;
   DROP TABLE digest_parts;
   ALTER TABLE digest_parts_p RENAME TO digest_parts;

   CREATE TABLE letters_p (
     practice TEXT NOT NULL DEFAULT 'default',
     case_id TEXT NOT NULL, template_id TEXT NOT NULL, template_version INTEGER NOT NULL, facts TEXT NOT NULL, narrative TEXT,
     owner TEXT NOT NULL, updated_at INTEGER NOT NULL,
     PRIMARY KEY (practice, case_id)
   ) WITHOUT ROWID;
   INSERT INTO letters_p (case_id, template_id, template_version, facts, narrative, owner, updated_at)
     SELECT case_id, template_id, template_version, facts, narrative, owner, updated_at FROM letters;
   DROP TABLE letters;
   ALTER TABLE letters_p RENAME TO letters;

   ALTER TABLE held ADD COLUMN practice TEXT NOT NULL DEFAULT 'default';
   DROP INDEX held_until;
   CREATE INDEX held_until ON held (practice, until);

   -- A practice's own settings (src/store/settings.ts): its zone, follow-up days and appeal windows, as JSON.
   CREATE TABLE practice_settings (
     practice TEXT PRIMARY KEY,
     settings TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   ) WITHOUT ROWID;`,
  // The Slack app's installations into workspaces (src/store/installations.ts), for the whole deployment: one row
  // per workspace, or per Enterprise Grid organisation for an org-wide install. The bot token is sealed
  // (AES-256-GCM under MEDBILL_ENCRYPTION_KEY) before it gets here.
  'slack-installations': `CREATE TABLE slack_installations (
     key TEXT PRIMARY KEY,           -- the enterprise id for an org-wide install, else the team id
     team_id TEXT,                   -- NULL for an org-wide install
     enterprise_id TEXT,
     is_enterprise_install INTEGER NOT NULL,
     bot_user_id TEXT NOT NULL,
     bot_id TEXT,
     app_id TEXT NOT NULL,
     scopes TEXT NOT NULL,           -- comma-separated, as Slack gives them
     installed_at INTEGER NOT NULL,  -- ms since epoch
     bot_token TEXT NOT NULL         -- sealed: v1:<key id>:<iv>:<tag>:<ciphertext>, never the token
   ) WITHOUT ROWID;`,
  // Replicas (src/engine/inbox.ts): an open inbox row is worked on by the process that holds its lease; another
  // takes it over once the lease has run out (the holder was killed). No index: open rows are few.
  'inbox-leases': `ALTER TABLE inbox ADD COLUMN owner TEXT;          -- the process working on it (MEDBILL_REPLICA_ID or a random id)
   ALTER TABLE inbox ADD COLUMN lease_until INTEGER;               -- held until (ms); free when NULL or past`,
};
