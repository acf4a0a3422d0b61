/** The running parts every front end shares: the database and the engine, opened from the configuration. */
import { openDb, type Db } from './store/db.js';
import { Engine } from './engine/engine.js';
import type { Config } from './config.js';
import type { Logger } from './log.js';

export interface App { db: Db; engine: Engine; close(): void }

export function openApp(config: Config, opts: { log?: Logger; now?: () => number } = {}): App {
  const db = openDb(config.dbPath);
  const engine = new Engine({ db, sessionTtlMs: config.sessionTtlMs, ...opts });
  return { db, engine, close: () => db.close() };
}
