/**
 * Things medbill hands to Teams by a link or a token rather than in a message (an offered file, a chart
 * picture), kept in memory for a while: never in SQLite, a bounded number of them (the oldest go first), and
 * each under an unguessable token. A restart forgets them; whoever asks after that is told to ask again.
 */
import { randomBytes } from 'node:crypto';

export class Held<T> {
  private readonly held = new Map<string, { value: T; owner?: string; until: number }>();

  constructor(private readonly opts: { ttlMs: number; max: number; now?: () => number }) {}

  private now() {
    return (this.opts.now ?? Date.now)();
  }

  /** Keeps `value` (for `owner` alone, when given) and returns its token. */
  hold(value: T, owner?: string): string {
    const now = this.now();
    for (const [token, h] of this.held) if (h.until <= now) this.held.delete(token);
    while (this.held.size >= this.opts.max) {
      const oldest = this.held.keys().next().value;
      if (oldest === undefined) break;
      this.held.delete(oldest);
    }
    const token = randomBytes(18).toString('base64url');
    this.held.set(token, { value, ...(owner !== undefined ? { owner } : {}), until: now + this.opts.ttlMs });
    return token;
  }

  /** The value, if it is still held (and, when it has an owner, for this one). */
  get(token: string, owner?: string): T | undefined {
    const h = this.held.get(token);
    if (!h || h.until <= this.now() || (h.owner !== undefined && h.owner !== owner)) return undefined;
    return h.value;
  }

  /** The value, once. */
  take(token: string, owner?: string): T | undefined {
    const value = this.get(token, owner);
    if (value !== undefined) this.held.delete(token);
    return value;
  }

  get size(): number {
    return this.held.size;
  }
}
