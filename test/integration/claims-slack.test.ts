/**
 * The daily digest through Slack, end to end: "/medbill digest here …" typed in the billing channel, the
 * scheduler posting at the channel's local time through the Slack adapter to the recorded Web API (once,
 * with its run key as message metadata, also after a restart), and the digest's buttons pressed as Slack
 * sends them: "Denied" → CO-50 shows the remedy and sets the appeal deadline; "Followed up" schedules the
 * next follow-up. Payloads are built in Slack's own shapes; nothing reaches beyond loopback.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DateTime } from 'luxon';
import { startSlackApiFake, type SlackApiFake } from '../support/slack-api-fake.js';
import { startSlackStack, type SlackStack } from '../support/slack-stack.js';
import { tempDbPath } from '../helpers.js';
import { configuredDigests, startDigest } from '../../src/root/digest.js';
import { PNG } from 'pngjs';
import { blockKitProblems } from '../support/block-kit.js';
import { addDays } from '../../src/calendar.js';
import { silentLogger } from '../../src/log.js';
import type { DigestScheduler } from '../../src/scheduler/digest-scheduler.js';
import { claimService } from '../support/storage.js';

const SECRET = 'digest-test-secret';
const ZONE = 'America/Chicago';
const CHANNEL = 'C0BILLING';
let seq = 0;

describe('the daily digest in Slack', () => {
  let fake: SlackApiFake;
  let stack: SlackStack;
  const schedulers: DigestScheduler[] = [];
  // The buttons are pressed at 02:30 UTC on Dec 8, which is still the evening of Dec 7 in Chicago, where the
  // channel's digest is: every date recorded from them is Dec 7, whatever the machine's clock or zone. The
  // practice's own zone is set elsewhere (Auckland, already Dec 8 there), so only the channel's zone gives Dec 7.
  const pressedAt = Date.parse('2026-12-08T02:30:00Z');
  const today = '2026-12-07';
  const postingTime = DateTime.fromISO(`${today}T08:00:30`, { zone: ZONE }).toMillis();

  const post = (body: string, type: string) => stack.post(body, type);
  const slash = (text: string, user = 'U0BILLER') => post(new URLSearchParams({
    token: 'x', team_id: 'T0PRAC', team_domain: 'practice', channel_id: CHANNEL, channel_name: 'billing', user_id: user, user_name: 'biller',
    command: '/medbill', text, api_app_id: 'A0MEDB', response_url: fake.responseUrl(`cmd-${++seq}`), trigger_id: `trig-${seq}`,
  }).toString(), 'application/x-www-form-urlencoded');
  /** A button pressed on a message in the channel, as Slack's block_actions payload carries it. */
  const press = (value: string, messageTs: string, user = 'U0BILLER') => post(new URLSearchParams({
    payload: JSON.stringify({
      type: 'block_actions', team: { id: 'T0PRAC', domain: 'practice' }, user: { id: user, name: 'biller', team_id: 'T0PRAC' }, api_app_id: 'A0MEDB', token: 'x',
      container: { type: 'message', message_ts: messageTs, channel_id: CHANNEL, is_ephemeral: false }, trigger_id: `trig-${++seq}`,
      channel: { id: CHANNEL, name: 'billing' }, message: { type: 'message', ts: messageTs, text: 'digest' }, response_url: fake.responseUrl(`act-${seq}`),
      actions: [{ type: 'button', action_id: 'medbill_button_0', block_id: `b${seq}`, text: { type: 'plain_text', text: 'x' }, value, action_ts: `${Date.now() / 1000}` }],
    }),
  }).toString(), 'application/x-www-form-urlencoded');

  const digestPosts = () => fake.of('chat.postMessage').filter((c) => (c.params.metadata as { event_type?: string } | undefined)?.event_type === 'medbill_digest');
  const textOf = (call: { params: Record<string, unknown> }) => JSON.stringify(call.params.blocks ?? call.params.text);
  type Element = { value?: string; text?: { text: string }; options?: { value: string; text: { text: string } }[] };
  /** Buttons, and the options of a menu (more than five choices become a static select). */
  const buttonsIn = (call: { params: Record<string, unknown> }) => ((call.params.blocks ?? []) as { elements?: Element[] }[])
    .flatMap((b) => b.elements ?? []).flatMap((e) => (e.options ? e.options.map((o) => ({ text: o.text, value: o.value })) : [e]))
    .filter((e) => e.value).map((e) => ({ label: e.text?.text ?? '', value: e.value ?? '' }));

  async function seed() {
    const claims = claimService(stack.app.storage);
    const add = async (caseId: string, submittedDaysAgo: number, extra: Record<string, unknown> = {}) => {
      const plan = (await claims.draft({ caseId, payer: 'Aetna', payerKind: 'commercial', lane: 'medical', procedures: ['41100'], diagnoses: ['K14.8'], billedCents: 65000, submittedDate: addDays(today, -submittedDaysAgo), ...extra }, { who: 'test', surface: 'test' }));
      if (!plan.ok || !(await claims.commit(plan))) throw new Error('seed failed');
    };
    await add('C-DNY23', 30);
    await add('C-FLW23', 25, { payer: 'Cigna', billedCents: 120000, procedures: ['D7240'] });
    return claims;
  }

  async function startScheduler(now: () => number) {
    const s = await startDigest(stack.app, { log: silentLogger, tickMs: 20, now });
    schedulers.push(s);
    return s;
  }

  beforeEach(async () => {
    fake = await startSlackApiFake();
    stack = await startSlackStack({ secret: SECRET, fake, dbPath: tempDbPath(), now: () => pressedAt, zone: 'Pacific/Auckland' });
  });
  afterEach(async () => {
    for (const s of schedulers.splice(0)) await s.stop();
    await stack.close();
    await fake.close();
  });

  it('posts the digest once at the channel\'s local time, and its buttons record a denial and a follow-up', async () => {
    const claims = await seed();
    expect((await slash('digest here 8:00 America/Chicago every day')).status).toBe(200);
    await fake.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage' && /posted here at 08:00 America\/Chicago, every day/.test(JSON.stringify(c.params))));

    // 07:59: nothing yet. 08:00:30: posted once, whatever the number of ticks. Each tick() below is a whole
    // pass of the scheduler (joined if its timer started one), posts included: no sleeping.
    const early = await startScheduler(() => postingTime - 90_000);
    await early.tick();
    await early.tick();
    expect(digestPosts()).toHaveLength(0);
    await schedulers.pop()?.stop();
    const due = await startScheduler(() => postingTime);
    await fake.waitFor(() => digestPosts().length === 1);
    await due.tick();
    await due.tick();
    const [digest] = digestPosts();
    if (!digest) throw new Error('no digest');
    expect(digest.params.channel).toBe(CHANNEL);
    expect((digest.params.metadata as { event_payload: { run: string } }).event_payload.run).toBe(`digest:slack:T0PRAC:channel:${CHANNEL}:${today}`);
    expect(blockKitProblems(digest.params.blocks as Record<string, unknown>[])).toEqual([]);
    expect(textOf(digest)).toMatch(/C-DNY23 · Aetna · 41100 · \$650 · 30 days since submission/);
    expect(textOf(digest)).toMatch(/C-FLW23 · Cigna · D7240 · \$1,200/);

    // A restart (a new scheduler on the same database) does not post again.
    await schedulers.pop()?.stop();
    const restarted = await startScheduler(() => postingTime + 60_000);
    await restarted.tick();
    await restarted.tick();
    expect(digestPosts()).toHaveLength(1);

    // "Denied" on C-DNY23, then CO-50: the remedy and the appeal deadline, in the digest's thread.
    const ts = '1700000000.000100';
    const denied = buttonsIn(digest).find((b) => b.value === 'go:claim:C-DNY23 denied');
    expect(denied).toBeDefined();
    fake.clear();
    expect((await press(denied?.value ?? '', ts)).status).toBe(200);
    await fake.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage' && /Why was C-DNY23 denied/.test(JSON.stringify(c.params))));
    const question = fake.of('chat.postMessage').find((c) => /Why was C-DNY23 denied/.test(JSON.stringify(c.params)));
    expect(question?.params.thread_ts).toBe(ts);
    const co50 = buttonsIn(question ?? { params: {} }).find((b) => b.label === 'CO-50 · not medically necessary');
    fake.clear();
    await press(co50?.value ?? '', ts);
    await fake.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage' && /Appeal by/.test(JSON.stringify(c.params))));
    const answer = JSON.stringify(fake.of('chat.postMessage').map((c) => c.params));
    expect(answer).toMatch(/CO-50: .*medically necessary/i);
    expect(answer).toMatch(/Letter of medical necessity/);
    expect((await claims.get('C-DNY23'))).toMatchObject({ status: 'denied', deniedDate: today, appealDeadline: addDays(today, 180) });
    expect((await claims.store.history('C-DNY23')).at(-1)).toMatchObject({ action: 'denied', actor: 'slack:U0BILLER', surface: 'slack' });

    // "Followed up" on C-FLW23: the outcome is asked, and "Still processing" schedules the next follow-up in 7 days.
    fake.clear();
    await press('go:claim:C-FLW23 followed up', ts);
    await fake.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage' && /What did the payer say about C-FLW23/.test(JSON.stringify(c.params))));
    const ask = fake.of('chat.postMessage').find((c) => /What did the payer say/.test(JSON.stringify(c.params)));
    const processing = buttonsIn(ask ?? { params: {} }).find((b) => b.label === 'Still processing');
    await press(processing?.value ?? '', ts);
    await vi.waitFor(async () => expect((await claims.get('C-FLW23'))?.nextFollowUp).toBe(addDays(today, 7)), { timeout: 5000 });
  }, 30_000);

  it('does not post again after a crash between the post and its record: it finds its own message by the run key', async () => {
    await seed();
    await slash('digest here 8:00 America/Chicago every day');
    await fake.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage' && /posted here/.test(JSON.stringify(c.params))));
    const key = `slack:T0PRAC:channel:${CHANNEL}`;
    // Another process claimed today's run and posted, then died before marking it sent.
    const store = stack.app.storage.digests;
    expect(await store.claim(key, today, 'dead-process', postingTime + 1000, postingTime)).toBe(true);
    await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer xoxb-test' },
      body: JSON.stringify({ channel: CHANNEL, text: 'digest', metadata: { event_type: 'medbill_digest', event_payload: { run: `digest:${key}:${today}` } } }),
    });
    expect(digestPosts()).toHaveLength(1);
    // After the lease, this process takes over, finds the post, and marks it sent without posting.
    const taker = await startScheduler(() => postingTime + 5 * 60_000);
    await fake.waitFor(() => fake.of('conversations.history').length > 0);
    await taker.tick(); // the pass that asked, to its end
    await taker.tick(); // and one more
    expect(digestPosts()).toHaveLength(1);
    expect((await store.run(key, today))?.sentAt).toBeDefined();
  }, 20_000);

  /** The run key and part (n of N) of each digest message posted. */
  const partsPosted = () => digestPosts().map((c) => (c.params.metadata as { event_payload: { run: string; part?: number; of?: number } }).event_payload);

  /** Claims enough for a digest of two Slack messages: five in each of five sections (26+ items, over 50 blocks). */
  async function seedMany() {
    const claims = claimService(stack.app.storage);
    const actor = { who: 'test', surface: 'test' };
    const ids: string[] = [];
    const add = async (caseId: string, facts: Record<string, unknown>, change?: Parameters<typeof claims.apply>[1]) => {
      const plan = await claims.draft({ caseId, payer: 'Aetna', payerKind: 'commercial', lane: 'medical', procedures: ['41100'], diagnoses: ['K14.8'], billedCents: 65000, ...facts }, actor);
      if (!plan.ok || !(await claims.commit(plan))) throw new Error(`seed failed: ${caseId}: ${plan.ok ? 'not committed' : plan.problem}`);
      if (change) {
        const next = await claims.apply(caseId, change, actor); // planned and committed
        if (!next.ok) throw new Error(`seed change failed: ${caseId}: ${next.problem}`);
      }
      ids.push(caseId);
    };
    for (const n of [2, 3, 4, 5, 6]) { // case IDs have no 0, 1, I or O
      await add(`C-VRDS${n}`, { submittedDate: addDays(today, -60) });
      await add(`C-RECS${n}`, { submittedDate: addDays(today, -40) }, { kind: 'records-requested', date: addDays(today, -3), due: addDays(today, 5) });
      await add(`C-TDAY${n}`, { submittedDate: addDays(today, -20) }, { kind: 'snoozed', until: today });
      await add(`C-AUTH${n}`, { serviceDate: addDays(today, 10), authNumber: `PA${n}`, authExpires: addDays(today, 3) });
      await add(`C-UNSB${n}`, { serviceDate: addDays(today, -30) });
    }
    return ids;
  }

  it('keys every part of a digest of several messages, and after a process dies between parts posts only the missing one', async () => {
    const ids = await seedMany();
    await slash('digest here 8:00 America/Chicago every day');
    await fake.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage' && /posted here/.test(JSON.stringify(c.params))));
    const runKey = `digest:slack:T0PRAC:channel:${CHANNEL}:${today}`;

    // The first process posts part 1; its post of part 2 fails (as if it died there), and it leaves the run unsent.
    fake.failNext('chat.postMessage', { after: 1 });
    const first = await startScheduler(() => postingTime);
    await fake.waitFor((calls) => calls.some((c) => c.failed === true));
    await first.tick();
    await schedulers.pop()?.stop();
    expect(partsPosted()).toEqual([{ run: runKey, part: 1, of: 2 }]);

    // Another process after the lease: it finds part 1 by its key and posts part 2 alone, once.
    const next = await startScheduler(() => postingTime + 5 * 60_000);
    await fake.waitFor(() => digestPosts().length === 2);
    await next.tick();
    await next.tick();
    await schedulers.pop()?.stop();
    const later = await startScheduler(() => postingTime + 60 * 60_000);
    await later.tick();
    await later.tick();
    expect(partsPosted()).toEqual([{ run: runKey, part: 1, of: 2 }, { run: runKey, part: 2, of: 2 }]);
    expect(fake.of('conversations.history')).toHaveLength(1);
    const [part1, part2] = digestPosts();
    // Each part is found by its key; the run's message is part 1, posted by the first process.
    const found = await stack.app.outbound.findKeyed({ platform: 'slack', tenant: 'T0PRAC', channel: CHANNEL }, runKey);
    expect(found.map((p) => [p.part, p.of])).toEqual([[1, 2], [2, 2]]);
    expect((await stack.app.storage.digests.run(`slack:T0PRAC:channel:${CHANNEL}`, today))?.messageId).toBe(found[0]?.messageId);
    for (const m of digestPosts()) expect(blockKitProblems(m.params.blocks as Record<string, unknown>[])).toEqual([]);
    // Every claim is in the digest, and part 2 (the one the dead process never posted) holds some of them.
    const whole = `${textOf(part1 ?? { params: {} })}${textOf(part2 ?? { params: {} })}`;
    for (const id of ids) expect(whole, id).toContain(`${id} · `);
    expect(ids.filter((id) => textOf(part2 ?? { params: {} }).includes(`${id} · `)).length).toBeGreaterThan(0);
  }, 30_000);

  it('lists the practice\'s claim number beside the case ID, and takes "/medbill A1005 paid $5200 on 12/1" for that claim (issue 24 §2)', async () => {
    const claims = claimService(stack.app.storage);
    const plan = await claims.draft({ caseId: 'C-NUM23', reference: 'A1005', payer: 'Aetna', payerKind: 'commercial', lane: 'medical', procedures: ['41100'], diagnoses: ['K14.8'], billedCents: 520000, submittedDate: addDays(today, -30) }, { who: 'test', surface: 'test' });
    if (!plan.ok || !(await claims.commit(plan))) throw new Error(`seed failed: ${plan.ok ? 'not committed' : plan.problem}`);
    await slash('digest here 8:00 America/Chicago every day');
    await fake.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage' && /posted here/.test(JSON.stringify(c.params))));
    await startScheduler(() => postingTime);
    await fake.waitFor(() => digestPosts().length === 1);
    const [digest] = digestPosts();
    expect(textOf(digest ?? { params: {} })).toMatch(/C-NUM23 · A1005 · Aetna · 41100 · \$5,200 · 30 days since submission/);

    fake.clear();
    expect((await slash('A1005 paid $5200 on 12/1')).status).toBe(200);
    await fake.waitFor((calls) => calls.some((c) => /Recorded for C-NUM23/.test(JSON.stringify(c.params))));
    expect(JSON.stringify(fake.calls.map((c) => c.params))).toMatch(/Recorded for C-NUM23 \(A1005\): paid \$5,200 on Tue Dec 1, 2026\. It is now paid/);
    expect(await claims.get('C-NUM23')).toMatchObject({ status: 'paid', paidCents: 520000, paidDate: '2026-12-01' });
    expect((await claims.store.history('C-NUM23')).at(-1)).toMatchObject({ action: 'paid', actor: 'slack:U0BILLER', surface: 'slack' });
  }, 20_000);

  it('escapes a payer\'s &, < and > once in the text Slack receives', async () => {
    const claims = claimService(stack.app.storage);
    const plan = await claims.draft({ caseId: 'C-AMPS2', payer: 'Blue Cross & Blue Shield <Federal> Plan', payerKind: 'commercial', lane: 'medical', procedures: ['41100'], diagnoses: ['K14.8'], billedCents: 65000, submittedDate: addDays(today, -60) }, { who: 'test', surface: 'test' });
    if (!plan.ok || !(await claims.commit(plan))) throw new Error(`seed failed: ${plan.ok ? 'not committed' : plan.problem}`);
    await slash('digest here 8:00 America/Chicago every day');
    await fake.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage' && /posted here/.test(JSON.stringify(c.params))));
    await startScheduler(() => postingTime);
    await fake.waitFor(() => digestPosts().length === 1);
    const texts = ((digestPosts()[0]?.params.blocks ?? []) as { text?: { text?: string } }[]).map((b) => b.text?.text ?? '');
    const line = texts.find((t) => t.startsWith('C-AMPS2'));
    // Slack's mrkdwn needs &amp; &lt; &gt; exactly once: Slack shows them as &, < and >.
    expect(line).toBe('C-AMPS2 · Blue Cross &amp; Blue Shield &lt;Federal&gt; Plan · 41100 · $650 · 60 days since submission · follow-up was due Thu Oct 22, 2026');
    expect(line).not.toMatch(/&amp;(amp|lt|gt);/);
  }, 20_000);

  it('answers "/medbill report" with the tables and the aging chart uploaded as a PNG picture', async () => {
    await seed();
    await slash('report');
    await fake.waitFor((calls) => calls.some((c) => c.method === 'files.completeUploadExternal'), 15_000);
    const upload = fake.of('upload')[0];
    // The upload is multipart form data: the picture is the bytes from the PNG signature to the IEND chunk (and its CRC).
    const body = Buffer.from(String(upload?.params.bytes ?? ''), 'base64');
    const png = PNG.sync.read(body.subarray(body.indexOf(Buffer.from([0x89, 0x50, 0x4e, 0x47])), body.indexOf(Buffer.from('IEND')) + 8));
    expect(png.width).toBeGreaterThan(400);
    expect(fake.of('files.completeUploadExternal')[0]?.params.files).toEqual([expect.objectContaining({ title: 'A/R aging by payer' })]);
    await fake.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage' && /A\/R aging: outstanding by payer/.test(JSON.stringify(c.params))));
  }, 20_000);
});

describe('MEDBILL_DIGEST', () => {
  it('reads channels with their time, zone and days, and names a bad entry', async () => {
    expect(configuredDigests('slack:C0BILLING 8:00 America/Chicago; slack:T0TEAM/C0OTHER 7:30am America/New_York every day')).toEqual([
      { address: { platform: 'slack', channel: 'C0BILLING' }, localTime: '08:00', zone: 'America/Chicago', weekdays: [1, 2, 3, 4, 5] },
      { address: { platform: 'slack', tenant: 'T0TEAM', channel: 'C0OTHER' }, localTime: '07:30', zone: 'America/New_York', weekdays: [1, 2, 3, 4, 5, 6, 7] },
    ]);
    expect(configuredDigests('')).toEqual([]);
    expect(() => configuredDigests('slack:C0BILLING 8:00')).toThrow(/MEDBILL_DIGEST: "slack:C0BILLING 8:00": Which time zone/);
    expect(() => configuredDigests('C0BILLING at eight')).toThrow(/not PLATFORM:CHANNEL TIME ZONE/);
  });
});
