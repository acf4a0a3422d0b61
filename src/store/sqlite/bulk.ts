/**
 * A large import into SQLite: once the unit written in batches has inserted more new claims than the tables
 * held (and at least LARGE_IMPORT), the secondary indexes of claims and their history are dropped inside its
 * transaction and made again from their stored definitions (sqlite_master) before it commits. Building an
 * index once over every row is cheaper than updating it row by row (a 200,000-row import spent a third of its
 * time in index updates). DDL is transactional in SQLite: a unit that rolls back, or fails while making them
 * again, leaves the tables and their indexes as they were, and other connections see the indexes throughout.
 *
 * The indexes an import reads through while it writes are kept: claims_reference (each batch's claim numbers)
 * and claim_history_case (a claim's history, for a row that updates one).
 */
import { setCacheSize, type Db } from './db.js';

/** New claims before indexes are worth dropping: below it, making them again costs more than it saves. */
export const LARGE_IMPORT = 20_000;

/** The page cache while the indexes are made (cache_size: KiB when negative). */
const SORT_CACHE = -2000;

/** Read while an import writes: never dropped. */
const KEPT = ['claims_reference', 'claim_history_case'];

interface StoredIndex { name: string; sql: string }

export class DeferredIndexes {
  private newClaims = 0;
  /** Claims the table held before the unit (every practice's: the indexes are shared), counted once it is large. */
  private before?: number;
  private dropped?: StoredIndex[];

  constructor(private readonly db: Db) {}

  /** `n` more new claims were inserted in the transaction: past the threshold, the indexes are dropped. */
  inserted(n: number): void {
    this.newClaims += n;
    if (this.dropped || this.newClaims < LARGE_IMPORT) return;
    this.before ??= (this.db.prepare<[], number>('SELECT count(*) FROM claims').pluck(true).get() ?? 0) - this.newClaims;
    if (this.newClaims < this.before) return;
    this.dropped = this.db.prepare<string[], StoredIndex>(
      `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('claims', 'claim_history') AND sql IS NOT NULL AND name NOT IN (${KEPT.map(() => '?').join(', ')}) ORDER BY name`,
    ).all(...KEPT);
    for (const { name } of this.dropped) this.db.exec(`DROP INDEX "${name.replaceAll('"', '""')}"`);
  }

  /** Before commit, in the transaction: every dropped index made again as it was defined. */
  restore(): void {
    const dropped = this.dropped ?? [];
    this.dropped = undefined;
    if (!dropped.length) return;
    // A sort builds each index, in memory up to the page cache's size (16 MB in this build), at the import's
    // peak: a smaller one for the sorts kept 200,000 rows 7 MB lower, at no cost in time.
    const cache = setCacheSize(this.db, SORT_CACHE);
    try {
      for (const { sql } of dropped) this.db.exec(sql);
    } finally {
      setCacheSize(this.db, cache);
    }
  }
}
