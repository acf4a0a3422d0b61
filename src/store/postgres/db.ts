/**
 * The one place that opens PostgreSQL (through node-postgres): a pool of connections, the schema brought up
 * to date on open, and transactions on one connection. Only src/store/postgres/ uses it.
 *
 * Opening is synchronous, like SQLite's, so the composition root stays as it is: the migrations start at
 * once and every query waits for them (`opened()` lets a caller wait, and see a failure, up front). The
 * driver itself is loaded then too, never before: loading it takes a fifth of a second, which a SQLite
 * user's cold `medbill triage` must not pay.
 */
import type pg from 'pg';
import { pendingMigrations } from '../migrations.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';

export type Row = pg.QueryResultRow;

/** A pool or one connection inside a transaction: what a statement runs on. */
export interface Sql {
  query<R extends Row = Row>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** BIGINT (times in ms, counts) as a number: medbill's values are far below 2^53. */
const INT8 = 20;
function typesOf(driver: typeof pg): pg.CustomTypesConfig {
  const getTypeParser = (oid: number, format?: 'text' | 'binary') => (oid === INT8 && format !== 'binary' ? Number : driver.types.getTypeParser(oid, format));
  return { getTypeParser: getTypeParser as pg.CustomTypesConfig['getTypeParser'] };
}

/**
 * Prepared statements: PostgreSQL parses a named statement once per connection, then only binds and runs it
 * (medbill's statements are fixed texts with parameters). The first texts seen are named, up to a bound, so
 * texts built from data (an import's batch sizes) cannot fill a connection with prepared statements. A read
 * names its columns, never `SELECT *`: a prepared `*` fails ("cached plan must not change result type") once
 * a later schema step adds a column while this process runs (another replica migrated first).
 */
const MAX_PREPARED = 300;
const names = new Map<string, string>();
function prepared(text: string, values?: unknown[]): pg.QueryConfig {
  // A text without parameters goes as it is: it may hold several statements (a migration), which cannot be prepared.
  if (!values) return { text };
  let name = names.get(text);
  if (name === undefined && names.size < MAX_PREPARED) names.set(text, (name = `medbill_${names.size + 1}`));
  return name === undefined ? { text, values } : { name, text, values };
}

/** A connection as the stores use it: every statement prepared (see prepared). */
function sqlOn(client: pg.PoolClient | pg.Pool): Sql {
  return { query: <R extends Row>(text: string, values?: unknown[]) => client.query<R>(prepared(text, values)) };
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/** Taken while migrating, so replicas starting together migrate one after the other. */
const MIGRATION_LOCK = 7_401_226_001;
/** The version a database is at: the last step schema_migrations records (0 before any). */
const VERSION = 'SELECT coalesce(max(version), 0)::integer AS v FROM schema_migrations';

export class PgDb {
  private readonly pool: Promise<pg.Pool>;
  private readonly ready: Promise<void>;

  constructor(url: string, max = 10) {
    this.pool = import('pg').then(({ default: driver }) => {
      // Pipeline mode: statements given to one connection together go out together (see pipelined); one
      // awaited at a time, as everywhere else, runs as it always did.
      const pool = new driver.Pool({ connectionString: url, types: typesOf(driver), max, application_name: 'medbill', pipeline: true });
      // An idle connection dropped by the server (a restart) must not crash the process: the next query
      // takes a new connection, or reports the failure to its caller.
      pool.on('error', () => undefined);
      return pool;
    });
    this.ready = this.pool.then(migrate);
    this.ready.catch(() => undefined); // reported to whoever queries (or awaits opened()), not as an unhandled rejection
  }

  /** Resolves once the schema is up to date; rejects with why it could not be. */
  opened(): Promise<void> {
    return this.ready;
  }

  async query<R extends Row = Row>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    await this.ready;
    return (await this.pool).query<R>(prepared(text, values));
  }

  /** Rows as arrays of values, in the SELECT's order (cheaper than objects over a whole A/R). */
  async arrays<R extends unknown[]>(text: string, values?: unknown[]): Promise<R[]> {
    await this.ready;
    return (await (await this.pool).query<R>({ ...prepared(text, values), rowMode: 'array' })).rows;
  }

  /** Runs `fn` in one transaction on one connection: committed when it resolves, rolled back when it throws. */
  async transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    await this.ready;
    return inTransaction(await this.pool, fn);
  }

