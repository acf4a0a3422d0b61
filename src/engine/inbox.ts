/**
 * The inbox: an incoming event is screened and written to the inbox store before the platform is told "received"
 * (accept), then applied and delivered from the table (drain), and marked done. After a crash, start-up
 * resumes what was acknowledged and not delivered:
 *
 *   accept ─► pending ──(turn applied; replies stored in the same transaction)──► answered ──(delivered)──► done
 *
 * A repeat of an event id (a platform's retry, a replayed request) is recognised by the insert itself and
 * not answered again. The number of open events is bounded: past the bound, accept says `busy` and the
 * adapter asks the platform to retry later, instead of a queue that grows without limit.
 * Turns of one person are applied and delivered in arrival order; different people's run side by side.
 *
 * Replicas (several processes on one database): a row is worked on by the process holding its lease. The
 * one that accepts an event holds it from the insert; every process renews its leases and, at the same tick,
 * claims rows whose lease ran out (a replica killed) and resumes them. The answer lands only while this
 * process holds the row, so a turn is applied once. A process that dies after part of an answer went out
 * leaves it to the next holder, which delivers it `again` (see Delivery): a platform that can look its posts
 * up (Slack) posts only the missing ones; one that cannot (Teams) sends the message in flight once more.
 */
import { randomBytes } from 'node:crypto';
import { setImmediate as nextTick } from 'node:timers/promises';
import type { InboxRow, InboxStore, Lease } from '../store/inbox.js';
import { sessionKey, type AnswerWrites, type Engine, type Screened } from './engine.js';
import type { Reply, Turn } from './model.js';
import { errorFields, silentLogger, type Logger } from '../log.js';

/**
 * Which delivery this is: the event's id, a key for what it posts, and `again` when its answer was stored
 * earlier (by a process that died, or another replica) and may have gone out in part: a platform that can look
 * its posts up by that key then posts only what is missing.
 */
export interface Delivery { eventId: string; again: boolean }

/** Carries replies to the person: `route` is what the adapter stored with the event (platform ids only). */
export type Deliver = (replies: Reply[], route: unknown, turn: Turn, delivery: Delivery) => Promise<void>;

export type Accepted = 'accepted' | 'duplicate' | 'busy' | 'ignored';

export interface InboxOptions {
  store: InboxStore;
  engine: Engine;
  log?: Logger;
  /** Open (acknowledged, not yet delivered) events above which new ones are refused for now. */
  maxOpen?: number;
  /** Events applied and delivered at the same time, across people. */
  concurrency?: number;
  /**
   * Of those, turns being applied (read, decided, written) at the same time; the others are being delivered.
   * Default 4: below the PostgreSQL pool's 10 connections, so an event being accepted always finds one free,
   * while deliveries (the platform's latency) still run `concurrency` wide.
   */
  applying?: number;
  /** How long a delivered event id is remembered, to recognise retries. */
  keepMs?: number;
  now?: () => number;
  /**
   * This process's name on the rows it holds (default a random one). A process that keeps its name across
   * restarts takes its own earlier rows back at start instead of waiting for their leases to run out.
   */
  owner?: string;
  /** How long a hold lasts unrenewed (default 30 s): leases are renewed, and run-out ones claimed, every third of it. */
  leaseMs?: number;
}

export const DEFAULT_LEASE_MS = 30_000;

interface StoredTurn { turn: Turn; screened: Screened }
/** A row's answer to deliver; `again`: it was stored before this delivery (see Delivery). */
interface Answered { replies: Reply[]; again: boolean }

export class Inbox {
  private readonly store: InboxStore;
  private readonly engine: Engine;
  private readonly log: Logger;
  private readonly maxOpen: number;
  private readonly concurrency: number;
  private readonly applyingMax: number;
  private applying = 0;
  private readonly applyWaiters: (() => void)[] = [];
  private readonly keepMs: number;
  private readonly now: () => number;
  private readonly deliverers = new Map<string, Deliver>();
  private readonly waiting: InboxRow[] = [];
  private readonly queued = new Set<number>();
  /** Each person's latest accept still under way, so their next one is accepted after it. */
  private readonly accepting = new Map<string, Promise<unknown>>();
  /** The last piece of work per person, so their next one starts after it. */
  private readonly chains = new Map<string, Promise<void>>();
  private open = 0;
  private running = 0;
  private accepted = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly slots: (() => void)[] = [];
  private ticking = false;
  readonly owner: string;
  private readonly leaseMs: number;
  private sweeper?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private stopped = false;

