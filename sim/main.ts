/**
 * npm run sim: the simulation of issue 25 (simulation.ts) at full scale by default, on a throwaway
 * PostgreSQL cluster; prints its figures and exits 0 only when every check holds.
 *   --replicas N (3) --workspaces N (50) --events N (5000) --kill-every SECONDS (4; 0: no kills)
 *   --users N (4 per workspace) --concurrency N (16) --lease-ms N (5000)
 *   --single-token: one SLACK_BOT_TOKEN for every workspace, no OAuth (a medbill without installs)
 *   --database-url URL: an existing, empty database instead of a throwaway cluster
 *   --keep-logs: keep the replicas' logs and print where
 */
import { parseArgs } from 'node:util';
import { DEFAULTS, reportLines, simulate } from './simulation.js';
import { throwawayDatabase, type SimDatabase } from './database.js';

const { values } = parseArgs({
  options: {
    replicas: { type: 'string' }, workspaces: { type: 'string' }, events: { type: 'string' }, 'kill-every': { type: 'string' },
    users: { type: 'string' }, concurrency: { type: 'string' }, 'lease-ms': { type: 'string' },
    'single-token': { type: 'boolean' }, 'database-url': { type: 'string' }, 'keep-logs': { type: 'boolean' },
  },
});
const count = (v: string | undefined, fallback: number, name: string) => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} takes a number (got ${v})`);
  return n;
};

let db: SimDatabase | undefined;
const url = values['database-url'];
if (!url) {
  db = await throwawayDatabase();
  if (!db) {
    console.error('npm run sim needs PostgreSQL: no initdb, pg_ctl and postgres on PATH or in /usr/lib/postgresql/*/bin (apt-get install postgresql), or pass --database-url');
    process.exit(2);
  }
}
const databaseUrl = url ?? db?.url ?? '';
// Stopped early (Ctrl-C): the throwaway cluster goes too; the replicas, children of this process, get the signal themselves.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { db?.stop(); process.exit(130); });
let code = 1;
try {
  const report = await simulate({
    databaseUrl,
    replicas: count(values.replicas, DEFAULTS.replicas, 'replicas'),
    workspaces: count(values.workspaces, DEFAULTS.workspaces, 'workspaces'),
    events: count(values.events, DEFAULTS.events, 'events'),
    killEveryMs: count(values['kill-every'], DEFAULTS.killEveryMs / 1000, 'kill-every') * 1000,
    usersPerWorkspace: count(values.users, DEFAULTS.usersPerWorkspace, 'users'),
    concurrency: count(values.concurrency, DEFAULTS.concurrency, 'concurrency'),
    leaseMs: count(values['lease-ms'], DEFAULTS.leaseMs, 'lease-ms'),
    singleToken: values['single-token'] ?? false,
    keepLogs: values['keep-logs'] ?? false,
    progress: (line) => console.error(`sim: ${line}`),
  });
  for (const line of reportLines(report)) console.log(line);
  code = report.ok ? 0 : 1;
} catch (err) {
  console.error(`sim: ${(err as Error).message}`);
} finally {
  db?.stop();
}
process.exit(code);
