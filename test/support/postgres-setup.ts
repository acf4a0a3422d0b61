/**
 * Vitest's global setup: one throwaway PostgreSQL cluster for the whole run (test/support/postgres-cluster.ts),
 * handed to the tests as a connection URL (each test file makes its own databases in it: see postgres.ts).
 * MEDBILL_TEST_DATABASE_URL uses a server of your own instead; MEDBILL_TEST_POSTGRES=off starts none. Without PostgreSQL the tests that need it skip
 * and say why, except under CI, where a skip would hide that they never ran: the run fails here.
 */
import type { TestProject } from 'vitest/node';
import { adminUrl, findPostgresBin, startCluster, stopCluster, type Cluster } from './postgres-cluster.js';

export type PostgresForTests = { url: string } | { skipped: string };

declare module 'vitest' {
  export interface ProvidedContext {
    /** The server's admin URL (its `postgres` database), or why there is none. */
    postgres: PostgresForTests;
  }
}

/** CI=true (or any value but false/0), as CI services set it. */
export const underCi = (env: NodeJS.ProcessEnv): boolean => Boolean(env.CI) && !['false', '0'].includes(env.CI ?? '');

/** Where the tests' Postgres comes from: the given server, a cluster of the binaries found, or why none (throws under CI). */
export function choosePostgres(env: NodeJS.ProcessEnv, bin: string | undefined): { own: string } | { bin: string } | { skipped: string } {
  if (env.MEDBILL_TEST_DATABASE_URL) return { own: env.MEDBILL_TEST_DATABASE_URL };
  if (bin && env.MEDBILL_TEST_POSTGRES !== 'off') return { bin };
  const reason = bin ? 'MEDBILL_TEST_POSTGRES=off' : 'PostgreSQL is not installed (no initdb, pg_ctl and postgres on PATH or in /usr/lib/postgresql/*/bin): apt-get install postgresql, or set MEDBILL_TEST_DATABASE_URL';
  if (underCi(env)) throw new Error(`CI is set and ${reason}: the Postgres tests would be skipped`);
  return { skipped: reason };
}

export default function setup(project: TestProject): (() => void) | undefined {
  const choice = choosePostgres(process.env, findPostgresBin());
  if ('own' in choice || 'skipped' in choice) {
    project.provide('postgres', 'own' in choice ? { url: choice.own } : choice);
    return undefined;
  }
  const cluster: Cluster = startCluster(choice.bin);
  project.provide('postgres', { url: adminUrl(cluster) });
  return () => stopCluster(cluster);
}
