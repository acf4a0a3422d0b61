/**
 * Vitest's global setup: one throwaway PostgreSQL cluster for the whole run (test/support/postgres-cluster.ts),
 * handed to the tests as a connection URL (each test file makes its own databases in it: see postgres.ts).
 * MEDBILL_TEST_DATABASE_URL uses a server of your own instead. Without PostgreSQL the tests that need it skip
 * and say why, except under CI=true, where a skip would hide that they never ran: the run fails here.
 */
import type { TestProject } from 'vitest/node';
import { findPostgresBin, startCluster, stopCluster } from './postgres-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The server's admin URL (its `postgres` database), or why there is none. */
    postgres: { url: string } | { skipped: string };
  }
}

export default function setup(project: TestProject): (() => void) | undefined {
  const own = process.env.MEDBILL_TEST_DATABASE_URL;
  if (own) {
    project.provide('postgres', { url: own });
    return undefined;
  }
  const bin = findPostgresBin();
  if (!bin) {
    const reason = 'PostgreSQL is not installed (no initdb, pg_ctl and postgres on PATH or in /usr/lib/postgresql/*/bin): apt-get install postgresql, or set MEDBILL_TEST_DATABASE_URL';
    if (process.env.CI === 'true') throw new Error(`CI=true and ${reason}: the Postgres tests would be skipped`);
    project.provide('postgres', { skipped: reason });
    return undefined;
  }
  const started = Date.now();
  const cluster = startCluster(bin);
  if (process.env.MEDBILL_TEST_PG_VERBOSE) console.log(`PostgreSQL started in ${Date.now() - started} ms (${bin}, socket in ${cluster.socketDir})`);
  project.provide('postgres', { url: `postgres://${cluster.user}@localhost/postgres?host=${cluster.socketDir}` });
  return () => stopCluster(cluster);
}
