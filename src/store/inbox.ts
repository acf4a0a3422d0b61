/**
 * The inbox port: incoming events recorded before they are acknowledged (see src/engine/inbox.ts). A row is
 * `pending` until its turn is applied, `answered` (with the replies) once the turn has committed (the answer
 * is a write of the turn's unit of work), and `done` once the replies were delivered. Done rows are kept a
 * while so that a platform's re-delivery of the same event is recognised and not answered twice.
 *
 * Replicas: an open row is worked on only by the process holding its lease (`owner` until `until`). The
 * process that accepts an event holds it from the insert; a row whose lease ran out (its holder was killed)
 * is claimed by another, atomically, so two processes never hold one row. The answer and `markDone` land
 * only for the holder, so a turn is applied once even when a lease ran out while it was worked on.
 */

export type InboxStatus = 'pending' | 'answered' | 'done';

export interface InboxRow {
  seq: number;
  eventId: string;
  sessionKey: string;
  /** JSON, as the engine wrote it. */
  turn: string;
  /** JSON, as the adapter wrote it. */
  route: string;
  status: InboxStatus;
  replies: string | null;
}

/** A process's hold on rows: who (`owner`), until when (ms). */
export interface Lease { owner: string; until: number }

export interface InboxStore {
  /**
   * Records an event unless its id was seen before (the check and the write are one atomic step), held by
   * `lease`. Returns the row's sequence number (arrival order), or undefined for a repeat. `practice`: the
   * practice the event was accepted for (default: the view's), recorded on the row; the queue is the deployment's.
   */
  add(row: { eventId: string; sessionKey: string; turn: string; route: string; practice?: string }, now: number, lease: Lease): Promise<number | undefined>;
  /**
   * Takes up to `limit` open rows of these platforms (a session key's first part) whose lease is free at
   * `now` (none, or run out), or that `mine` holds already (this process's earlier life), in arrival order,
   * and holds them by `lease`. Atomic: two processes claiming at once never get the same row.
   */
  claim(lease: Lease, now: number, opts: { platforms: readonly string[]; limit: number; mine?: string }): Promise<InboxRow[]>;
  /** Extends the lease on these rows where `lease.owner` still holds them open; returns how many. */
  renew(lease: Lease, seqs: readonly number[]): Promise<number>;
  /** Extends the lease on one row if `lease.owner` still holds it open; its status and answer then, else undefined. */
  hold(seq: number, lease: Lease): Promise<Pick<InboxRow, 'status' | 'replies'> | undefined>;
  /** Lets go of these rows (not done) so another process can take them at once (an orderly stop). */
  release(owner: string, seqs: readonly number[]): Promise<void>;
  /** Marks the row delivered, only if `owner` holds it; false when it does not (another process took it over). */
  markDone(seq: number, now: number, owner: string): Promise<boolean>;
  /**
   * Everything acknowledged and not yet delivered, in arrival order, and how many: what the queue holds, for
   * tests and tools (processes take their work with `claim`).
   */
  open(): Promise<InboxRow[]>;
  countOpen(): Promise<number>;
  /** Forgets delivered events older than `before`; returns how many. */
  prune(before: number): Promise<number>;
}
