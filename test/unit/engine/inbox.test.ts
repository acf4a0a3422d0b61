/**
 * The inbox (issue 10, finding 3): an event is on disk before the platform is acknowledged, is answered
 * once, survives a restart before or after its turn was applied, and the backlog is bounded.
 */
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { openHouse as openApp } from '../../support/house.js';
import { loadConfig } from '../../../src/config.js';
import type { Reply, Turn } from '../../../src/engine/model.js';
import { reply } from '../../../src/engine/model.js';
import { APOLOGY, deliverOrApologise } from '../../../src/engine/intake.js';
import { createLogger } from '../../../src/log.js';
import { Inbox } from '../../../src/engine/inbox.js';
import type { InboxStore } from '../../../src/store/inbox.js';
import { tempDbPath } from '../../helpers.js';

const turn = (eventId: string, text: string, user = 'U1'): Turn & { eventId: string } => ({
  eventId, platform: 'test', user, conversation: 'dm', direct: true, input: { kind: 'text', text },
});
const never = () => new Promise<void>(() => {});
const rows = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT event_id AS id, status, turn, replies FROM inbox ORDER BY seq').all() as { id: string; status: string; turn: string; replies: string | null }[];
  } finally {
    db.close();
  }
};
const sessionVersion = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT version FROM sessions').get() as { version: number } | undefined)?.version;
  } finally {
    db.close();
  }
};

