/**
 * The simulation's PostgreSQL: a database in a throwaway cluster (test/support/postgres-cluster.ts), or in a
 * server given by URL (the test's); and the records check: every row that names a workspace's person or
 * channel is filed under that workspace, none under another.
 */
import pg from 'pg';
import { adminUrl, createDatabase, findPostgresBin, startCluster, stopCluster } from '../test/support/postgres-cluster.js';
import { teamOfId } from './plan.js';

export interface SimDatabase { url: string; stop(): void }

/** A throwaway cluster with one database for the simulation; undefined when PostgreSQL is not installed. */
export async function throwawayDatabase(): Promise<SimDatabase | undefined> {
  const bin = findPostgresBin();
  if (!bin) return undefined;
  const cluster = startCluster(bin);
  try {
    const url = await createDatabase(adminUrl(cluster), 'medbill_sim');
    return { url, stop: () => stopCluster(cluster) };
  } catch (err) {
    stopCluster(cluster);
    throw err;
  }
}

/**
 * Rows whose text names ids of more than one workspace (a person of one workspace under another's tenant or
 * practice, in a session, a conversation reference, an inbox row or a digest channel), or a workspace's row filed
 * under the practice 'default': how many rows were read, and the mismatches. Tables the schema does not have are skipped.
 */
export async function recordCrossings(url: string): Promise<{ rows: number; crossings: string[] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const crossings: string[] = [];
  let rows = 0;
  try {
    const { rows: tables } = await client.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'");
    for (const { t } of tables) {
      const { rows: found } = await client.query<{ row: string }>(`SELECT row_to_json(x)::text AS row FROM ${client.escapeIdentifier(t)} x`);
      for (const { row } of found) {
        // Ids the simulation made: T (workspace), C… channels, U… people, D… DMs, each with its workspace's number.
        const teams = new Set<string>();
        for (const m of row.matchAll(/\b(?:TS\d{4}|[CUD]U?S\d{4}\w*)\b/g)) {
          const team = m[0].startsWith('T') ? m[0] : teamOfId(m[0]);
          if (team) teams.add(team);
        }
        rows++;
        // Each workspace is its own practice (MEDBILL_PRACTICES=per-workspace): a row of a workspace filed under no practice of its own crosses too.
        const practice = (JSON.parse(row) as { practice?: unknown }).practice;
        const unfiled = practice === 'default' && teams.size > 0;
        if ((teams.size > 1 || unfiled) && crossings.length < 1000) crossings.push(`${t}: ${unfiled ? 'practice default, ' : ''}${[...teams].join(', ')} in ${row.slice(0, 160)}`);
      }
    }
  } finally {
    await client.end();
  }
  return { rows, crossings };
}
