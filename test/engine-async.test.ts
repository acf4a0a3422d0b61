/**
 * Flows may await (issue 12): a step runs outside the database transaction, and the session is saved only if
 * nobody wrote it meanwhile (its version is checked). Two turns of one person stay ordered; a second process
 * answering the same person in between makes the turn be worked out again on what it wrote.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openEngine } from './support/house.js';
import { FlowRegistry } from '../src/engine/registry.js';
import { stateSchema, type Flow } from '../src/engine/flow.js';
import { reply, type Reply } from '../src/engine/model.js';
import { openDb, type Db } from '../src/store/db.js';
import { createLogger } from '../src/log.js';
import { tempDbPath } from './helpers.js';

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

const dbs: Db[] = [];
afterEach(() => {
  gate = () => Promise.resolve();
  while (dbs.length) dbs.pop()?.close();
});
function engineOn(path: string, lines: string[] = []) {
  const db = openDb(path);
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

describe('writes a flow makes with its turn (Outcome.effects)', () => {
  /** A counter whose every step writes a record too; the write can be told to report a changed record once. */
  function countingWithWrites(log: { who: string[]; refuseNext: boolean }): FlowRegistry {
    const effect = (n: number) => (by: { who: string; surface: string }) => {
      if (log.refuseNext) {
        log.refuseNext = false;
        return false;
      }
      log.who.push(`${by.who}@${by.surface} n=${n}`);
      return true;
    };
    const marker: Flow = {
      id: 'mark',
      version: 1,
      title: 'Mark',
      commands: [/^mark\b/i],
      stateSchema: stateSchema(['marked'], z.object({ n: z.number().int() })),
      examples: ['mark'],
      start: () => ({ state: { step: 'marked', slots: { n: 1 } }, replies: [reply('n=1')], effects: [effect(1)] }),
      handle: (_ctx, st) => {
        const n = Number(st.slots.n) + 1;
        return { state: { step: 'marked', slots: { n } }, replies: [reply(`n=${n}`)], effects: [effect(n)] };
      },
      prompt: () => [],
      why: () => 'marking',
    };
    return new FlowRegistry([marker]);
  }

  it('works the turn out again when a write finds its record changed, with the session write rolled back', async () => {
    const log = { who: [] as string[], refuseNext: false };
    const db = openDb(tempDbPath());
    dbs.push(db);
    const lines: string[] = [];
    const engine = openEngine(db, { flows: countingWithWrites(log), log: createLogger('info', (l) => lines.push(l)) });
    const say = (t: string) => engine.handle({ platform: 'test', user: 'u1', conversation: 'dm', direct: true, input: { kind: 'text', text: t } });
    expect(text(await say('mark'))).toBe('n=1');
    log.refuseNext = true; // the next write finds its record changed once
    // Worked out again on the session as it was: had the refused attempt's session write (n=2) stayed, this would say n=3.
    expect(text(await say('again'))).toBe('n=2');
    expect(log.who).toEqual(['test:u1@test n=1', 'test:u1@test n=2']); // each write once, by the person, from where they wrote
    expect(lines.some((l) => /"event":"turn-conflict"/.test(l))).toBe(true);
  });
});