  /**
   * One transaction whose statements are sent together, without waiting for each other's answers: `send`
   * starts every statement at once (each one `sql.query` call, made synchronously, in order) and says, per
   * statement, whether it found what it expected. BEGIN and the statements cost one round trip, then COMMIT,
   * or ROLLBACK when one found its row changed (false). A statement that fails is rethrown after the rollback:
   * the first in the order sent (the ones after it failed only because the transaction had).
   */
  async pipelined(send: (sql: Sql) => Promise<boolean>[]): Promise<boolean> {
    await this.ready;
    const client = await (await this.pool).connect();
    let broken: Error | undefined;
    try {
      // Corked: BEGIN and the statements leave in one write (each statement's own cork nests inside this one).
      const stream = client.connection.stream;
      stream.cork();
      const begun = client.query('BEGIN').then(() => true);
      begun.catch(() => undefined); // its failure is reported with the others' (below), or moot if they could not be sent
      let sent: Promise<boolean>[];
      try {
        sent = [begun, ...send(sqlOn(client))];
      } catch (err) {
        broken = asError(err); // BEGIN went out: not given back mid-transaction
        throw err;
      } finally {
        stream.uncork();
      }
      const results = await Promise.allSettled(sent);
      const failed = results.find((r) => r.status === 'rejected');
      const held = !failed && results.every((r) => r.status === 'fulfilled' && r.value);
      try {
        await client.query(held ? 'COMMIT' : 'ROLLBACK');
      } catch (err) {
        broken = asError(err);
        throw err;
      }
      if (failed) throw failed.reason;
      return held;
    } finally {
      client.release(broken); // a connection that could not end its transaction is closed, not reused
    }
  }

  /**
   * A transaction held open across calls (an import written in batches): one connection, BEGUN here, kept
   * until `end` commits or rolls it back and gives the connection back.
   */
  async begin(): Promise<{ sql: Sql; end(how: 'COMMIT' | 'ROLLBACK'): Promise<void> }> {
    await this.ready;
    const client = await (await this.pool).connect();
    try {
      await client.query('BEGIN');
    } catch (err) {
      client.release(asError(err));
      throw err;
    }
    let ended = false;
    return {
      sql: sqlOn(client),
      async end(how) {
        if (ended) return;
        ended = true;
        let broken: Error | undefined;
        try {
          await client.query(how);
        } catch (err) {
          broken = asError(err);
          if (how === 'COMMIT') throw err;
        } finally {
          client.release(broken);
        }
      },
    };
  }

  private closing?: Promise<void>;

  /** Ends the pool once (every practice's view shares it, and any may close it). */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      await this.ready.catch(() => undefined); // a pool is ended after its migrations, not under them
      await (await this.pool).end();
    })());
  }
}

async function inTransaction<T>(pool: pg.Pool, fn: (sql: Sql) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(sqlOn(client));
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: unknown) => { broken = asError(e); });
    throw err;
  } finally {
    client.release(broken); // a connection that could not roll back is closed, not reused
  }
}

/**
 * Every pending step of the shared list, in one transaction (Postgres DDL is transactional: a failed step
 * leaves the schema as it was), under an advisory lock; schema_migrations records each step applied.
 */
async function migrate(pool: pg.Pool): Promise<void> {
  await inTransaction(pool, async (sql) => {
    await sql.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await sql.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    const { rows } = await sql.query<{ v: number }>(VERSION);
    for (const step of pendingMigrations(rows[0]?.v ?? 0, POSTGRES_MIGRATIONS)) {
      if (step.sql) await sql.query(step.sql);
      await sql.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [step.version, step.name, Date.now()]);
    }
  });
}

/** The schema version a database is at (schema_migrations), for tests and diagnostics. */
export async function schemaVersion(db: PgDb): Promise<number> {
  const { rows } = await db.query<{ v: number }>(VERSION);
  return rows[0]?.v ?? 0;
}

/**
 * A statement with named parameters (@name, as the SQLite side writes them) turned into node-postgres's
 * numbered ones ($1, …), with the values in order. Each distinct name is one parameter.
 */
export function named(text: string, params: Record<string, unknown>): { text: string; values: unknown[] } {
  const order: string[] = [];
  const out = text.replace(/@([A-Za-z_]\w*)/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`no value for @${name}`);
    let i = order.indexOf(name);
    if (i < 0) i = order.push(name) - 1;
    return `$${i + 1}`;
  });
  return { text: out, values: order.map((n) => params[n]) };
}
