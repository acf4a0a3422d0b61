/**
 * Things medbill hands to a platform by a token instead of in a message (a file offered in Teams, waiting for
 * the person's consent; a chart's picture, fetched by Teams' image proxy), kept in the database until they
 * expire, so whichever process behind the same database gets the answer or the fetch can serve it, also after
 * a restart. Each is held under an unguessable token; an offered file is for its owner alone.
 */

export interface HeldThing {
  /** What it is ('file', 'picture'): a token for one kind does not open another. */
  kind: string;
  bytes: Buffer;
  name?: string;
  mediaType?: string;
  /** The person it was offered to (platform user id), when it is for one person only. */
  owner?: string;
  /** Held until this instant (ms). */
  until: number;
}

export interface HeldStore {
  /**
   * Keeps `thing` under `token`, and drops what has expired by `now` in every practice: a practice that stops
   * offering files keeps none of them past their time (a file is a letter or a claim form, with case details).
   */
  hold(token: string, thing: HeldThing, now: number): Promise<void>;
  /** The thing, if it is still held at `now`, of this kind, and (when it has an owner) for this owner. */
  get(token: string, kind: string, owner: string | undefined, now: number): Promise<HeldThing | undefined>;
  /** As get, and it is gone after: an answered offer is answered once. */
  take(token: string, kind: string, owner: string | undefined, now: number): Promise<HeldThing | undefined>;
}
