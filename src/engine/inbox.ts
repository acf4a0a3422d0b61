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
 */
import { setImmediate as nextTick } from 'node:timers/promises';
import type { InboxRow, InboxStore } from '../store/inbox.js';
import { sessionKey, type Engine, type Screened } from './engine.js';
import type { Reply, Turn } from './model.js';
import { errorFields, silentLogger, type Logger } from '../log.js';

/** Carries replies to the person: `route` is what the adapter stored with the event (platform ids only). */
export type Deliver = (replies: Reply[], route: unknown, turn: Turn) => Promise<void>;

export type Accepted = 'accepted' | 'duplicate' | 'busy' | 'ignored';

export interface InboxOptions {
  store: InboxStore;
  engine: Engine;
  log?: Logger;
  /** Open (acknowledged, not yet delivered) events above which new ones are refused for now. */
  maxOpen?: number;
  /** Events applied and delivered at the same time, across people. */
  concurrency?: number;
  /** How long a delivered event id is remembered, to recognise retries. */
  keepMs?: number;
  now?: () => number;
}

interface StoredTurn { turn: Turn; screened: Screened }

export class Inbox {
  private readonly store: InboxStore;
  private readonly engine: Engine;
  private readonly log: Logger;
  private readonly maxOpen: number;
  private readonly concurrency: number;
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
  /** The open events counted at start: accept waits for it. */
  private readonly counted: Promise<void>;
  private running = 0;
  private accepted = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly slots: (() => void)[] = [];
  private ticking = false;

  constructor(opts: InboxOptions) {
    this.store = opts.store;
    this.engine = opts.engine;
    this.log = opts.log ?? silentLogger;
    this.maxOpen = opts.maxOpen ?? 2000;
    this.concurrency = opts.concurrency ?? 16;
    this.keepMs = opts.keepMs ?? 24 * 60 * 60 * 1000;
    this.now = opts.now ?? Date.now;
    this.counted = this.store.countOpen().then((n) => { this.open += n; });
    this.counted.catch(() => undefined); // reported by accept, which waits for it
  }

  /**
   * Registers how a platform's replies are delivered, and resumes that platform's events that were
   * acknowledged before a restart and not yet delivered.
   */
  async register(platform: string, deliver: Deliver): Promise<void> {
    this.deliverers.set(platform, deliver);
    let resumed = 0;
    for (const row of await this.store.open()) {
      if (this.queued.has(row.seq) || this.parse(row)?.turn.platform !== platform) continue;
      this.enqueue(row);
      resumed++;
    }
    if (resumed) this.log.log('info', 'inbox-resumed', { platform, events: resumed });
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
    await this.counted;
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
      seq = await this.store.add({ ...row, practice: this.engine.practiceOf(turn) }, now);
    } catch (err) {
      this.open--;
      throw err;
    }
    if (seq === undefined) {
      this.open--;
      return 'duplicate';
    }
    if (++this.accepted % 500 === 0) await this.store.prune(now - this.keepMs);
    this.enqueue({ ...row, seq, status: 'pending', replies: null });
    return 'accepted';
  }

  /** Open events (acknowledged, not yet delivered). */
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

  private enqueue(row: InboxRow) {
    this.queued.add(row.seq);
    this.waiting.push(row);
    this.pump();
  }

  private pump() {
    while (this.running < this.concurrency && this.waiting.length > 0) {
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
        if (this.running === 0 && this.waiting.length === 0) this.idleWaiters.splice(0).forEach((f) => f());
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

  /** Applies (if not yet applied) and delivers one event, then marks it done. Never throws. */
  private async process(row: InboxRow): Promise<void> {
    await this.slot();
    const stored = this.parse(row);
    const deliver = stored && this.deliverers.get(stored.turn.platform);
    try {
      if (!stored || !deliver) throw new Error('an inbox row could not be read');
      const replies = row.status === 'answered' && row.replies !== null
        ? (JSON.parse(row.replies) as Reply[])
        : await this.engine.handleScreened(stored.turn, stored.screened, (r) => [{ kind: 'inbox.answered', seq: row.seq, replies: JSON.stringify(r), at: this.now() }]);
      await deliver(replies, JSON.parse(row.route) as unknown, stored.turn);
    } catch (err) {
      // The adapter reports delivery failures to the person itself; this is the last line.
      this.log.log('error', 'inbox-event-failed', { ...errorFields(err) });
    }
    try {
      await this.store.markDone(row.seq, this.now());
    } catch (err) {
      // The database closed under us (shutting down): the event stays open and is delivered again at start.
      this.log.log('warn', 'inbox-mark-done-failed', errorFields(err));
    }
    this.open--;
  }
}
