/**
 * The WAL checkpoint runs on its own thread in a serving process, not inside a commit: a commit that happened
 * to push the log past SQLite's automatic limit used to copy the whole log back to the file itself (the claim
 * update's p99 in the bench). Here the main connection's own limit is only a cap, and the thread keeps the
 * log checkpointed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStorage, type SqliteStorage } from '../../../src/store/sqlite/index.js';
import { CAP_PAGES, type CheckpointRun } from '../../../src/store/sqlite/checkpointer.js';
import type { SessionRow } from '../../../src/store/sessions.js';
import { tempDbPath } from '../../helpers.js';

const row = (key: string, version: number): SessionRow<unknown> => ({
  key, flow: 'triage', flowVersion: 1, state: { step: 'asked', slots: { note: 'x'.repeat(2000) } }, history: [], version, updatedAt: 1000, expiresAt: 10_000,
});

describe('the WAL checkpoint thread', () => {
  const opened: SqliteStorage[] = [];
  afterEach(async () => {
    while (opened.length) await opened.pop()?.close();
  });

  it('starts on the first commit of a serving process, raises the automatic checkpoint to a cap, and checkpoints the log itself', async () => {
    const path = tempDbPath('medbill-wal-');
    const s = openSqliteStorage(path, { checkpointThread: true });
    opened.push(s);
    const checkpointer = s.checkpointer;
    if (!checkpointer) throw new Error('a file opened to serve has a checkpointer');
    expect(checkpointer.running).toBe(false); // nothing written yet: no thread
    const runs: CheckpointRun[] = [];
    checkpointer.onCheckpoint((run) => runs.push(run));

    // Enough writes to pass SQLite's default limit of 1,000 pages several times over.
    for (let i = 0; i < 1500; i++) expect(await s.unitOfWork.commit([{ kind: 'session.put', row: row(`k${i}`, 1), expectedVersion: undefined }])).toBe(true);
    expect(checkpointer.running).toBe(true);
    expect(s.db.pragma('wal_autocheckpoint', { simple: true })).toBe(CAP_PAGES);

    // After the last commit, the thread copies the whole log back within a few of its ticks.
    const seen = runs.length;
    const deadline = Date.now() + 5000;
    const whole = () => runs.slice(seen).some((r) => r.log > 0 && r.checkpointed === r.log);
    while (!whole() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(whole(), `checkpoint runs seen: ${JSON.stringify(runs)}`).toBe(true);
    expect(runs.reduce((n, r) => n + r.checkpointed, 0)).toBeGreaterThan(1000); // more than one automatic checkpoint's worth
  });

  it('is not started for a command that writes once and exits, nor for a database in memory', async () => {
    const once = openSqliteStorage(tempDbPath('medbill-wal-'));
    const memory = openSqliteStorage(':memory:', { checkpointThread: true });
    opened.push(once, memory);
    expect(once.checkpointer).toBeUndefined();
    expect(memory.checkpointer).toBeUndefined();
    expect(await once.unitOfWork.commit([{ kind: 'session.put', row: row('k', 1), expectedVersion: undefined }])).toBe(true);
    expect(once.db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });

  it('stops with the storage, after a last checkpoint, and the data is all there when the file is opened again', async () => {
    const path = tempDbPath('medbill-wal-');
    const s = openSqliteStorage(path, { checkpointThread: true });
    for (let i = 0; i < 200; i++) await s.unitOfWork.commit([{ kind: 'session.put', row: row(`k${i}`, 1), expectedVersion: undefined }]);
    await s.close();
    expect(s.checkpointer?.running).toBe(false);
    const again = openSqliteStorage(path);
    opened.push(again);
    expect((await again.sessions.get('k199'))?.version).toBe(1);
  });
});
