/**
 * Things medbill hands to Teams by a link or a token rather than in a message (an offered file, a chart
 * picture), kept in the database (src/store/held.ts) until they expire, each under an unguessable token, so
 * any medbill process behind the same database answers for them, also after a restart. Cards are rendered
 * synchronously, so the token is made at once and the write awaited (`settled`) before a card naming it is
 * sent.
 */
import { randomBytes } from 'node:crypto';
import type { HeldStore, HeldThing } from '../../src/store/held.js';

export class Holding {
  private pending: Promise<void>[] = [];

  constructor(private readonly store: HeldStore, private readonly now: () => number) {}

  /** Holds `thing` for `ttlMs` and returns its token; the write is finished by the next `settled()`. */
  hold(thing: Omit<HeldThing, 'until'>, ttlMs: number): string {
    const token = randomBytes(18).toString('base64url');
    const now = this.now();
    const write = this.store.hold(token, { ...thing, until: now + ttlMs }, now);
    write.catch(() => {}); // its failure is reported by settled(), not as an unhandled rejection
    this.pending.push(write);
    return token;
  }

  /** Resolves once everything held so far is stored; rejects when a write failed. */
  async settled(): Promise<void> {
    const writes = this.pending.splice(0);
    await Promise.all(writes);
  }

  get(token: string, kind: string, owner?: string): Promise<HeldThing | undefined> {
    return this.store.get(token, kind, owner, this.now());
  }

  take(token: string, kind: string, owner?: string): Promise<HeldThing | undefined> {
    return this.store.take(token, kind, owner, this.now());
  }
}
