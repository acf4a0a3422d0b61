/**
 * What `triage`, `ask` and `lookup` read from MEDBILL_DB: the imported ICD-10-CM list (titles of diagnoses,
 * word search), and today's date in the practice's zone. A plain triage opens no database that is not there,
 * and loads none of the services.
 */
import { existsSync } from 'node:fs';
import { NO_DIRECTORY, type CodeDirectory } from '../knowledge/evidence.js';
import { loadConfig } from '../config.js';
import type { Icd10View } from '../store/icd10.js';
import { openConfiguredStorage } from './storage.js';
import { systemClock, todayIn } from '../today.js';
import type { Io } from '../command-line.js';

/**
 * Opens the database only if it exists, so a plain triage never creates files; closes it when `fn` is done.
 * `today` gives today's date in the practice's zone (MEDBILL_TIME_ZONE): the date of service of a case without one.
 */
export async function withDirectory<T>(io: Io, fn: (dir: CodeDirectory, today: () => string, icd10?: Icd10View) => T | Promise<T>): Promise<T> {
  const config = loadConfig();
  const { dbPath, zone } = config;
  // Worked out on first use only: most cases give a date of service or no diagnosis, and the zone's first
  // lookup loads the platform's time-zone data (tens of milliseconds and megabytes on a cold start).
  let date: string | undefined;
  const today = () => (date ??= todayIn(zone, io.clock ?? systemClock));
  if (!config.databaseUrl && (dbPath === ':memory:' || !existsSync(dbPath))) return fn(NO_DIRECTORY, today);
  const storage = openConfiguredStorage(config);
  try {
    const icd10 = await storage.icd10.view();
    return await fn(icd10 ?? NO_DIRECTORY, today, icd10);
  } finally {
    await storage.close();
  }
}