  constructor(opts: InboxOptions) {
    this.store = opts.store;
    this.engine = opts.engine;
    this.log = opts.log ?? silentLogger;
    this.maxOpen = opts.maxOpen ?? 2000;
    this.concurrency = opts.concurrency ?? 16;
    this.applyingMax = opts.applying ?? 4;
    this.keepMs = opts.keepMs ?? 24 * 60 * 60 * 1000;
    this.now = opts.now ?? Date.now;
    this.owner = opts.owner ?? `replica-${randomBytes(6).toString('base64url')}`;
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  }

  private lease(): Lease {
    return { owner: this.owner, until: this.now() + this.leaseMs };
  }

  /**
   * Registers how a platform's replies are delivered, and resumes that platform's events acknowledged and not
   * yet delivered that no live process holds (this process's own, from before a restart, at once). From
   * then on, leases are renewed and run-out ones taken over every third of the lease.
   */
  async register(platform: string, deliver: Deliver): Promise<void> {
    this.deliverers.set(platform, deliver);
    await this.sweep([platform], this.owner);
    if (!this.sweeper && !this.stopped) {
      this.sweeper = setInterval(() => void this.sweep([...this.deliverers.keys()]), Math.max(10, Math.floor(this.leaseMs / 3)));
      this.sweeper.unref();
    }
  }

  /**
   * Renews this process's leases, then claims open rows of these platforms whose lease ran out (or `mine`'s),
   * up to the bound, and queues them. One at a time; never throws (the next tick tries again).
   */
  private async sweep(platforms: string[], mine?: string): Promise<void> {
    while (this.sweeping) await this.sweeping;
    const run = (async () => {
      if (this.stopped) return;
      const now = this.now();
      const lease = this.lease();
      // Only what is queued or under way here: a row left open by a failed markDone runs out and is retried.
      await this.store.renew(lease, [...this.queued]);
      const rows = await this.store.claim(lease, now, { platforms, limit: this.maxOpen - this.open, ...(mine ? { mine } : {}) });
      let resumed = 0;
      for (const row of rows) {
        if (!this.enqueue(row)) continue; // already being worked on here (this process's own, renewed)
        this.open++;
        resumed++;
      }
      if (resumed) this.log.log('info', 'inbox-resumed', { platforms: platforms.join(','), events: resumed });
    })().catch((err: unknown) => this.log.log('warn', 'inbox-sweep-failed', errorFields(err)));
    this.sweeping = run;
    await run;
    if (this.sweeping === run) this.sweeping = undefined;
  }

  /**
   * Stops sweeping and starting work, and lets go of the events waiting here so another process takes them
   * at once; the ones under way finish (see idle). For an orderly stop, before the database closes.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweeper);
    await this.sweeping;
    const left = this.waiting.splice(0);
    for (const row of left) this.queued.delete(row.seq);
    this.open -= left.length;
    this.settleIdle();
    try {
      await this.store.release(this.owner, left.map((r) => r.seq));
    } catch (err) {
      this.log.log('warn', 'inbox-release-failed', errorFields(err)); // their leases run out instead
    }
  }

  /**
   * Records a turn before the platform is acknowledged: when it resolves `accepted`, the event is stored. The turn needs an eventId and a registered platform. `busy`: too many open events; the
   * adapter tells the platform to retry later.
   */
  accept(turn: Turn & { eventId: string }, route: unknown, opts: { mustKeep?: boolean } = {}): Promise<Accepted> {
    if (!this.deliverers.has(turn.platform)) return Promise.reject(new Error(`no delivery registered for ${turn.platform}`));
    // Bots talking to medbill (or medbill to itself) are acknowledged and not answered: no loops between bots.
    if (turn.fromBot) return Promise.resolve('ignored');
    // One person's events are accepted one after the other, in the order they came, as when accepting was
    // synchronous: an earlier message still being accepted counts as one still waiting.
    const key = sessionKey(turn);
    const before = this.accepting.get(key);
    const waiting = before !== undefined || this.chains.has(key);
    const work = (async () => {
      await before;
      return this.storeEvent(turn, route, opts, waiting);
    })();
    const settled = work.catch(() => undefined);
    this.accepting.set(key, settled);
    void settled.then(() => {
      if (this.accepting.get(key) === settled) this.accepting.delete(key);
    });
    return work;
  }

