/**
 * Storage for tests: SQLite, the one implementation today (a file, or ':memory:'), and the services built on
 * it the way the root builds them. The store suite (test/store/) takes any factory of the same ports.
 */
import { openSqliteStorage, type SqliteStorage } from '../../src/store/sqlite/index.js';
import type { Storage } from '../../src/store/storage.js';
import { ClaimService } from '../../src/claims/service.js';
import { LetterService } from '../../src/letters/service.js';
import type { Clock } from '../../src/today.js';

export function sqliteStorage(path = ':memory:'): SqliteStorage {
  return openSqliteStorage(path);
}

export function claimService(storage: Storage, now?: Clock): ClaimService {
  return new ClaimService(storage.claims, storage.unitOfWork, now);
}

export function letterService(storage: Storage): LetterService {
  return new LetterService(storage.letters);
}
