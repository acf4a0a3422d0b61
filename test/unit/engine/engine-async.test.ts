/**
 * Flows may await (issue 12): a step runs outside the database transaction, and the session is saved only if
 * nobody wrote it meanwhile (its version is checked). Two turns of one person stay ordered; a second process
 * answering the same person in between makes the turn be worked out again on what it wrote.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openEngine } from '../../support/house.js';
import { FlowRegistry } from '../../../src/engine/registry.js';
import { stateSchema, turnActor } from '../../../src/engine/flow.js';
import type { Flow, Services } from '../../../flows/context.js';
import { reply, type Reply } from '../../../src/engine/model.js';
import { claimService, sqliteStorage, withUnitOfWork } from '../../support/storage.js';
import type { SqliteStorage } from '../../../src/store/sqlite/index.js';
import type { StoreWrite } from '../../../src/store/unit-of-work.js';
import { createLogger } from '../../../src/log.js';
import { tempDbPath } from '../../helpers.js';

/** A counter that takes its time: each message waits for `gate` (an LLM call, say), then adds one. */
let gate: () => Promise<void> = () => Promise.resolve();
const counter: Flow = {
  id: 'count',
  version: 1,
  title: 'Count',
  commands: [/^count\b/i],
  stateSchema: stateSchema(['counting'], z.object({ n: z.number().int() })),
  examples: ['count'],
  start: async () => {
    await gate();
    return { state: { step: 'counting', slots: { n: 1 } }, replies: [reply('n=1')] };
  },
  handle: async (_ctx, st) => {
    await gate();
    const n = Number(st.slots.n) + 1;
    return { state: { step: 'counting', slots: { n } }, replies: [reply(`n=${n}`)] };
  },
  prompt: (_ctx, st) => [reply(`n=${String(st.slots.n)}`)],
  why: () => 'counting',
};
const flows = new FlowRegistry([counter]);

const dbs: SqliteStorage[] = [];
afterEach(async () => {
  gate = () => Promise.resolve();
  while (dbs.length) await dbs.pop()?.close();
});
function engineOn(path: string, lines: string[] = []) {
  const db = sqliteStorage(path);
  dbs.push(db);
  const engine = openEngine(db, { flows, log: createLogger('info', (l) => lines.push(l)) });
  return (text: string) => engine.handle({ platform: 'test', user: 'u1', conversation: 'dm', direct: true, input: { kind: 'text', text } });
}
const text = (replies: Reply[]) => replies.map((r) => r.text).join(' ');

describe('flows that await', () => {
  it('keeps one person\'s turns in order while a step awaits', async () => {
    const say = engineOn(tempDbPath());
    gate = () => new Promise((r) => setTimeout(r, 20));
    const [a, b, c] = await Promise.all([say('count'), say('more'), say('more')]);
    expect([text(a), text(b), text(c)]).toEqual(['n=1', 'n=2', 'n=3']);
  });

  it('works a turn out again when another process answered the same person meanwhile', async () => {
    const path = tempDbPath();
    const lines: string[] = [];
    const first = engineOn(path, lines);
    const second = engineOn(path); // another server process on the same database
    await first('count');
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let calls = 0;
    let waiting: () => void = () => {};
    const atGate = new Promise<void>((r) => { waiting = r; });
    // The first process's step waits; the rest do not.
    gate = () => (++calls === 1 ? (waiting(), held) : Promise.resolve());
    const slow = first('more');
    await atGate; // its step is waiting now, with the session read
    expect(text(await second('more'))).toBe('n=2'); // the other process answers first
    release();
    expect(text(await slow)).toBe('n=3'); // not n=2 again: it was worked out on the newer state
    expect(lines.some((l) => /"event":"turn-conflict"/.test(l))).toBe(true);
  });

  it('tells the person, and changes nothing, when the session keeps changing under it', async () => {
    const path = tempDbPath();
    const first = engineOn(path);
    const second = engineOn(path);
    await first('count');
    // Every time the first process's step awaits, the other process answers the same person.
    gate = async () => {
      gate = () => Promise.resolve();
      await second('more');
      gate = async () => {
        gate = () => Promise.resolve();
        await second('more');
      };
    };
    expect(text(await first('more'))).toMatch(/changed in another window.*answer again/);
    expect(text(await second('count'))).toBe('n=1'); // "count" starts over: the store is intact and usable
  });
});