  private async storeEvent(turn: Turn & { eventId: string }, route: unknown, opts: { mustKeep?: boolean }, waiting: boolean): Promise<Accepted> {
    // Stopping: the platform retries, and another process (or this one's next start) takes it. One that
    // cannot retry is stored and left to the lease running out.
    if (this.stopped && !opts.mustKeep) return 'busy';
    // `mustKeep`: the platform was acknowledged already and cannot be asked to retry (Slack's Socket Mode).
    if (this.open >= this.maxOpen && !opts.mustKeep) {
      this.log.log('warn', 'inbox-full', { platform: turn.platform, open: this.open, max: this.maxOpen });
      return 'busy';
    }
    this.open++; // counted now, so events accepted meanwhile see it
    let seq: number | undefined;
    let row: { eventId: string; sessionKey: string; turn: string; route: string };
    const now = this.now();
    try {
      // Read as the answer to the person's pending question only when nothing of theirs is still waiting:
      // an earlier message may change which question that is.
      const screened = await this.engine.screen(turn.input, waiting || this.chains.has(sessionKey(turn)) ? undefined : turn);
      // Only the screened input is stored: the raw text may carry identifiers.
      const stored: StoredTurn = { turn: { ...turn, input: 'input' in screened ? screened.input : { kind: 'text', text: '' } }, screened };
      row = { eventId: turn.eventId, sessionKey: sessionKey(turn), turn: JSON.stringify(stored), route: JSON.stringify(route ?? null) };
      seq = await this.store.add({ ...row, practice: this.engine.practiceOf(turn) }, now, this.lease());
    } catch (err) {
      this.open--;
      throw err;
    }
    if (seq === undefined) {
      this.open--;
      return 'duplicate';
    }
    // Now and then, delivered ids past keeping are forgotten; not on this event's way to its acknowledgement.
    if (++this.accepted % 500 === 0) void this.store.prune(now - this.keepMs).catch((err: unknown) => this.log.log('warn', 'inbox-prune-failed', errorFields(err)));
    // A sweep at register may have claimed it already (this process's own row) and counted it then.
    if (!this.enqueue({ ...row, seq, status: 'pending', replies: null })) this.open--;
    return 'accepted';
  }

  /** Open events this process holds (acknowledged, not yet delivered). */
  get openCount(): number {
    return this.open;
  }

  /** Resolves when nothing is waiting or running (for tests and an orderly stop). */
  idle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private parse(row: InboxRow): StoredTurn | undefined {
    try {
      return JSON.parse(row.turn) as StoredTurn;
    } catch {
      return undefined;
    }
  }

  /** Queues a row unless it is queued or under way here already; false then. */
  private enqueue(row: InboxRow): boolean {
    if (this.queued.has(row.seq)) return false;
    this.queued.add(row.seq);
    this.waiting.push(row);
    this.pump();
    return true;
  }

  private settleIdle() {
    if (this.running === 0 && this.waiting.length === 0) this.idleWaiters.splice(0).forEach((f) => f());
  }

  private pump() {
    while (!this.stopped && this.running < this.concurrency && this.waiting.length > 0) {
      const row = this.waiting.shift();
      if (!row) break;
      this.running++;
      const before = this.chains.get(row.sessionKey) ?? Promise.resolve();
      const work = before.then(() => this.process(row));
      this.chains.set(row.sessionKey, work);
      void work.finally(() => {
        this.running--;
        this.queued.delete(row.seq);
        if (this.chains.get(row.sessionKey) === work) this.chains.delete(row.sessionKey);
        this.pump();
        this.settleIdle();
      });
    }
  }

