/**
 * Storage for tests: SQLite, the one implementation today (a file, or ':memory:'), and the services built on
 * it the way the root builds them. The store suite (test/store/) takes any factory of the same ports.
 */
import { afterEach } from 'vitest';
import { openSqliteStorage, type SqliteStorage } from '../../src/store/sqlite/index.js';
import type { Storage } from '../../src/store/storage.js';
import type { UnitOfWork } from '../../src/store/unit-of-work.js';
import type { SessionRow } from '../../src/store/sessions.js';
import { ClaimService } from '../../src/claims/service.js';
import { LetterService } from '../../src/letters/service.js';
import type { Clock } from '../../src/today.js';
import { shelf } from './house.js';

export function sqliteStorage(path = ':memory:'): SqliteStorage {
  return openSqliteStorage(path);
}

/** Opens SQLite storages (':memory:' unless a path is given), each closed after the test that opened it: call once at a test file's top. */
export function sqliteClosedAfterEach(): (path?: string) => SqliteStorage {
  const opened: SqliteStorage[] = [];
  afterEach(async () => {
    while (opened.length) await opened.pop()?.close();
  });
  return (path) => {
    const d = sqliteStorage(path);
    opened.push(d);
    return d;
  };
}

export function claimService(storage: Storage, now?: Clock): ClaimService {
  return new ClaimService(storage.claims, storage.unitOfWork, shelf.claims, now);
}

export function letterService(storage: Storage): LetterService {
  return new LetterService(storage.letters, shelf.letters);
}

/** The same storage with another unit of work (a test that makes a commit meet a changed record). */
export function withUnitOfWork(s: Storage, unitOfWork: UnitOfWork): Storage {
  return {
    sessions: s.sessions, cases: s.cases, inbox: s.inbox, references: s.references, claims: s.claims, claimReports: s.claimReports,
    digests: s.digests, letters: s.letters, icd10: s.icd10, held: s.held, installations: s.installations, settings: s.settings, unitOfWork, practiceId: s.practiceId,
    practice: (id) => s.practice(id), digestPractices: () => s.digestPractices(), purgeExpiredSessions: (now) => s.purgeExpiredSessions(now), purgeDigestRuns: (before) => s.purgeDigestRuns(before), check: () => s.check(), close: () => s.close(),
  };
}

/** Writes a session as given (conditional on its own version: a test that damages a stored state). */
export async function putSession(s: Storage, row: SessionRow<unknown>): Promise<void> {
  if (!(await s.unitOfWork.commit([{ kind: 'session.put', row, expectedVersion: row.version }]))) throw new Error(`session ${row.key} is not at version ${row.version}`);
}
