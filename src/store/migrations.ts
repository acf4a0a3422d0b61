/**
 * The schema's versions, one list for every database: each step has a number (its place here, from 1) and a
 * name, and each implementation gives its own SQL for every step (src/store/sqlite/migrations.ts,
 * src/store/postgres/migrations.ts), so a database of either kind at version N has the same tables. A step
 * that means nothing in one dialect (an FTS5 table in Postgres) is empty there and still counts. Steps are
 * only ever appended: a released database is at some version and upgrades from it on open.
 */
export const MIGRATIONS = [
  'icd10-codes',
  'icd10-title-search',
  'sessions',
  'cases',
  'inbox',
  'conversation-refs-and-case-facts',
  'drop-seen-events',
  'claims-and-digests',
  'letters',
  'claim-history-undo',
  'report-indexes',
  'digest-parts',
  'held',
  'claims-by-reference',
  'practices',
  'slack-installations',
  'inbox-leases',
] as const;

export type MigrationName = (typeof MIGRATIONS)[number];

/** A dialect's SQL for every step (the compiler checks that none is missing); '' when the step has nothing to do there. */
export type DialectMigrations = Readonly<Record<MigrationName, string>>;

export interface Migration { version: number; name: MigrationName; sql: string }

/** The steps a database at `current` still needs, in order. Throws when it is newer than this medbill knows. */
export function pendingMigrations(current: number, sql: DialectMigrations): Migration[] {
  if (!Number.isInteger(current) || current < 0) throw new RangeError(`bad schema version ${current}`);
  if (current > MIGRATIONS.length) {
    throw new Error(`the database is at schema version ${current}, newer than this medbill knows (${MIGRATIONS.length}): upgrade medbill`);
  }
  return MIGRATIONS.slice(current).map((name, i) => ({ version: current + i + 1, name, sql: sql[name] }));
}

/** The version a database is at once every step has run. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
