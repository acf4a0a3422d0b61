/**
 * Event ids already handled, so a platform's re-delivery (Slack retries an event it thinks was missed) is
 * acknowledged but not answered twice, also after a restart.
 */
import type { Db } from './db.js';

export class SeenEvents {
  private readonly insert;
  private readonly prune;
  private inserted = 0;

  constructor(db: Db, private readonly keepMs = 24 * 60 * 60 * 1000) {
    this.insert = db.prepare('INSERT OR IGNORE INTO seen_events (id, seen_at) VALUES (?, ?)');
    this.prune = db.prepare('DELETE FROM seen_events WHERE seen_at < ?');
  }

  /** True the first time an id is offered; false for every repeat. Old ids are forgotten after a day. */
  firstTime(id: string, now = Date.now()): boolean {
    const fresh = this.insert.run(id, now).changes === 1;
    if (fresh && ++this.inserted % 500 === 0) this.prune.run(now - this.keepMs);
    return fresh;
  }
}