  /**
   * One event's turn per event-loop iteration, across all people: between two turns the server reads and
   * acknowledges new requests, so a backlog being worked off does not slow the acknowledgements down.
   */
  private slot(): Promise<void> {
    return new Promise((resolve) => {
      this.slots.push(resolve);
      if (!this.ticking) this.tick();
    });
  }

  private tick() {
    this.ticking = true;
    void nextTick().then(() => {
      const go = this.slots.shift();
      if (!go) {
        this.ticking = false;
        return;
      }
      go();
      this.tick();
    });
  }

  /** Runs `work` as one of the turns being applied (see InboxOptions.applying), waiting for a place first. */
  private async applyingOne<T>(work: () => Promise<T>): Promise<T> {
    while (this.applying >= this.applyingMax) await new Promise<void>((resolve) => this.applyWaiters.push(resolve));
    this.applying++;
    try {
      return await work();
    } finally {
      this.applying--;
      this.applyWaiters.shift()?.();
    }
  }

  /**
   * Applies (if not yet applied) and delivers one event, then marks it done, while this process holds it.
   * Never throws.
   */
  private async process(row: InboxRow): Promise<void> {
    await this.slot();
    const stored = this.parse(row);
    const deliver = stored && this.deliverers.get(stored.turn.platform);
    let ours = true;
    try {
      if (!stored || !deliver) throw new Error('an inbox row could not be read');
      const answered = await this.applyingOne(() => (row.status === 'answered' ? this.storedAnswer(row.seq) : this.answer(row.seq, stored)));
      if (answered) await deliver(answered.replies, JSON.parse(row.route) as unknown, stored.turn, { eventId: row.eventId, again: answered.again });
      else {
        ours = false;
        this.log.log('info', 'inbox-taken-over', { platform: stored.turn.platform });
      }
    } catch (err) {
      // The adapter reports delivery failures to the person itself; this is the last line.
      this.log.log('error', 'inbox-event-failed', { ...errorFields(err) });
    }
    try {
      if (ours) await this.store.markDone(row.seq, this.now(), this.owner);
    } catch (err) {
      // The database closed under us (shutting down): the event stays open and is delivered again by whoever holds it next.
      this.log.log('warn', 'inbox-mark-done-failed', errorFields(err));
    }
    this.open--;
  }

  /**
   * The stored answer of a row answered earlier, holding it on for the delivery (again: it may have gone out in
   * part); undefined when another process holds it.
   */
  private async storedAnswer(seq: number): Promise<Answered | undefined> {
    return storedReplies(await this.store.hold(seq, this.lease()));
  }

  /**
   * Applies the turn with its answer in one unit of work. When the answer did not land, the turn either failed
   * (the row is still ours and pending: its replies say so) or another process holds the row now (undefined).
   */
  private async answer(seq: number, stored: StoredTurn): Promise<Answered | undefined> {
    let landed = false;
    const answer: AnswerWrites = {
      writes: (r) => {
        const now = this.now();
        return [{ kind: 'inbox.answered', seq, replies: JSON.stringify(r), at: now, owner: this.owner, until: now + this.leaseMs }];
      },
      landed: () => { landed = true; },
    };
    const replies = await this.engine.handleScreened(stored.turn, stored.screened, answer);
    if (landed) return { replies, again: false };
    const held = await this.store.hold(seq, this.lease());
    return held?.status === 'pending' ? { replies, again: false } : storedReplies(held);
  }
}

/** The answer stored on a held row, to deliver again (it may have gone out in part); undefined when not held or not answered. */
function storedReplies(held: Pick<InboxRow, 'status' | 'replies'> | undefined): Answered | undefined {
  return held?.replies ? { replies: JSON.parse(held.replies) as Reply[], again: true } : undefined;
}
