/**
 * Things medbill hands to Teams by a link or a token rather than in a message (an offered file, a chart
 * picture), kept in the database (src/store/held.ts) until they expire, each under an unguessable token, so
 * any medbill process behind the same database answers for them, also after a restart. Cards are rendered
 * synchronously, so the token is made at once and the write awaited (`settled`) before a card naming it is
 * sent. Each is held in the practice of the Teams tenant it was made for (a chart's picture link names that
 * tenant), so one practice's things are filed, purged and found among its own rows only.
 */
import { randomBytes } from 'node:crypto';
import type { HeldStore, HeldThing } from '../../src/store/held.js';

/** The held things of the practice a place belongs to (the composition root's House.heldOf). */
export type HeldFor = (place: { platform: string; tenant?: string }) => HeldStore;

export class Holding {
  private pending: Promise<void>[] = [];

  constructor(private readonly heldFor: HeldFor, private readonly now: () => number) {}

  /** The store of a Teams tenant's practice (none given: a place without a tenant). */
  private storeFor(tenant: string | undefined): HeldStore {
    return this.heldFor({ platform: 'teams', ...(tenant ? { tenant } : {}) });
  }

  /** Holds `thing` for `ttlMs` in `tenant`'s practice and returns its token; the write is finished by the next `settled()`. */
  hold(tenant: string | undefined, thing: Omit<HeldThing, 'until'>, ttlMs: number): string {
    const token = randomBytes(18).toString('base64url');
    const now = this.now();
    const write = this.storeFor(tenant).hold(token, { ...thing, until: now + ttlMs }, now);
    write.catch(() => {}); // its failure is reported by settled(), not as an unhandled rejection
    this.pending.push(write);
    return token;
  }

  /** Resolves once everything held so far is stored; rejects when a write failed. */
  async settled(): Promise<void> {
    const writes = this.pending.splice(0);
    await Promise.all(writes);
  }

  get(tenant: string | undefined, token: string, kind: string, owner?: string): Promise<HeldThing | undefined> {
    return this.storeFor(tenant).get(token, kind, owner, this.now());
  }

  take(tenant: string | undefined, token: string, kind: string, owner?: string): Promise<HeldThing | undefined> {
    return this.storeFor(tenant).take(token, kind, owner, this.now());
  }
}
