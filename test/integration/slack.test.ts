/**
 * medbill as a Slack app, end to end: the real server on 127.0.0.1, signed requests built from Slack's own
 * payloads (shared/data/slack-fixtures), and Slack's Web API replaced by a local fake that records every
 * call. Assertions are on what was sent: Block Kit within limits, the right channel and thread, DMs and
 * ephemeral notes where required, no identifiers in channels.
 */
import { slackSignedHeaders } from '../support/slack-signing.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Running } from '../../src/root/server.js';
import { startSlackApiFake, type RecordedCall, type SlackApiFake } from '../support/slack-api-fake.js';
import { startSlackStack, type SlackStack } from '../support/slack-stack.js';
import { shared, tempDbPath } from '../helpers.js';
import { blockKitProblems } from '../support/block-kit.js';

const FIXTURES = shared('data/slack-fixtures');
const fixture = (name: string) => readFileSync(join(FIXTURES!, name), 'utf8');
const json = (name: string) => JSON.parse(fixture(name));
const vector = FIXTURES ? json('signature_verification.vector.json') : undefined;
const SECRET: string = vector?.signing_secret ?? 'unused';

export function signed(body: string, secret = SECRET, ts = Math.floor(Date.now() / 1000)): Record<string, string> {
  return slackSignedHeaders(secret, body, ts);
}

const IDENTIFIERS = ['Jane', 'Smith', '04/12/1961', 'XKQ123456789'];

