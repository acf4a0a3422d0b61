/**
 * The inbox port: incoming events recorded before they are acknowledged (see src/engine/inbox.ts). A row is
 * `pending` until its turn is applied, `answered` (with the replies) once the turn has committed (the answer
 * is a write of the turn's unit of work), and `done` once the replies were delivered. Done rows are kept a
 * while so that a platform's re-delivery of the same event is recognised and not answered twice.
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

export interface InboxStore {
  /**
   * Records an event unless its id was seen before (the check and the write are one atomic step). Returns
   * the row's sequence number (arrival order), or undefined for a repeat. `practice`: the practice the event
   * was accepted for (default: the view's), recorded on the row; the queue is the deployment's.
   */
  add(row: { eventId: string; sessionKey: string; turn: string; route: string; practice?: string }, now: number): Promise<number | undefined>;
  markDone(seq: number, now: number): Promise<void>;
  /** Everything acknowledged and not yet delivered, in arrival order (for a restart). */
  open(): Promise<InboxRow[]>;
  countOpen(): Promise<number>;
  /** Forgets delivered events older than `before`; returns how many. */
  prune(before: number): Promise<number>;
}