describe('writes a flow makes with its turn (Outcome.writes)', () => {
  /**
   * A counter whose every step plans two writes with the turn: a change to a claim, conditional on the version
   * it was read at, and a record of who wrote it (a letter draft carrying the count and the actor).
   */
  function countingWithWrites(): FlowRegistry<Services> {
    const writes = async (ctx: Parameters<Flow['start']>[0], n: number): Promise<StoreWrite[]> => {
      const actor = turnActor(ctx);
      const plan = await ctx.claims.plan('C-MARKS', { kind: 'followed-up', date: '2026-12-02' }, actor);
      if (!plan.ok) throw new Error(plan.problem);
      return [ctx.claims.write(plan), { kind: 'letter.save', letter: { caseId: 'C-MARKS', templateId: 'mark', templateVersion: 1, facts: { n: String(n) }, owner: `${actor.who}@${actor.surface}`, updatedAt: 0 } }];
    };
    const marker: Flow = {
      id: 'mark',
      version: 1,
      title: 'Mark',
      commands: [/^mark\b/i],
      stateSchema: stateSchema(['marked'], z.object({ n: z.number().int() })),
      examples: ['mark'],
      start: async (ctx) => ({ state: { step: 'marked', slots: { n: 1 } }, replies: [reply('n=1')], writes: await writes(ctx, 1) }),
      handle: async (ctx, st) => {
        const n = Number(st.slots.n) + 1;
        return { state: { step: 'marked', slots: { n } }, replies: [reply(`n=${n}`)], writes: await writes(ctx, n) };
      },
      prompt: () => [],
      why: () => 'marking',
    };
    return new FlowRegistry([marker]);
  }

  it('works the turn out again when a write finds its record changed, with the session write rolled back', async () => {
    const log = { who: [] as string[], refuseNext: false };
    const db = sqliteStorage(tempDbPath());
    dbs.push(db);
    const other = claimService(db);
    const draft = await other.draft({ caseId: 'C-MARKS', payer: 'Aetna', payerKind: 'commercial', lane: 'medical', procedures: ['41100'], diagnoses: [] }, { who: 'setup', surface: 'test' });
    if (!draft.ok || !(await other.commit(draft))) throw new Error('the claim could not be set up');
    // Each committed letter.save says who wrote; `refuseNext` has another process change the claim just before the commit, once.
    const unitOfWork = {
      async commit(writes: readonly StoreWrite[]): Promise<boolean> {
        if (log.refuseNext) {
          log.refuseNext = false;
          await other.apply('C-MARKS', { kind: 'followed-up', date: '2026-12-02' }, { who: 'other', surface: 'test' });
        }
        const done = await db.unitOfWork.commit(writes);
        if (done) for (const w of writes) if (w.kind === 'letter.save') log.who.push(`${w.letter.owner} n=${w.letter.facts.n ?? ''}`);
        return done;
      },
      begin: () => db.unitOfWork.begin(),
    };
    const lines: string[] = [];
    const engine = openEngine(withUnitOfWork(db, unitOfWork), { flows: countingWithWrites(), log: createLogger('info', (l) => lines.push(l)) });
    const say = (t: string) => engine.handle({ platform: 'test', user: 'u1', conversation: 'dm', direct: true, input: { kind: 'text', text: t } });
    expect(text(await say('mark'))).toBe('n=1');
    log.refuseNext = true; // the next write finds its record changed once
    // Worked out again on the session as it was: had the refused attempt's session write (n=2) stayed, this would say n=3.
    expect(text(await say('again'))).toBe('n=2');
    expect(log.who).toEqual(['test:u1@test n=1', 'test:u1@test n=2']); // each write once, by the person, from where they wrote
    expect(lines.some((l) => /"event":"turn-conflict"/.test(l))).toBe(true);
  });
});
