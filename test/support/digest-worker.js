// One medbill-like process running the digest scheduler against a shared database (a SQLite file, or a
// postgres:// URL), for the multi-process tests in test/unit/scheduler/ (it imports the build in dist/).
// Usage: node digest-worker.js <db> <out file> <owner> <fake start ms> <real start ms> <run for ms>
// Its clock reads fake start + (real time - real start), so every worker shares one timeline. Each publish
// appends "runKey owner" to the out file (one write with O_APPEND, so lines from processes do not mix).
import { appendFileSync } from 'node:fs';
import { openSqliteStorage } from '../../dist/src/store/sqlite/index.js';
import { DigestScheduler } from '../../dist/src/scheduler/digest-scheduler.js';

const [db, out, owner, fakeStart, realStart, runFor] = process.argv.slice(2);
const start = Number(realStart);
const now = () => Number(fakeStart) + (Date.now() - start);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const storage = db.startsWith('postgres') ? (await import('../../dist/src/store/postgres/index.js')).openPostgresStorage(db, { maxConnections: 4 }) : openSqliteStorage(db);
const scheduler = new DigestScheduler({
  store: storage.digests,
  owner,
  now,
  publish: async (target, date, runKey) => {
    await sleep(Math.random() * 20); // a platform call takes a while: widen the window for a second post
    appendFileSync(out, `${runKey} ${owner}\n`);
    return { messageId: `${owner}-${runKey}` };
  },
  findPosted: async () => [],
});

await sleep(Math.max(0, start - Date.now()));
let ticks = 0;
while (Date.now() < start + Number(runFor)) {
  await scheduler.tick();
  ticks++;
  await sleep(10);
}
process.stdout.write(`ticks=${ticks}\n`);
await storage.close(); // a pool's idle connections would keep the process alive
