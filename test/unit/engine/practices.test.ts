/**
 * The engine with several practices (MEDBILL_PRACTICES=per-workspace): each turn works on its practice's
 * sessions, cases and services, and its "today" is the practice's zone where the practice set one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteStorage } from '../../support/storage.js';
import { openEngine } from '../../support/house.js';
import { practiceOf } from '../../../src/root/practices.js';
import type { SqliteStorage } from '../../../src/store/sqlite/index.js';
import type { Reply } from '../../../src/engine/model.js';

const opened: SqliteStorage[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()?.close();
});

const texts = (replies: Reply[]) => replies.map((r) => r.text).join('\n');

describe('the engine with a practice per workspace', () => {
  // 02:30 UTC on Dec 8: still Dec 7 in New York (the deployment's zone), already Dec 8 in Auckland.
  const now = () => Date.parse('2026-12-08T02:30:00Z');

  function setup() {
    const db = sqliteStorage();
    opened.push(db);
    const engine = openEngine(db, { now, zone: 'America/New_York', practiceOf: practiceOf('per-workspace') });
    const say = (tenant: string | undefined, text: string) => engine.handle({ platform: 'slack', ...(tenant ? { tenant } : {}), user: 'U1', conversation: 'dm', direct: true, input: { kind: 'text', text } });
    return { db, engine, say };
  }

  it('keeps the same person\'s conversation in each workspace apart, in its practice\'s store', async () => {
    const { db, engine, say } = setup();
    await say('T1', 'biopsy of a lesion on the tongue');
    expect(engine.practiceOf({ platform: 'slack', tenant: 'T1', user: 'U1', conversation: 'dm' })).toBe('slack:T1');
    expect(engine.practiceOf({ platform: 'web', user: 'U1', conversation: 'dm' })).toBe('default');
    expect(await db.practice('slack:T1').sessions.get('slack:T1:dm:U1')).toBeDefined();
    expect(await db.practice('slack:T2').sessions.get('slack:T1:dm:U1')).toBeUndefined();
    expect(await db.sessions.get('slack:T1:dm:U1')).toBeUndefined();
  });

  it('dates a practice\'s turns in its own zone, and another\'s in the deployment\'s', async () => {
    const { db, engine, say } = setup();
    await db.practice('slack:T1').settings.put({ zone: 'Pacific/Auckland' }, 1);
    expect(texts(await say('T1', 'today'))).toMatch(/Tue Dec 8, 2026/);
    expect(texts(await say('T2', 'today'))).toMatch(/Mon Dec 7, 2026/);
    expect(texts(await say(undefined, 'today'))).toMatch(/Mon Dec 7, 2026/);
    expect(await engine.practiceZoneOf({ platform: 'slack', tenant: 'T1', user: 'U1', conversation: 'dm' })).toBe('Pacific/Auckland');
    expect(await engine.practiceZoneOf({ platform: 'web', user: 'U1', conversation: 'web-today' })).toBe('America/New_York');
  });
});
