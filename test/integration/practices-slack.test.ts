/**
 * Practices as tenants through Slack (MEDBILL_PRACTICES=per-workspace), end to end: signed requests from two
 * workspaces (T1, T2) of one app to the real server on 127.0.0.1, against the recording fake of Slack's Web
 * API. A case ID from another workspace is a case medbill does not know, typed or carried by a button, and a
 * digest set in one workspace's channel is not the other's.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSlackApiFake, type SlackApiFake } from '../support/slack-api-fake.js';
import { startSlackStack, type SlackStack } from '../support/slack-stack.js';
import { tempDbPath } from '../helpers.js';
import { claimService } from '../support/storage.js';
import { addDays } from '../../src/calendar.js';
import { startDigest } from '../../src/root/digest.js';
import { SqliteStorage } from '../../src/store/sqlite/index.js';
import { silentLogger } from '../../src/log.js';

const SECRET = 'practices-test-secret';
const today = '2026-12-07';
let seq = 0;

describe('practices in Slack, one per workspace', () => {
  let fake: SlackApiFake;
  let stack: SlackStack;

  const post = (body: string, type: string) => stack.post(body, type);
  const dm = (team: string, user: string, text: string) => post(JSON.stringify({
    token: 'x', team_id: team, api_app_id: 'A0MEDB', type: 'event_callback', event_id: `EvPRAC${++seq}`, event_time: 1_700_000_000,
    event: { type: 'message', channel: `D${user}`, channel_type: 'im', user, text, ts: `1700000000.${String(seq).padStart(6, '0')}` },
  }), 'application/json');
  const slash = (team: string, user: string, channel: string, text: string) => post(new URLSearchParams({
    token: 'x', team_id: team, team_domain: team.toLowerCase(), channel_id: channel, channel_name: 'billing', user_id: user, user_name: 'biller',
    command: '/medbill', text, api_app_id: 'A0MEDB', response_url: fake.responseUrl(`cmd-${++seq}`), trigger_id: `trig-${seq}`,
  }).toString(), 'application/x-www-form-urlencoded');
  const press = (team: string, user: string, channel: string, value: string) => post(new URLSearchParams({
    payload: JSON.stringify({
      type: 'block_actions', team: { id: team, domain: team.toLowerCase() }, user: { id: user, name: 'biller', team_id: team }, api_app_id: 'A0MEDB', token: 'x',
      container: { type: 'message', message_ts: '1700000000.000100', channel_id: channel, is_ephemeral: false }, trigger_id: `trig-${++seq}`,
      channel: { id: channel, name: 'billing' }, message: { type: 'message', ts: '1700000000.000100', text: 'digest' }, response_url: fake.responseUrl(`act-${seq}`),
      actions: [{ type: 'button', action_id: 'medbill_button_0', block_id: `b${seq}`, text: { type: 'plain_text', text: 'x' }, value, action_ts: `${Date.now() / 1000}` }],
    }),
  }).toString(), 'application/x-www-form-urlencoded');

  /** Everything medbill wrote to Slack since the last clear, as one text (the DM's messages and any response_url post). */
  const said = () => JSON.stringify(fake.calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'response_url').map((c) => c.params.blocks ?? c.params.text));
  /** What medbill answers `send` with, once it has answered (an answer names `until`). */
  async function answer(send: () => Promise<Response>, until: RegExp): Promise<string> {
    fake.clear();
    expect((await send()).status).toBe(200);
    await fake.waitFor(() => until.test(said())).catch(() => { throw new Error(`no ${String(until)} in ${said()}`); });
    await stack.app.inbox.idle();
    return said();
  }

  /** T1's claim C-DNY23, submitted 30 days ago, as T1's practice keeps it. */
  async function seedT1() {
    const claims = claimService(stack.app.storage.practice('slack:T1'));
    const plan = await claims.draft({ caseId: 'C-DNY23', payer: 'Aetna', payerKind: 'commercial', lane: 'medical', procedures: ['41100'], diagnoses: ['K14.8'], billedCents: 65000, submittedDate: addDays(today, -30) }, { who: 'test', surface: 'test' });
    if (!plan.ok || !(await claims.commit(plan))) throw new Error('seed failed');
    return claims;
  }

  beforeEach(async () => {
    fake = await startSlackApiFake();
    stack = await startSlackStack({ secret: SECRET, fake, dbPath: tempDbPath('medbill-practices-'), now: () => Date.parse(`${today}T17:00:00Z`), zone: 'America/Chicago', practices: 'per-workspace' });
  });
  afterEach(async () => {
    await stack.close();
    await fake.close();
  });

  it('answers a T2 user typing T1\'s case ID as it answers an unknown case, and T1\'s user with the claim', async () => {
    await seedT1();
    const mine = await answer(() => dm('T1', 'U0ONE', 'claim C-DNY23'), /C-DNY23/);
    expect(mine).toMatch(/Aetna \(Commercial\)/);
    const theirs = await answer(() => dm('T2', 'U0TWO', 'claim C-DNY23'), /C-DNY23/);
    expect(theirs).toMatch(/I have no claim or case C-DNY23/); // what medbill says of a case it does not know
    const unknown = await answer(() => dm('T2', 'U0TWO', 'claim C-QQQQ9'), /C-QQQQ9/);
    expect(theirs.replaceAll('C-DNY23', 'C-?')).toBe(unknown.replaceAll('C-QQQQ9', 'C-?'));
    // A claim update typed in T2 with T1's case ID: the same answer as for an unknown case, and nothing of T1's changes.
    const update = await answer(() => dm('T2', 'U0TWO', 'C-DNY23 paid $650'), /C-DNY23/);
    const updateUnknown = await answer(() => dm('T2', 'U0TWO', 'C-QQQQ9 paid $650'), /C-QQQQ9/);
    expect(update.replaceAll('C-DNY23', 'C-?')).toBe(updateUnknown.replaceAll('C-QQQQ9', 'C-?'));
    const t1 = claimService(stack.app.storage.practice('slack:T1'));
    expect(await t1.get('C-DNY23')).toMatchObject({ status: 'submitted', version: 1 });
    // One inbox for the deployment; each event recorded with the practice it was accepted for.
    const db = stack.app.storage;
    if (!(db instanceof SqliteStorage)) throw new Error('the stack runs on SQLite');
    expect(db.db.prepare<[], string>('SELECT DISTINCT practice FROM inbox ORDER BY practice').pluck(true).all()).toEqual(['slack:T1', 'slack:T2']);
  }, 30_000);

  it('changes nothing in T1\'s claim when a button from T2 carries T1\'s case ID', async () => {
    const claims = await seedT1();
    const before = await claims.get('C-DNY23');
    // "Denied" as T1's digest carries it, pressed in T2: medbill says what it says of a case it does not know.
    const pressed = await answer(() => press('T2', 'U0TWO', 'C0TWO', 'go:claim:C-DNY23 denied'), /C-DNY23/);
    expect(pressed).not.toMatch(/Why was C-DNY23 denied/);
    const unknown = await answer(() => press('T2', 'U0TWO', 'C0TWO', 'go:claim:C-QQQQ9 denied'), /C-QQQQ9/);
    expect(pressed.replaceAll('C-DNY23', 'C-?')).toBe(unknown.replaceAll('C-QQQQ9', 'C-?'));
    for (const value of ['go:claim:C-DNY23 followed up', 'go:claim:C-DNY23 paid']) await answer(() => press('T2', 'U0TWO', 'C0TWO', value), /C-DNY23/);
    expect(await claims.get('C-DNY23')).toEqual(before);
    expect((await claims.store.history('C-DNY23')).map((h) => h.action)).toEqual(['created']);
    expect(await stack.app.storage.practice('slack:T2').claims.get('C-DNY23')).toBeUndefined();
    // The same press in T1 asks why it was denied: the button works where its claim is.
    const inT1 = await answer(() => press('T1', 'U0ONE', 'C0ONE', 'go:claim:C-DNY23 denied'), /C-DNY23/);
    expect(inT1).toMatch(/Why was C-DNY23 denied/);
  }, 30_000);

  it('keeps a digest set in T1\'s channel out of T2', async () => {
    await answer(() => slash('T1', 'U0ONE', 'C0SHARED', 'digest here 8:00 America/Chicago every day'), /posted here at 08:00 America\/Chicago/);
    const t1 = stack.app.storage.practice('slack:T1').digests;
    const t2 = stack.app.storage.practice('slack:T2').digests;
    expect((await t1.channels()).map((c) => c.key)).toEqual(['slack:T1:channel:C0SHARED']);
    expect(await t2.channels()).toEqual([]);
    expect(await stack.app.storage.digests.channels()).toEqual([]); // nor the default practice's
    expect(await stack.app.storage.digestPractices()).toEqual(['slack:T1']);
    // T2 asking about the digest in a channel with the same id hears it has none, and its "off" removes nothing of T1's.
    const status = await answer(() => slash('T2', 'U0TWO', 'C0SHARED', 'digest here off'), /digest/i);
    expect(status).not.toMatch(/08:00 America\/Chicago/);
    expect((await t1.channels()).map((c) => c.key)).toEqual(['slack:T1:channel:C0SHARED']);
  }, 30_000);

  it('posts each practice\'s digest from its own claims, once per channel', async () => {
    await seedT1();
    await answer(() => slash('T1', 'U0ONE', 'C0ONE', 'digest here 8:00 America/Chicago every day'), /posted here at 08:00/);
    await answer(() => slash('T2', 'U0TWO', 'C0TWO', 'digest here 8:00 America/Chicago every day'), /posted here at 08:00/);
    fake.clear();
    const at = Date.parse(`${today}T14:00:30Z`); // 08:00:30 in Chicago
    const scheduler = await startDigest(stack.app, { log: silentLogger, tickMs: 60_000, now: () => at });
    try {
      await scheduler.tick();
      await scheduler.tick();
    } finally {
      await scheduler.stop();
    }
    const digests = fake.of('chat.postMessage').filter((c) => (c.params.metadata as { event_type?: string } | undefined)?.event_type === 'medbill_digest');
    expect(digests.map((c) => c.params.channel).sort()).toEqual(['C0ONE', 'C0TWO']);
    const of = (channel: string) => JSON.stringify(digests.find((c) => c.params.channel === channel)?.params.blocks);
    expect(of('C0ONE')).toMatch(/C-DNY23 · Aetna/);
    expect(of('C0TWO')).not.toMatch(/C-DNY23/);
    expect(await stack.app.storage.practice('slack:T1').digests.run('slack:T1:channel:C0ONE', today)).toMatchObject({ sentAt: at });
    expect(await stack.app.storage.practice('slack:T2').digests.run('slack:T2:channel:C0TWO', today)).toMatchObject({ sentAt: at });
    expect(await stack.app.storage.practice('slack:T2').digests.run('slack:T1:channel:C0ONE', today)).toBeUndefined();
  }, 30_000);

  it('purges old digest runs of every practice, also of one that no longer has a digest channel', async () => {
    const one = stack.app.storage.practice('slack:T1');
    const two = stack.app.storage.practice('slack:T2');
    const old = addDays(today, -40); // past the 35 days runs are kept
    await one.digests.setChannel({ address: { platform: 'slack', tenant: 'T1', channel: 'C0ONE' }, localTime: '08:00', zone: 'America/Chicago', weekdays: [1, 2, 3, 4, 5, 6, 7] }, 1);
    for (const [practice, key] of [[one, 'slack:T1:channel:C0ONE'], [two, 'slack:T2:channel:C0TWO']] as const) {
      expect(await practice.digests.claim(key, old, 'earlier', 100, 1)).toBe(true);
      await practice.digests.recordPart(key, old, { part: 1, of: 1, messageId: 'm1' }, 2);
      expect(await practice.digests.markSent(key, old, 'earlier', 'm1', 3)).toBe(true);
    }
    expect(await stack.app.storage.digestPractices()).toEqual(['slack:T1']); // T2 removed its channel
    const scheduler = await startDigest(stack.app, { log: silentLogger, tickMs: 60_000, now: () => Date.parse(`${today}T03:00:00Z`) });
    try {
      await scheduler.tick();
    } finally {
      await scheduler.stop();
    }
    expect(await one.digests.run('slack:T1:channel:C0ONE', old)).toBeUndefined();
    expect(await two.digests.run('slack:T2:channel:C0TWO', old)).toBeUndefined();
    expect(await two.digests.parts('slack:T2:channel:C0TWO', old)).toEqual([]);
  });
});
