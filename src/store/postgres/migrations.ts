/**
 * The PostgreSQL SQL of every schema step (the list and its order: src/store/migrations.ts), the same tables
 * as SQLite's. Keys and dates are TEXT COLLATE "C" so they sort byte by byte, as SQLite's do (an ISO date or
 * a case ID orders the same on both, whatever the server's locale); times are milliseconds in BIGINT; JSON
 * is kept as the text SQLite keeps, so both hand back exactly what was written.
 */
import type { DialectMigrations } from '../migrations.js';

export const POSTGRES_MIGRATIONS: DialectMigrations = {
  // `words` (the title's word count) and the import's totals feed the title search's ranking (icd10.ts).
  'icd10-codes': `CREATE TABLE icd10cm_codes (
     code TEXT COLLATE "C" PRIMARY KEY,  -- dotted, e.g. K08.3
     title TEXT NOT NULL,                -- official long title ('' when imported from a codes-only list)
     billable BOOLEAN NOT NULL,          -- valid for claims (false: a header)
     words INTEGER NOT NULL              -- how many words the title has
   );
   CREATE TABLE icd10cm_import (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     file TEXT NOT NULL, format TEXT NOT NULL, count INTEGER NOT NULL, imported_at TEXT NOT NULL,
     titled INTEGER NOT NULL,            -- codes with a title
     words BIGINT NOT NULL               -- words in all titles
   );`,
  // Word search over the titles without FTS5: a trigram index answers "a word starting with …" (a regular
  // expression) when the server has pg_trgm (Debian's postgresql has); without it the search reads the table.
  'icd10-title-search': `DO $$ BEGIN
     CREATE EXTENSION IF NOT EXISTS pg_trgm;
   EXCEPTION WHEN OTHERS THEN
     RAISE NOTICE 'pg_trgm is not available (%): the ICD-10-CM title search reads the whole table', SQLERRM;
   END $$;
   DO $$ BEGIN
     IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
       CREATE INDEX icd10cm_titles_trgm ON icd10cm_codes USING gin (title gin_trgm_ops);
     END IF;
   END $$;`,
  // One conversation per person per place (see src/store/sessions.ts). No patient identifiers are ever
  // written here: messages are scrubbed before any flow sees them.
  'sessions': `CREATE TABLE sessions (
     key TEXT COLLATE "C" PRIMARY KEY,   -- platform:tenant:conversation:user
     flow TEXT NOT NULL,
     flow_version INTEGER NOT NULL,
     state TEXT NOT NULL,                -- JSON: step, slots, case id
     history TEXT NOT NULL,              -- JSON: earlier states, for "back"
     version INTEGER NOT NULL,           -- bumped on every write
     updated_at BIGINT NOT NULL,         -- ms since epoch
     expires_at BIGINT NOT NULL
   );
   CREATE INDEX sessions_expiry ON sessions (expires_at);`,
  // Cases answered, per person (src/store/cases.ts). Codes and lanes only. (SQLite's seen_events table of
  // this step was dropped at step 7 before Postgres existed: it is not made here.)
  'cases': `CREATE TABLE cases (
     case_id TEXT COLLATE "C" PRIMARY KEY,
     owner TEXT NOT NULL,                -- the session key of the person who asked
     procedure TEXT NOT NULL,            -- at most 80 characters, identifiers already scrubbed
     lane TEXT NOT NULL,
     updated_at BIGINT NOT NULL
   );
   CREATE INDEX cases_owner ON cases (owner, updated_at);`,
  // The inbox (src/store/inbox.ts): every incoming event is written here before it is acknowledged.
  'inbox': `CREATE TABLE inbox (
     seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- arrival order
     event_id TEXT NOT NULL UNIQUE,
     session_key TEXT NOT NULL,
     turn TEXT NOT NULL,                 -- JSON: the screened turn
     route TEXT NOT NULL,                -- JSON: where the adapter delivers the answer
     status TEXT NOT NULL CHECK (status IN ('pending', 'answered', 'done')),
     replies TEXT,                       -- JSON: the answer, from the turn's commit until it is delivered
     received_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL
   );
   CREATE INDEX inbox_open ON inbox (seq) WHERE status <> 'done';
   CREATE INDEX inbox_done ON inbox (updated_at) WHERE status = 'done';`,
  // Conversation references (src/store/references.ts), and a case's facts (no identifiers).
  'conversation-refs-and-case-facts': `CREATE TABLE conversation_refs (
     address TEXT COLLATE "C" PRIMARY KEY,  -- platform:tenant:dm:user or platform:tenant:channel:id
     platform TEXT NOT NULL,
     ref TEXT NOT NULL,                  -- JSON: what the platform needs to write there
     updated_at BIGINT NOT NULL
   );
   CREATE INDEX conversation_refs_platform ON conversation_refs (platform, address);
   ALTER TABLE cases ADD COLUMN facts TEXT;`,
  // SQLite dropped its seen_events table here; Postgres never had one.
  'drop-seen-events': '',
  // Claims (src/store/claims.ts) and their history; the daily digest's channels and runs.
  'claims-and-digests': `CREATE TABLE claims (
     case_id TEXT COLLATE "C" PRIMARY KEY,
     reference TEXT,
     payer TEXT NOT NULL,
     payer_kind TEXT NOT NULL,
     lane TEXT NOT NULL,
     category TEXT,
     procedures TEXT NOT NULL,           -- JSON array of CPT/HCPCS/CDT codes
     diagnoses TEXT NOT NULL,            -- JSON array of ICD-10-CM codes
     billed_cents BIGINT,
     paid_cents BIGINT,
     service_date TEXT COLLATE "C",      -- local ISO dates (YYYY-MM-DD): they compare as text
     submitted_date TEXT COLLATE "C",
     auth_number TEXT,
     auth_expires TEXT COLLATE "C",
     status TEXT NOT NULL CHECK (status IN ('draft','submitted','pended','records-requested','paid','partially-paid','denied','appealed','written-off','closed')),
     open INTEGER NOT NULL,              -- 1 until paid in full, written off or closed
     next_follow_up TEXT COLLATE "C",
     records_due TEXT COLLATE "C",
     appeal_deadline TEXT COLLATE "C",
     denial TEXT,                        -- JSON: group, CARC, RARC, or the words of the denial
     paid_date TEXT COLLATE "C",
     denied_date TEXT COLLATE "C",
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL,
     version INTEGER NOT NULL            -- bumped on every change; updates are conditional on it
   );
   CREATE INDEX claims_follow_up ON claims (next_follow_up) WHERE open = 1;
   CREATE INDEX claims_records ON claims (records_due) WHERE open = 1 AND records_due IS NOT NULL;
   CREATE INDEX claims_appeal ON claims (appeal_deadline) WHERE open = 1 AND appeal_deadline IS NOT NULL;
   CREATE INDEX claims_auth ON claims (auth_expires) WHERE open = 1 AND auth_expires IS NOT NULL;
   CREATE INDEX claims_unsubmitted ON claims (service_date) WHERE status = 'draft';
   CREATE TABLE claim_history (
     id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     case_id TEXT COLLATE "C" NOT NULL REFERENCES claims (case_id),
     at BIGINT NOT NULL,
     actor TEXT NOT NULL,                -- platform:user, or cli / import
     surface TEXT NOT NULL,
     action TEXT NOT NULL,
     from_status TEXT,
     to_status TEXT NOT NULL,
     change TEXT NOT NULL                -- JSON: the fields that changed, with their new values
   );
   CREATE INDEX claim_history_case ON claim_history (case_id, id);
   CREATE TABLE digest_channels (
     address TEXT COLLATE "C" PRIMARY KEY,  -- addressKey() of the channel
     target TEXT NOT NULL,               -- JSON: the Address
     local_time TEXT NOT NULL,           -- HH:MM
     zone TEXT NOT NULL,                 -- IANA time zone
     weekdays TEXT NOT NULL,             -- ISO weekdays, e.g. "12345"
     updated_at BIGINT NOT NULL
   );
   CREATE TABLE digest_runs (
     address TEXT COLLATE "C" NOT NULL,
     local_date TEXT COLLATE "C" NOT NULL,
     owner TEXT NOT NULL,                -- the process that holds (or held) the lease
     lease_until BIGINT NOT NULL,
     sent_at BIGINT,
     message TEXT,                       -- the platform's id of the posted message
     PRIMARY KEY (address, local_date)
   );`,
  // Letter drafts (src/store/letters.ts), one per case: the template and the letter's facts, never an identifier.
  'letters': `CREATE TABLE letters (
     case_id TEXT COLLATE "C" PRIMARY KEY,
     template_id TEXT NOT NULL,
     template_version INTEGER NOT NULL,
     facts TEXT NOT NULL,                -- JSON: fact id → value as given
     narrative TEXT,                     -- JSON: the LLM's checked paragraphs, or NULL
     owner TEXT NOT NULL,
     updated_at BIGINT NOT NULL
   );`,
  // Undo and corrections: each change keeps the changed fields' earlier values; an undo names the entry it took back.
  'claim-history-undo': `ALTER TABLE claim_history ADD COLUMN before TEXT;
   ALTER TABLE claim_history ADD COLUMN reverts BIGINT;
   CREATE INDEX claim_history_actor ON claim_history (actor, id);`,
  // The report and the export read claims a page at a time (claim-reports.ts).
  'report-indexes': `CREATE INDEX claims_created ON claims (created_at, case_id);
   CREATE INDEX claim_history_records ON claim_history (case_id) WHERE action = 'records-requested';`,
  // Each part of a digest run's post as it goes out (digest.ts), so a takeover posts only the parts missing.
  'digest-parts': `CREATE TABLE digest_parts (
     address TEXT COLLATE "C" NOT NULL,
     local_date TEXT COLLATE "C" NOT NULL,
     part INTEGER NOT NULL,
     "of" INTEGER NOT NULL,
     message TEXT NOT NULL,
     at BIGINT NOT NULL,
     PRIMARY KEY (address, local_date, part)
   );`,
  // Things handed to a platform by a token (held.ts): an offered file, a chart's picture, until they expire.
  'held': `CREATE TABLE held (
     token TEXT COLLATE "C" PRIMARY KEY,
     kind TEXT NOT NULL,
     bytes BYTEA NOT NULL,
     name TEXT,
     media_type TEXT,
     owner TEXT,
     until BIGINT NOT NULL
   );
   CREATE INDEX held_until ON held (until);`,
  // A claim by the practice's own claim number (claims.ts byReference), in any letter case.
  'claims-by-reference': `CREATE INDEX claims_reference ON claims (lower(reference)) WHERE reference IS NOT NULL;`,
  // Practices as tenants (issue 25): every row carries its practice and every key leads with it, as SQLite's
  // step (rows kept under 'default'). The inbox and held things keep their deployment-wide keys and record the practice.
  'practices': `ALTER TABLE sessions ADD COLUMN practice TEXT COLLATE "C" NOT NULL DEFAULT 'default';
   ALTER TABLE sessions DROP CONSTRAINT sessions_pkey, ADD PRIMARY KEY (practice, key);
   DROP INDEX sessions_expiry;
   CREATE INDEX sessions_expiry ON sessions (practice, expires_at);

   ALTER TABLE cases ADD COLUMN practice TEXT COLLATE "C" NOT NULL DEFAULT 'default';
   ALTER TABLE cases DROP CONSTRAINT cases_pkey, ADD PRIMARY KEY (practice, case_id);
   DROP INDEX cases_owner;
   CREATE INDEX cases_owner ON cases (practice, owner, updated_at);

   ALTER TABLE inbox ADD COLUMN practice TEXT COLLATE "C" NOT NULL DEFAULT 'default';

   ALTER TABLE conversation_refs ADD COLUMN practice TEXT COLLATE "C" NOT NULL DEFAULT 'default';
   ALTER TABLE conversation_refs DROP CONSTRAINT conversation_refs_pkey, ADD PRIMARY KEY (practice, address);
   DROP INDEX conversation_refs_platform;
   CREATE INDEX conversation_refs_platform ON conversation_refs (practice, platform, address);

   ALTER TABLE claim_history DROP CONSTRAINT claim_history_case_id_fkey;
   ALTER TABLE claims ADD COLUMN practice TEXT COLLATE "C" NOT NULL DEFAULT 'default';
   ALTER TABLE claims DROP CONSTRAINT claims_pkey, ADD PRIMARY KEY (practice, case_id);
   ALTER TABLE claim_history ADD COLUMN practice TEXT COLLATE "C" NOT NULL DEFAULT 'default';
   ALTER TABLE claim_history ADD FOREIGN KEY (practice, case_id) REFERENCES claims (practice, case_id);
   DROP INDEX claims_follow_up, claims_records, claims_appeal, claims_auth, claims_unsubmitted, claims_created, claims_reference,
     claim_history_case, claim_history_actor, claim_history_records;
   CREATE INDEX claims_follow_up ON claims (practice, next_follow_up) WHERE open = 1;
   CREATE INDEX claims_records ON claims (practice, records_due) WHERE open = 1 AND records_due IS NOT NULL;
   CREATE INDEX claims_appeal ON claims (practice, appeal_deadline) WHERE open = 1 AND appeal_deadline IS NOT NULL;
   CREATE INDEX claims_auth ON claims (practice, auth_expires) WHERE open = 1 AND auth_expires IS NOT NULL;
   CREATE INDEX claims_unsubmitted ON claims (practice, service_date) WHERE status = 'draft';
   CREATE INDEX claims_created ON claims (practice, created_at, case_id);
   CREATE INDEX claims_reference ON claims (practice, lower(reference)) WHERE reference IS NOT NULL;
   CREATE INDEX claim_history_case ON claim_history (practice, case_id, id);
   CREATE INDEX claim_history_actor ON claim_history (practice, actor, id);
   CREATE INDEX claim_history_records ON claim_history (practice, case_id) WHERE action = 'records-requested';

   ALTER TABLE digest_channels ADD COLUMN practice TEXT COLLATE "C" NOT NULL DEFAULT 'default';
   ALTER TABLE digest_channels DROP CONSTRAINT digest_channels_pkey, ADD PRIMARY KEY (practice, address);
   ALTER TABLE digest_runs ADD COLUMN practice TEXT COLLATE "C" NOT NULL DEFAULT 'default';
   ALTER TABLE digest_runs DROP CONSTRAINT digest_runs_pkey, ADD PRIMARY KEY (practice, address, local_date);
   ALTER TABLE digest_parts ADD COLUMN practice TEXT COLLATE "C" NOT NULL DEFAULT 'default';
   ALTER TABLE digest_parts DROP CONSTRAINT digest_parts_pkey, ADD PRIMARY KEY (practice, address, local_date, part);

   ALTER TABLE letters ADD COLUMN practice TEXT COLLATE "C" NOT NULL DEFAULT 'default';
   ALTER TABLE letters DROP CONSTRAINT letters_pkey, ADD PRIMARY KEY (practice, case_id);

   ALTER TABLE held ADD COLUMN practice TEXT COLLATE "C" NOT NULL DEFAULT 'default';
   DROP INDEX held_until;
   CREATE INDEX held_until ON held (practice, until);

   CREATE TABLE practice_settings (
     practice TEXT COLLATE "C" PRIMARY KEY,
     settings TEXT NOT NULL,             -- JSON: the practice's zone, follow-up days, appeal windows
     updated_at BIGINT NOT NULL
   );`,
  // The Slack app's installations (installations.ts), deployment-wide; the bot token arrives sealed.
  'slack-installations': `CREATE TABLE slack_installations (
     key TEXT COLLATE "C" PRIMARY KEY,   -- the enterprise id for an org-wide install, else the team id
     team_id TEXT,
     enterprise_id TEXT,
     is_enterprise_install BOOLEAN NOT NULL,
     bot_user_id TEXT NOT NULL,
     bot_id TEXT,
     app_id TEXT NOT NULL,
     scopes TEXT NOT NULL,
     installed_at BIGINT NOT NULL,
     bot_token TEXT NOT NULL             -- sealed, never the token
   );`,
  // Replicas (src/engine/inbox.ts): an open row is worked on by the process holding its lease (owner, until ms).
  'inbox-leases': `ALTER TABLE inbox ADD COLUMN owner TEXT;
   ALTER TABLE inbox ADD COLUMN lease_until BIGINT;`,
};