describe('inbox', () => {
  it('has the event on disk, screened, when accept returns', async () => {
    const path = tempDbPath();
    const app = openApp({ ...loadConfig({}), dbPath: path });
    await app.inbox.register('test', never);
    expect((await app.inbox.accept(turn('e1', 'pt John Smith ssn 123-45-6789 needs ext #30'), { to: 'U1' }))).toBe('accepted');
    const stored = rows(path);
    expect(stored.map((r) => r.id)).toEqual(['e1']);
    expect(stored[0]!.turn).not.toMatch(/Smith|123-45-6789/);
    expect(stored[0]!.turn).toContain('#30');
    app.close();
  });

  it('acknowledges a bot\'s message and never answers it, on any platform', async () => {
    const path = tempDbPath();
    const app = openApp({ ...loadConfig({}), dbPath: path });
    const delivered: Reply[][] = [];
    await app.inbox.register('test', async (r) => { delivered.push(r); });
    expect((await app.inbox.accept({ ...turn('bot1', 'help'), fromBot: true }, {}))).toBe('ignored');
    expect(await app.engine.handle({ ...turn('bot2', 'help'), fromBot: true })).toEqual([]);
    await app.inbox.idle();
    expect(delivered).toEqual([]);
    expect(rows(path)).toEqual([]);
    app.close();
  });

  it('answers a repeated event id once', async () => {
    const path = tempDbPath();
    const app = openApp({ ...loadConfig({}), dbPath: path });
    const delivered: Reply[][] = [];
    await app.inbox.register('test', async (r) => { delivered.push(r); });
    expect((await app.inbox.accept(turn('e1', 'help'), {}))).toBe('accepted');
    await app.inbox.idle();
    expect((await app.inbox.accept(turn('e1', 'help'), {}))).toBe('duplicate');
    await app.inbox.idle();
    expect(delivered).toHaveLength(1);
    expect(rows(path)).toEqual([{ id: 'e1', status: 'done', turn: '', replies: null }]); // only the id is kept
    app.close();
  });

  it('resumes, after a restart, an event acknowledged but never applied', async () => {
    const path = tempDbPath();
    const first = openApp({ ...loadConfig({}), dbPath: path });
    // The turn is recorded, then the process "dies" before the inbox gets to it (nothing registered runs it).
    await first.inbox.register('test', never);
    await first.inbox.accept(turn('e1', 'lookup K08.3'), { to: 'U1' });
    first.close();
    const second = openApp({ ...loadConfig({}), dbPath: path });
    const delivered: { replies: Reply[]; route: unknown }[] = [];
    await second.inbox.register('test', async (replies, route) => { delivered.push({ replies, route }); });
    await second.inbox.idle();
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.route).toEqual({ to: 'U1' });
    expect(JSON.stringify(delivered[0]!.replies)).toMatch(/K08\.3/);
    expect(rows(path).map((r) => r.status)).toEqual(['done']);
    second.close();
  });

  it('delivers the stored answer after a restart between the turn and its delivery, without applying the turn again', async () => {
    const path = tempDbPath();
    const first = openApp({ ...loadConfig({}), dbPath: path });
    let reached!: () => void;
    const atDelivery = new Promise<void>((resolve) => { reached = resolve; });
    await first.inbox.register('test', () => { reached(); return never(); });
    await first.inbox.accept(turn('e1', 'should I bill medical for the wisdom teeth?'), {});
    await atDelivery;
    expect(rows(path).map((r) => r.status)).toEqual(['answered']);
    const version = sessionVersion(path);
    first.close();

    const second = openApp({ ...loadConfig({}), dbPath: path });
    const delivered: Reply[][] = [];
    await second.inbox.register('test', async (r) => { delivered.push(r); });
    await second.inbox.idle();
    expect(delivered).toHaveLength(1);
    expect(JSON.stringify(delivered[0])).toMatch(/which insurance/i);
    expect(sessionVersion(path)).toBe(version); // the session moved once, not twice
    second.close();
  });

  it('refuses new events past its bound, and takes them again once there is room', async () => {
    const app = openApp({ ...loadConfig({}), dbPath: tempDbPath() }, { inboxMaxOpen: 2 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    await app.inbox.register('test', () => gate);
    expect((await app.inbox.accept(turn('a', 'help', 'U1'), {}))).toBe('accepted');
    expect((await app.inbox.accept(turn('b', 'help', 'U2'), {}))).toBe('accepted');
    expect((await app.inbox.accept(turn('c', 'help', 'U3'), {}))).toBe('busy');
    expect((await app.inbox.accept(turn('d', 'help', 'U4'), {}, { mustKeep: true }))).toBe('accepted');
    release();
    await app.inbox.idle();
    expect(app.inbox.openCount).toBe(0);
    expect((await app.inbox.accept(turn('c', 'help', 'U3'), {}))).toBe('accepted');
    await app.inbox.idle();
    app.close();
  });

  it('applies and delivers one person\'s turns in the order they arrived', async () => {
    const app = openApp({ ...loadConfig({}), dbPath: tempDbPath() });
    const order: string[] = [];
    (await app.inbox.register('test', async (replies) => {
      await new Promise((r) => setTimeout(r, Math.random() * 20));
      order.push(replies.map((r) => r.text).join(' '));
    }));
    await app.inbox.accept(turn('1', 'should I bill medical for the wisdom teeth?'), {});
    await app.inbox.accept(turn('2', 'combined plan'), {});
    await app.inbox.accept(turn('3', 'cancel'), {});
    await app.inbox.idle();
    expect(order).toHaveLength(3);
    expect(order[0]).toMatch(/which insurance/i);
    expect(order[2]).toMatch(/Cancelled/);
    app.close();
  });
});

describe('inbox, forgetting delivered ids', () => {
  it('acknowledges the event that starts a prune without waiting for it', async () => {
    const app = openApp({ ...loadConfig({}), dbPath: tempDbPath() });
    let prunes = 0;
    // A prune that never finishes (a large delete on a busy database).
    const store: InboxStore = Object.assign(Object.create(app.storage.inbox) as InboxStore, { prune: () => { prunes++; return new Promise<number>(() => {}); } });
    const inbox = new Inbox({ store, engine: app.engine });
    await inbox.register('test', async () => {});
    for (let i = 0; i < 500; i++) expect(await inbox.accept(turn(`p${i}`, 'help', `U${i}`), {})).toBe('accepted');
    expect(prunes).toBe(1);
    await inbox.idle();
    await inbox.stop();
    await app.close();
  });
});

describe('inbox, turns applied at once', () => {
  it('applies at most `applying` turns at the same time, while more deliveries than that are under way', async () => {
    const app = openApp({ ...loadConfig({}), dbPath: tempDbPath() });
    const inbox = new Inbox({ store: app.storage.inbox, engine: app.engine, applying: 2, concurrency: 8 });
    const apply = app.engine.handleScreened.bind(app.engine);
    let applying = 0;
    let mostApplying = 0;
    vi.spyOn(app.engine, 'handleScreened').mockImplementation(async (...args) => {
      mostApplying = Math.max(mostApplying, ++applying);
      await new Promise((r) => setTimeout(r, 10)); // a turn that waits on its database
      try {
        return await apply(...args);
      } finally {
        applying--;
      }
    });
    let delivering = 0;
    let mostDelivering = 0;
    const delivered: string[] = [];
    await inbox.register('test', async (_replies, _route, t) => {
      mostDelivering = Math.max(mostDelivering, ++delivering);
      await new Promise((r) => setTimeout(r, 80)); // a platform slower than a turn
      delivering--;
      delivered.push(t.user);
    });
    const people = ['U1', 'U2', 'U3', 'U4', 'U5', 'U6', 'U7', 'U8'];
    for (const user of people) expect(await inbox.accept(turn(`e-${user}`, 'help', user), {})).toBe('accepted');
    await inbox.idle();
    expect(delivered.sort()).toEqual(people);
    expect(mostApplying).toBe(2);
    expect(mostDelivering).toBeGreaterThan(2);
    await inbox.stop();
    await app.close();
  });
});

describe('inbox leases, two processes\' inboxes on one database file', () => {
  const replica = (path: string, replicaId: string) => openApp({ ...loadConfig({}), dbPath: path }, { inboxLeaseMs: 300, replicaId });

  it('keeps renewing the lease of an event worked on longer than the lease, so the other does not take it', async () => {
    const path = tempDbPath();
    const a = replica(path, 'A');
    const b = replica(path, 'B');
    const delivered: string[] = [];
    await a.inbox.register('test', async () => {
      await new Promise((r) => setTimeout(r, 1200)); // four leases long: a slow platform
      delivered.push('A');
    });
    await b.inbox.register('test', async () => { delivered.push('B'); });
    expect(await a.inbox.accept(turn('e1', 'help'), {})).toBe('accepted');
    await a.inbox.idle();
    await new Promise((r) => setTimeout(r, 400)); // a sweep of B's after it
    expect(delivered).toEqual(['A']);
    expect(rows(path).map((r) => r.status)).toEqual(['done']);
    await a.close();
    await b.close();
  });

  it('takes over the events of an inbox that stopped answering once their lease ran out, and applies each turn once', async () => {
    const path = tempDbPath();
    const a = replica(path, 'A');
    await a.inbox.register('test', never); // A dies at its first delivery: its leases are no longer renewed after close
    expect(await a.inbox.accept(turn('e1', 'should I bill medical for the wisdom teeth?'), {})).toBe('accepted');
    await new Promise((r) => setTimeout(r, 50));
    expect(rows(path).map((r) => r.status)).toEqual(['answered']);
    const version = sessionVersion(path);
    await a.close();
    const b = replica(path, 'B');
    const delivered: Reply[][] = [];
    await b.inbox.register('test', async (r) => { delivered.push(r); });
    expect(delivered).toEqual([]); // A's lease still runs
    await new Promise((r) => setTimeout(r, 700));
    await b.inbox.idle();
    expect(delivered).toHaveLength(1);
    expect(JSON.stringify(delivered[0])).toMatch(/which insurance/i);
    expect(sessionVersion(path)).toBe(version);
    expect(rows(path).map((r) => r.status)).toEqual(['done']);
    await b.close();
  });

  it('retries an event whose mark as done failed once its lease runs out, delivering the stored answer (the turn not applied again)', async () => {
    const path = tempDbPath();
    const app = replica(path, 'A');
    let failures = 1;
    const store: InboxStore = Object.assign(Object.create(app.storage.inbox) as InboxStore, {
      markDone: async (seq: number, now: number, owner: string) => {
        if (failures-- > 0) throw new Error('the connection dropped');
        return app.storage.inbox.markDone(seq, now, owner);
      },
    });
    const inbox = new Inbox({ store, engine: app.engine, owner: 'A2', leaseMs: 300 });
    const delivered: string[] = [];
    await inbox.register('test', async (r) => { delivered.push(JSON.stringify(r)); });
    await inbox.accept(turn('e1', 'should I bill medical for the wisdom teeth?'), {});
    await inbox.idle();
    expect(rows(path).map((r) => r.status)).toEqual(['answered']);
    const version = sessionVersion(path);
    await new Promise((r) => setTimeout(r, 700)); // not renewed: it runs out, and the next sweep takes it back
    await inbox.idle();
    expect(rows(path).map((r) => r.status)).toEqual(['done']);
    expect(delivered).toHaveLength(2); // the one gap: delivered, not marked done, so delivered again
    expect(delivered[1]).toBe(delivered[0]);
    expect(sessionVersion(path)).toBe(version);
    await inbox.stop();
    await app.close();
  });

  it('lets go of the events still waiting when it stops, so another takes them at once', async () => {
    const path = tempDbPath();
    const a = openApp({ ...loadConfig({}), dbPath: path }, { inboxLeaseMs: 60_000, replicaId: 'A' });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const byA: string[] = [];
    await a.inbox.register('test', async (r) => { await gate; byA.push(r.map((x) => x.text).join()); });
    for (let i = 0; i < 40; i++) await a.inbox.accept(turn(`e${i}`, 'help', `U${i}`), {});
    const stopped = a.inbox.stop(); // 16 under way finish; the 24 waiting are let go
    release();
    await stopped;
    await a.inbox.idle();
    const b = openApp({ ...loadConfig({}), dbPath: path }, { inboxLeaseMs: 60_000, replicaId: 'B' });
    let byB = 0;
    await b.inbox.register('test', async () => { byB++; });
    await b.inbox.idle();
    expect(byA).toHaveLength(16);
    expect(byB).toBe(24);
    expect(rows(path).every((r) => r.status === 'done')).toBe(true);
    await a.close();
    await b.close();
  });
});

describe('deliverOrApologise', () => {
  it('tells the person when a delivery fails, logs the failure without its content, and never throws', async () => {
    const lines: string[] = [];
    const told: string[] = [];
    const failing = deliverOrApologise<{ user: string }>(async () => { throw new Error('chat.postMessage failed: Maria Garcia'); }, async (r, text) => { told.push(`${r.user}: ${text}`); }, createLogger('info', (l) => lines.push(l)), 'test-delivery-failed');
    const turn = { platform: 'test', user: 'u1', conversation: 'dm', direct: true, input: { kind: 'text' as const, text: 'x' } };
    await failing([reply('answer')], { user: 'u1' }, turn, { eventId: 'e1', again: false });
    expect(told).toEqual([`u1: ${APOLOGY}`]);
    expect(lines.join('')).toMatch(/"event":"test-delivery-failed"/);
    expect(lines.join('')).not.toMatch(/Maria|Garcia/);
    const unreachable = deliverOrApologise<{ user: string }>(async () => { throw new Error('down'); }, async () => { throw new Error('still down'); }, createLogger('silent'), 'x');
    await expect(unreachable([], { user: 'u1' }, turn, { eventId: 'e1', again: false })).resolves.toBeUndefined();
  });
});