describe.skipIf(!FIXTURES)('Slack', () => {
  let fake: SlackApiFake;
  let stack: SlackStack;
  let running: Running;
  const dbPath = tempDbPath();

  // The same database across a restart (the retry test).
  async function boot() {
    stack = await startSlackStack({ secret: SECRET, fake, dbPath });
    running = stack.running;
  }
  const shutdown = () => stack.close();
  beforeAll(async () => {
    fake = await startSlackApiFake();
    await boot();
  });
  afterAll(async () => {
    await shutdown();
    await fake.close();
  });
  beforeEach(() => fake.clear());

  const send = (body: string, type: string, headers: Record<string, string> = signed(body)) =>
    fetch(`${running.url}/slack/events`, { method: 'POST', headers: { 'content-type': type, ...headers }, body });
  const sendJson = (payload: unknown, extra: Record<string, string> = {}) => {
    const body = JSON.stringify(payload);
    return send(body, 'application/json', { ...signed(body), ...extra });
  };
  const sendForm = (fields: Record<string, string>) => {
    const body = new URLSearchParams(fields).toString();
    return send(body, 'application/x-www-form-urlencoded');
  };
  const sendPayload = (payload: unknown) => sendForm({ payload: JSON.stringify(payload) });

  let eventSeq = 0;
  function imEvent(text: string, user = 'U2147483697', team = 'T123') {
    const envelope = json('events_api.event_callback.message.channels.json');
    const inner = { ...json('event.message.im.inner_event.json'), text, user, ts: `1355517523.${String(++eventSeq).padStart(6, '0')}` };
    return { ...envelope, team_id: team, event: inner, event_id: `EvIM${Date.now()}${eventSeq}` };
  }
  function slash(text: string, user = 'W111', channel = 'C111') {
    const fields = Object.fromEntries(new URLSearchParams(fixture('slash_command.hello-bolt-js.form.txt')));
    return { ...fields, command: '/medbill', text, user_id: user, channel_id: channel, response_url: fake.responseUrl(`cmd-${++eventSeq}`) };
  }
  function press(value: string, user: string, channel: string, messageTs: string, actionId = 'medbill_button_0') {
    const base = json('block_actions.button.thread_with_state.json');
    const action = actionId.startsWith('medbill_select')
      ? { action_id: actionId, block_id: 'choices_0', type: 'static_select', selected_option: { text: { type: 'plain_text', text: value }, value }, action_ts: base.actions[0].action_ts }
      : { ...base.actions[0], action_id: actionId, value, block_id: 'choices_0' };
    return {
      ...base, user: { ...base.user, id: user }, channel: { id: channel, name: 'directmessage' },
      container: { type: 'message', message_ts: messageTs, channel_id: channel, is_ephemeral: false },
      message: { type: 'message', ts: messageTs, text: '' }, response_url: fake.responseUrl(`act-${++eventSeq}`),
      trigger_id: `trigger-${eventSeq}`, actions: [action],
    };
  }
  const posts = () => fake.of('chat.postMessage');
  const lastButtons = (call: RecordedCall) => (call.params.blocks as any[]).flatMap((b) => (b.type === 'actions' ? b.elements : b.accessory ? [b.accessory] : []));
  /** A button, or an option of a menu, by its label in the messages sent. */
  const button = (calls: RecordedCall[], label: string) => {
    for (const c of [...calls].reverse()) {
      for (const e of lastButtons(c)) {
        if (e.text?.text === label) return { value: e.value as string, actionId: e.action_id as string };
        const option = e.options?.find((o: any) => o.text.text === label);
        if (option) return { value: option.value as string, actionId: e.action_id as string };
      }
    }
    throw new Error(`no button ${label}`);
  };
  const allText = (calls: RecordedCall[]) => calls.map((c) => JSON.stringify(c.params)).join('\n');
  const isHelp = (c: RecordedCall) => /^medbill helps/.test(String(c.params.text));
  /** The answer to "help", with the note on the flow it interrupted, if any. */
  const isHelpAnswer = (c: RecordedCall) => c.method === 'chat.postMessage' && /^(?:medbill helps|You were in ")/.test(String(c.params.text));
  /**
   * A DM from the same person, answered: one person's events are answered in the order they came, so once
   * this answer is recorded, anything an earlier event of theirs would have sent has been sent. No sleeping.
   */
  async function answeredAfter(user = 'U2147483697', team = 'T123') {
    expect((await sendJson(imEvent('help', user, team))).status).toBe(200);
    await fake.waitFor(() => posts().some(isHelp));
    await stack.app.inbox.idle();
  }

  // ------------------------------------------------------------------ requests and signatures

  it('verifies the published signing vector', () => {
    const body = fixture(vector.body_file);
    expect(signed(body, vector.signing_secret, Number(vector.timestamp))['x-slack-signature']).toBe(vector.expected_signature);
  });

  it('answers url_verification with its challenge', async () => {
    const payload = json('events_api.url_verification.json');
    const res = await sendJson(payload);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(payload.challenge);
  });

  it('answers ssl_check without doing anything', async () => {
    const body = fixture('ssl_check.form.txt');
    expect((await send(body, 'application/x-www-form-urlencoded')).status).toBe(200);
    expect(fake.calls).toEqual([]);
  });

  const refused: [string, () => Promise<Response>, number][] = [
    ['a bad signature', () => { const b = JSON.stringify(imEvent('lookup D7286')); return send(b, 'application/json', signed(b, 'wrongsecret000000000')); }, 401],
    ['a timestamp over 5 minutes old', () => { const b = JSON.stringify(imEvent('lookup D7286')); return send(b, 'application/json', signed(b, SECRET, Math.floor(Date.now() / 1000) - 6 * 60)); }, 401],
    ['missing signature headers', () => send(JSON.stringify(imEvent('lookup D7286')), 'application/json', {}), 401],
    ['a malformed JSON body, correctly signed', () => send('{"type": "event_callback", ', 'application/json'), 400],
    ['a malformed interactivity payload, correctly signed', () => send('payload=%7Bnot-json', 'application/x-www-form-urlencoded'), 400],
  ];
  it.each(refused)('refuses %s and does nothing', async (_what, request, status) => {
    const res = await request();
    expect(res.status).toBe(status);
    await answeredAfter();
    expect(fake.calls.filter((c) => !isHelpAnswer(c))).toEqual([]); // the help asked after it, nothing else
  });

  // ------------------------------------------------------------------ events

  it('answers a direct message in the DM, in valid Block Kit', async () => {
    const res = await sendJson(imEvent('pt broke #8 in a bike accident, has BCBS medical + Delta dental'));
    expect(res.status).toBe(200);
    await fake.waitFor(() => posts().length > 0);
    const post = posts()[0]!;
    expect(post.params.channel).toBe('D024BE91L');
    expect(post.params.text).toMatch(/MEDICAL: bill medical insurance first/);
    expect(blockKitProblems(post.params.blocks)).toEqual([]);
    expect(post.token).toBe('Bearer xoxb-test-0000000000');
  });

  it('answers a new patient typed into an open case in one message that says the case was set aside', async () => {
    const text = 'pt broke #8 in a bike accident, has BCBS medical + Delta dental';
    await sendJson(imEvent(text, 'U0NEWCASE'));
    await fake.waitFor(() => posts().length > 0);
    fake.clear();
    await sendJson(imEvent(text, 'U0NEWCASE'));
    await answeredAfter('U0NEWCASE');
    const answers = posts().filter((p) => !isHelpAnswer(p));
    expect(answers).toHaveLength(1);
    expect(answers[0]!.params.text).toMatch(/^Starting a new case; case C-\w+ is kept/);
    expect(answers[0]!.params.text).toMatch(/MEDICAL: bill medical insurance first/);
    expect(blockKitProblems(answers[0]!.params.blocks)).toEqual([]);
  });

  it('answers an @mention in its thread, and sends case details by DM with a note in the thread', async () => {
    const mention = json('events_api.event_callback.app_mention.json');
    await sendJson(mention);
    await fake.waitFor(() => posts().length > 0);
    expect(posts()[0]!.params).toMatchObject({ channel: 'C123', thread_ts: mention.event.ts }); // help is fine in a channel
    fake.clear();
    const withCase = { ...mention, event_id: 'EvMENTIONCASE', event: { ...mention.event, text: '<@U123> pt Jane Smith DOB 04/12/1961 member ID XKQ123456789, ext #30 abscess w/ facial swelling, Aetna medical only', ts: '1583636400.000100' } };
    await sendJson(withCase);
    await fake.waitFor(() => posts().some((p) => p.params.channel === 'C123' && /direct message/.test(p.params.text)));
    const inChannel = posts().filter((p) => p.params.channel === 'C123');
    const inDm = posts().filter((p) => p.params.channel !== 'C123');
    expect(inDm.some((p) => (p.params.blocks as any[]).length > 0 && /Case C-/.test(p.params.text))).toBe(true);
    expect(inChannel.every((p) => p.params.thread_ts === '1583636400.000100')).toBe(true);
    expect(inChannel.some((p) => /Case C-|Prior authorization|K04|D7140/.test(JSON.stringify(p.params)))).toBe(false);
    for (const id of IDENTIFIERS) expect(allText(fake.calls)).not.toContain(id);
  });

  it('ignores channel messages that do not mention it, and bot messages in DMs', async () => {
    await sendJson(json('events_api.event_callback.message.channels.json'));
    const fromBot = imEvent('lookup D7286');
    await sendJson({ ...fromBot, event: { ...fromBot.event, bot_id: 'B999', subtype: 'bot_message' } });
    await answeredAfter(); // the same person's next DM (and a drained inbox: the channel message was taken, or not, before its ack)
    expect(fake.calls.filter((c) => !isHelpAnswer(c))).toEqual([]);
  });

  it('acknowledges a retried event but answers it once, also after a restart', async () => {
    const event = imEvent('lookup K08.3');
    expect((await sendJson(event)).status).toBe(200);
    await fake.waitFor(() => posts().length === 1);
    const answer = posts()[0]?.params.text;
    expect((await sendJson(event, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' })).status).toBe(200);
    await shutdown();
    await boot();
    expect((await sendJson(event, { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' })).status).toBe(200);
    await answeredAfter();
    expect(posts().filter((p) => p.params.text === answer)).toHaveLength(1);
  });

  it('publishes the App Home with quick starts and the person\'s recent cases', async () => {
    await sendJson(imEvent('pt broke #8 in a bike accident, has BCBS medical + Delta dental', 'U12345678', 'T12345678'));
    await fake.waitFor(() => posts().length > 0);
    await sendJson(json('events_api.event_callback.app_home_opened.json'));
    await fake.waitFor(() => fake.of('views.publish').length > 0);
    const view = fake.of('views.publish')[0]!.params;
    expect(view.user_id).toBe('U12345678');
    expect(view.view.type).toBe('home');
    expect(blockKitProblems(view.view.blocks, 100)).toEqual([]);
    const text = JSON.stringify(view.view.blocks);
    expect(text).toContain('go:triage');
    expect(text).toMatch(/C-[A-Z0-9]{5}.*MEDICAL/);
  });

  // ------------------------------------------------------------------ commands, buttons, modals

  it('walks a whole triage by slash command, buttons and a modal, with the answer in the DM', async () => {
    const user = 'W111';
    const res = await sendForm(slash('triage'));
    expect(res.status).toBe(200);
    await fake.waitFor(() => posts().length > 0 && fake.of('response_url').length > 0);
    const dm = posts()[0]!.params.channel;
    expect(dm).toBe('DW111'); // the DM the fake's conversations.open returned
    expect(fake.of('response_url')[0]!.params).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/direct message/) });
    expect(posts()[0]!.params.text).toMatch(/what procedure is it/i);
    expect((posts()[0]!.params.blocks as any[]).some((x) => x.elements?.[0]?.type === 'static_select')).toBe(true); // ten choices: a menu

    let b = button(posts(), 'Impacted wisdom tooth removal');
    fake.clear();
    await sendPayload(press(b.value, user, dm, '1.1', b.actionId));
    await fake.waitFor(() => posts().length > 0);
    expect(posts()[0]!.params.text).toMatch(/which insurance/i);

    b = button(posts(), 'One combined plan');
    fake.clear();
    await sendPayload(press(b.value, user, dm, '1.2', b.actionId));
    await fake.waitFor(() => posts().length > 0);
    expect(posts()[0]!.params.text).toMatch(/MEDICAL FIRST/);
    expect(blockKitProblems(posts()[0]!.params.blocks)).toEqual([]);

    // The fee check is a form: the click that asks for it opens a modal right away.
    b = button(posts(), 'Check the fee');
    fake.clear();
    const click = press(b.value, user, dm, '1.3', b.actionId);
    await sendPayload(click);
    // …and the question also stays in the DM with a button that reopens the form, should the modal be closed.
    await fake.waitFor(() => fake.of('views.open').length > 0 && posts().some((p) => /Fee check/.test(p.params.text)));
    expect(fake.calls.findIndex((c) => c.method === 'views.open')).toBeLessThan(fake.calls.findIndex((c) => c.method === 'chat.postMessage'));
    const modal = fake.of('views.open')[0]!.params;
    expect(modal.trigger_id).toBe(click.trigger_id);
    expect(modal.view).toMatchObject({ type: 'modal', callback_id: 'medbill_form' });
    expect(modal.view.blocks.map((x: any) => x.block_id)).toEqual(['fee', 'cashFee']);

    fake.clear();
    const submission = json('view_submission.modal_with_inputs.json');
    await sendPayload({
      ...submission, user: { ...submission.user, id: user }, team: { id: 'T111', domain: 'x' },
      view: { ...submission.view, callback_id: 'medbill_form', private_metadata: modal.view.private_metadata, state: { values: { fee: { value: { type: 'number_input', value: '900' } }, cashFee: { value: { type: 'number_input', value: '650' } } } } },
    });
    await fake.waitFor(() => posts().length > 0);
    expect(posts()[0]!.params.channel).toBe(dm);
    expect(allText(posts())).toMatch(/MEDICAL FIRST[\s\S]*more than the cash fee|fee-above-cash-fee|above the cash fee/i);
  });

  it('updates a checklist in place when an item is ticked', async () => {
    const user = 'W222';
    await sendForm(slash('docs for a sleep apnea appliance, Medicare', user));
    await fake.waitFor(() => posts().some((p) => /0 of/.test(p.params.text)));
    const post = posts().find((p) => /0 of/.test(p.params.text))!;
    const toggle = lastButtons(post).find((e) => e.value === 'docs:checklist:toggle-sleep-study')!;
    fake.clear();
    await sendPayload(press(toggle.value, user, post.params.channel, '9.9', toggle.action_id));
    await fake.waitFor(() => fake.of('chat.update').length > 0);
    const update = fake.of('chat.update')[0]!.params;
    expect(update).toMatchObject({ channel: post.params.channel, ts: '9.9' });
    expect(update.text).toMatch(/1 of/);
    expect(posts()).toEqual([]);
  });

  it('answers an unknown button value with a clear message, not silence', async () => {
    await sendPayload(press('triage:coverage:platinum', 'W333', 'D333', '5.5'));
    await fake.waitFor(() => posts().length > 0);
    expect(allText(posts())).toMatch(/don't recognise that button|has ended/);
  });

  it('runs the message shortcut on the message and answers by DM', async () => {
    const base = JSON.parse(new URLSearchParams(fixture('interactive.shortcut.form.txt')).get('payload')!);
    await sendPayload({
      ...base, type: 'message_action', callback_id: 'ask_medbill', user: { ...base.user, id: 'W444' }, channel: { id: 'C444', name: 'billing' },
      message: { type: 'message', text: 'D7240 #17 w/ cyst, Aetna medical + Delta dental separate plans', ts: '1.0' }, response_url: fake.responseUrl('shortcut'),
    });
    await fake.waitFor(() => posts().length > 0 && fake.of('response_url').length > 0);
    expect(posts().every((p) => p.params.channel === 'DW444')).toBe(true);
    expect(allText(posts())).toMatch(/MEDICAL/);
    expect(fake.of('response_url')[0]!.params.response_type).toBe('ephemeral');
  });
});

describe.skipIf(!FIXTURES)('Slack Web API rate limits', () => {
  it('honours 429 and Retry-After, then posts once', async () => {
    const fake = await startSlackApiFake({ rateLimitOnce: { 'chat.postMessage': 1 } });
    const stack = await startSlackStack({ secret: SECRET, fake });
    const running = stack.running;
    try {
      const envelope = json('events_api.event_callback.message.channels.json');
      const body = JSON.stringify({ ...envelope, event_id: 'EvRATE1', event: json('event.message.im.inner_event.json') });
      await fetch(`${running.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...signed(body) }, body });
      await fake.waitFor(() => fake.of('chat.postMessage').length === 1, 8000);
      const limited = fake.calls.find((c) => c.rateLimited)!;
      const posted = fake.of('chat.postMessage')[0]!;
      expect(posted.at - limited.at).toBeGreaterThanOrEqual(950);
    } finally {
      await stack.close();
      await fake.close();
    }
  }, 15_000);
});
