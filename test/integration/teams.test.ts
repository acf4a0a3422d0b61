/**
 * medbill in Teams, end to end: the real server on 127.0.0.1, activities posted to /api/messages as Teams
 * posts them (Microsoft's captures in shared/data/teams-fixtures when shared/ is there, activities of the
 * same shape in test/fixtures/teams otherwise), and the Bot Connector and OneDrive replaced by a local fake
 * that records what medbill sent. Assertions are on what was sent and answered: Adaptive Cards (every one
 * checked by Microsoft's card model) in the right conversation, presses answered in their own response with
 * the redrawn card, a case never in a channel, a letter offered with a consent card and uploaded on accept,
 * the digest posted to a channel medbill was added to.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openHouse as openApp, type House as App } from '../support/house.js';
import { loadConfig } from '../../src/config.js';
import { startServer, type Running } from '../../src/root/server.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { createTeamsAdapter, retryWait, sdkAuthConfig, TEAMS_SURFACE, type TeamsAdapter } from '../../adapters/teams/adapter.js';
import { AuthType, resolveAuthType, type AuthProvider, type Connections } from '@microsoft/agents-hosting';
import { renderCard, renderCards } from '../../adapters/teams/cards.js';
import { reply } from '../../src/engine/model.js';
import { PNG } from 'pngjs';
import { loadTeamsConfig, type TeamsConfig } from '../../adapters/teams/config.js';
import { isOneDriveUrl } from '../../adapters/teams/files.js';
import { startDigest } from '../../src/root/digest.js';
import { addDays } from '../../src/calendar.js';
import type { DigestScheduler } from '../../src/scheduler/digest-scheduler.js';
import { ROOT, SHARED } from '../helpers.js';
import { tempDbPath } from '../helpers.js';
import { actionsIn, cardOf, cardText, menuChoicesIn, startConnectorFake, type ConnectorFake, type Recorded } from '../support/teams-connector-fake.js';
import { cardProblems } from '../support/adaptive-cards.js';
import { claimService } from '../support/storage.js';

const OWN_FIXTURES = join(ROOT, 'test/fixtures/teams');
const SHARED_FIXTURES = join(SHARED, 'data/teams-fixtures');
if (!existsSync(SHARED_FIXTURES)) console.log(`Teams tests use medbill's own activities: ${SHARED_FIXTURES} is not present (shared/ is not part of the project)`);
/** Microsoft's capture when shared/ has it, else medbill's activity of the same shape. */
const fixture = (name: string) => JSON.parse(readFileSync(existsSync(join(SHARED_FIXTURES, name)) ? join(SHARED_FIXTURES, name) : join(OWN_FIXTURES, name), 'utf8'));

const NOW = Date.parse('2026-12-08T02:30:00Z');
const TODAY = '2026-12-07';

/**
 * medbill serving Teams for `house`: the server first (its address is the public URL charts are linked to),
 * then the adapter behind its routes, started.
 */
async function serveTeams(house: App, config: TeamsConfig): Promise<{ running: Running; teams: TeamsAdapter }> {
  const wired: { teams?: TeamsAdapter } = {};
  const later = (f: (t: TeamsAdapter) => TeamsAdapter['requestListener']): TeamsAdapter['requestListener'] => (req, res) => {
    if (!wired.teams) throw new Error('Teams is not wired yet');
    return f(wired.teams)(req, res);
  };
  const running = await startServer(house, {
    host: '127.0.0.1', port: 0, log: silentLogger,
    routes: [{ path: TEAMS_SURFACE.messagesPath, handle: later((t) => t.requestListener) }, { path: TEAMS_SURFACE.picturePath, handle: later((t) => t.pictureListener) }],
  });
  const teams = createTeamsAdapter({ config: { ...config, publicUrl: running.url }, inbox: house.inbox, outbound: house.outbound, log: silentLogger, heldFor: house.heldOf });
  wired.teams = teams;
  await teams.start();
  return { running, teams };
}

describe('Teams (dev mode, a fake Bot Connector)', () => {
  let connector: ConnectorFake;
  let app: App;
  let running: Running;
  /** Cards answered to invokes, checked with the sent ones after each test. */
  const answered: unknown[] = [];
  const dbPath = tempDbPath();
  /** A second medbill process on the same database (a replica, or the same one after a restart), once asked for. */
  let second: { app: App; running: Running } | undefined;
  async function secondProcess(): Promise<Running> {
    if (second) return second.running;
    const other = openApp({ ...loadConfig({ MEDBILL_TIME_ZONE: 'America/Chicago' }), dbPath }, { log: silentLogger, now: () => NOW });
    const teams = createTeamsAdapter({ config: { dev: true }, inbox: other.inbox, outbound: other.outbound, log: silentLogger, heldFor: other.heldOf });
    const otherRunning = await startServer(other, {
      host: '127.0.0.1', port: 0, log: silentLogger,
      routes: [{ path: TEAMS_SURFACE.messagesPath, handle: teams.requestListener }, { path: TEAMS_SURFACE.picturePath, handle: teams.pictureListener }],
    });
    await teams.start();
    second = { app: other, running: otherRunning };
    return otherRunning;
  }

  beforeAll(async () => {
    connector = await startConnectorFake();
    // The practice is in Chicago and its clock reads 02:30 UTC on Dec 8, the evening of Dec 7 there (TODAY).
    app = openApp({ ...loadConfig({ MEDBILL_TIME_ZONE: 'America/Chicago' }), dbPath }, { log: silentLogger, now: () => NOW });
    const config = loadTeamsConfig({ MEDBILL_TEAMS_DEV: '1' });
    if (!config) throw new Error('dev mode turns Teams on');
    ({ running } = await serveTeams(app, config));
  });
  afterAll(async () => {
    if (second) {
      await second.running.close();
      await second.app.inbox.idle();
      await second.app.close();
    }
    await running.close();
    await app.inbox.idle();
    app.close();
    await connector.close();
  });
  beforeEach(async () => {
    connector.calls.length = 0;
    connector.uploads.length = 0;
    answered.length = 0;
  });
  afterEach(async () => {
    // Every card medbill sent or answered with is one Teams can render.
    for (const card of [...connector.calls.map(cardOf).filter(Boolean), ...answered]) expect(cardProblems(card)).toEqual([]);
  });

  let seq = 0;
  /** A fixture, its serviceUrl pointed at the fake, with a fresh id unless one is given. */
  const activity = (name: string, change: Record<string, unknown> = {}) => ({ ...fixture(name), serviceUrl: connector.url, id: `${Date.now()}${++seq}`, ...change });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${running.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const settle = () => app.inbox.idle();
  /** Who writes in each test's personal chat: a person of their own, so no test continues another's conversation. */
  const people = new Map<string, Record<string, unknown>>();
  const fromOf = (conversation: Record<string, unknown>) => people.get(String(conversation.id)) ?? fixture('message.personal.rich-text.json').from;
  /** A personal chat (and a person) of its own for a test, in the fixture's tenant. */
  const personal = (tag: string) => {
    const message = fixture('message.personal.rich-text.json');
    const chat = { conversationType: 'personal', id: `a:${tag}-${Date.now()}-${++seq}`, tenantId: message.channelData.tenant.id };
    people.set(chat.id, { ...message.from, id: `29:${tag}-${seq}` });
    return chat;
  };
  const say = async (conversation: Record<string, unknown>, text: string) => {
    const res = await post(activity('message.personal.rich-text.json', { text, conversation, from: fromOf(conversation) }));
    expect(res.status).toBe(200);
    await settle();
  };

  /** Presses a card's Execute action as Teams does: an adaptiveCard/action invoke, answered with a card. */
  async function press(conversation: Record<string, unknown>, data: Record<string, unknown>, title = 'x', from?: Record<string, unknown>) {
    const base = fixture('invoke.adaptiveCard-action.execute.personal.json');
    const res = await post(activity('invoke.adaptiveCard-action.execute.personal.json', {
      conversation, value: { action: { type: 'Action.Execute', title, verb: 'medbill', data }, trigger: 'manual' }, from: from ?? fromOf(conversation),
      recipient: base.recipient, replyToId: `card-${seq}`, channelData: { tenant: { id: conversation.tenantId } },
    }));
    expect(res.status).toBe(200);
    const body = await res.json() as { statusCode: number; type: string; value: unknown };
    if (body.type === 'application/vnd.microsoft.card.adaptive') answered.push(body.value);
    await settle();
    return body;
  }
  /** The action titled `title` among the cards sent so far (the newest first). */
  const action = (title: string) => {
    const found = [...connector.calls].reverse().flatMap((c) => actionsIn(cardOf(c))).find((a) => a.title === title);
    if (!found) throw new Error(`no button "${title}" in: ${connector.calls.flatMap((c) => actionsIn(cardOf(c))).map((a) => a.title).join(', ')}`);
    return found;
  };
  const sentText = () => connector.calls.map(cardText).join('\n');

  it('answers a personal message with an Adaptive Card in the personal chat', async () => {
    const a = activity('message.personal.rich-text.json', { text: 'help' });
    const res = await post(a);
    expect(res.status).toBe(200);
    await settle();
    expect(connector.calls.length).toBeGreaterThan(0);
    for (const call of connector.calls) {
      expect(call.conversation).toBe(a.conversation.id);
      expect(call.body.type).toBe('message');
      expect(call.body.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
      expect(cardOf(call)).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
      expect(cardOf(call).body[0]).toMatchObject({ type: 'TextBlock', wrap: true });
    }
    // The menu's buttons are Universal Actions (Action.Execute), one verb, the choice in the data.
    // The menu has more flows than Teams shows buttons: a choice list, and one Execute button that sends it.
    expect(menuChoicesIn(cardOf(connector.calls[0] as Recorded)).map((x) => x.title)).toContain('Look up a code');
    expect(actionsIn(cardOf(connector.calls[0] as Recorded))).toEqual([expect.objectContaining({ title: 'Go' })]);
  });

  it('sends again when Teams throttles (429, after its Retry-After), and each card arrives once', async () => {
    const chat = personal('throttled');
    const before = connector.throttled;
    connector.throttleNext(2, '0');
    await say(chat, 'help');
    expect(connector.throttled - before).toBe(2);
    expect(connector.calls.filter((c) => c.conversation === chat.id)).toHaveLength(1);
    expect(sentText()).toContain('medbill helps decide');
  });

  it('answers the same activity id once (Teams retries)', async () => {
    const a = activity('message.personal.rich-text.json', { text: 'help' });
    expect((await post(a)).status).toBe(200);
    await settle();
    const first = connector.calls.length;
    expect(first).toBeGreaterThan(0);
    expect((await post(a)).status).toBe(200);
    await settle();
    expect(connector.calls.length).toBe(first);
  });

  it('answers a channel mention in its thread, the mention stripped', async () => {
    const a = activity('message.channel.bot-mention-reply-in-thread.json');
    const mention = a.entities.find((e: { type: string }) => e.type === 'mention').text as string;
    a.text = `${mention} help`;
    expect((await post(a)).status).toBe(200);
    await settle();
    expect(connector.calls.length).toBeGreaterThan(0);
    // The fixture's conversation is a thread (…;messageid=ROOT): every reply goes there.
    expect(a.conversation.id).toMatch(/;messageid=\d+$/);
    expect(connector.calls.every((c) => c.conversation === a.conversation.id)).toBe(true);
    expect(sentText()).toContain('medbill helps decide');
    expect(sentText()).not.toContain('<at>');
  });

  it('keeps a case out of the channel: the answer goes to the personal chat, the thread gets a pointer', async () => {
    // Someone medbill has no personal chat with yet (every test has a person of its own).
    const a = activity('message.channel.bot-mention-reply-in-thread.json');
    a.from = { ...a.from, id: `29:case-in-channel-${seq}` };
    a.text = '<at>medbill</at> D2740 crown after fracture, patient Jane Smith DOB 04/12/1961 member XKQ123456789';
    expect((await post(a)).status).toBe(200);
    await settle();
    const channel = connector.calls.filter((c) => c.conversation.startsWith('19:'));
    const personalChat = connector.calls.filter((c) => c.conversation.startsWith('a:'));
    expect(channel.length).toBeGreaterThan(0);
    for (const c of channel) for (const id of ['Jane', 'Smith', '04/12/1961', 'XKQ123456789']) expect(JSON.stringify(c.body)).not.toContain(id);
    // The case went to the person: Teams was asked for their personal chat (none was known), and the thread got the pointer.
    const created = connector.calls.find((c) => c.path === '/v3/conversations');
    expect(created?.body).toMatchObject({ isGroup: false, members: [{ id: a.from.id }], tenantId: a.conversation.tenantId });
    expect(personalChat.length).toBeGreaterThan(0);
    expect(personalChat.map(cardText).join()).toContain('D2740');
    expect(channel.map(cardText).join()).toContain('direct message');
  });

  it('answers a mention in a group chat in the chat itself (group chats have no threads), a case in the personal chat', async () => {
    const group = { id: `19:group-${Date.now()}@thread.v2`, conversationType: 'groupChat', isGroup: true, tenantId: fixture('message.personal.rich-text.json').channelData.tenant.id };
    const base = activity('message.channel.bot-mention-reply-in-thread.json');
    const mention = { ...base, from: { ...base.from, id: `29:group-${seq}` }, conversation: group, channelData: { tenant: { id: group.tenantId } }, text: '<at>medbill</at> help' };
    expect((await post(mention)).status).toBe(200);
    await settle();
    expect(connector.calls.length).toBeGreaterThan(0);
    expect(connector.calls.every((c) => c.conversation === group.id)).toBe(true);
    connector.calls.length = 0;
    expect((await post({ ...mention, id: `${Date.now()}${++seq}`, text: '<at>medbill</at> D2740 crown after a fracture, Aetna medical' })).status).toBe(200);
    await settle();
    expect(connector.calls.filter((c) => c.conversation === group.id).map(cardText).join()).toContain('direct message');
    expect(connector.calls.filter((c) => c.conversation === group.id).map(cardText).join()).not.toContain('D2740');
    expect(connector.calls.filter((c) => c.conversation.startsWith('a:')).map(cardText).join()).toContain('D2740');
  });

  it('welcomes when medbill is added to a personal chat', async () => {
    const a = activity('conversationUpdate.membersAdded.bot-added-to-personal-chat.json', { conversation: { conversationType: 'personal', id: 'a:welcome-chat' } });
    a.membersAdded[0].id = a.recipient.id;
    expect((await post(a)).status).toBe(200);
    await settle();
    expect(connector.calls.length).toBeGreaterThan(0);
    expect(connector.calls[0]?.conversation).toBe('a:welcome-chat');
    expect(cardText(connector.calls[0] as Recorded)).toContain('medbill helps decide');
  });

  it('welcomes a team in the channel it was added to, and remembers that channel for the digest', async () => {
    const a = activity('conversationUpdate.membersAdded.bot-added-to-team.json');
    expect((await post(a)).status).toBe(200);
    await settle();
    expect(connector.calls.map((c) => c.conversation)).toEqual(connector.calls.map(() => a.conversation.id));
    expect(sentText()).toContain('medbill helps decide');
    expect((await app.outbound.known('teams'))).toContainEqual({ platform: 'teams', tenant: a.channelData.tenant.id, channel: a.conversation.id });
  });

  it('ignores a conversationUpdate that adds someone else', async () => {
    const a = activity('conversationUpdate.membersAdded.bot-added-to-personal-chat.json', { conversation: { conversationType: 'personal', id: 'a:someone-else' }, membersAdded: [{ id: '29:other' }] });
    expect((await post(a)).status).toBe(200);
    await settle();
    expect(connector.calls).toEqual([]);
  });

  it('answers only the organisations MEDBILL_TEAMS_TENANTS names: another tenant\'s message and press are acknowledged, logged and not answered', async () => {
    const served = String(fixture('message.personal.rich-text.json').channelData.tenant.id);
    const config = loadTeamsConfig({ MEDBILL_TEAMS_DEV: '1', MEDBILL_TEAMS_TENANTS: ` ${served.toUpperCase()} ,00000000-0000-4000-8000-00000000000a` });
    expect(config?.tenants).toEqual([served.toLowerCase(), '00000000-0000-4000-8000-00000000000a']);
    if (!config) throw new Error('dev mode turns Teams on');
    const lines: { event: string; fields: Record<string, unknown> }[] = [];
    const log: Logger = { log: (_level, event, fields = {}) => { lines.push({ event, fields }); } };
    // A deployment of its own (its own database, inbox and way out), so this suite's adapter keeps delivering as before.
    const own = openApp({ ...loadConfig({ MEDBILL_TIME_ZONE: 'America/Chicago' }), dbPath: tempDbPath() }, { log: silentLogger, now: () => NOW });
    const gated = createTeamsAdapter({ config, inbox: own.inbox, outbound: own.outbound, log, heldFor: own.heldOf });
    const gatedServer = await startServer(own, { host: '127.0.0.1', port: 0, log: silentLogger, web: false, routes: [{ path: TEAMS_SURFACE.messagesPath, handle: gated.requestListener }] });
    await gated.start();
    const settleOwn = () => own.inbox.idle();
    try {
      const send = (body: unknown) => fetch(`${gatedServer.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const other = '11111111-2222-4333-8444-555555555555';
      const chat = { ...personal('tenant-gate'), tenantId: other };
      const message = activity('message.personal.rich-text.json', { text: 'help', conversation: chat, from: fromOf(chat), channelData: { tenant: { id: other } } });
      expect((await send(message)).status).toBe(200);
      const pressed = await send(activity('invoke.adaptiveCard-action.execute.personal.json', {
        conversation: chat, from: fromOf(chat), channelData: { tenant: { id: other } },
        value: { action: { type: 'Action.Execute', title: 'x', verb: 'medbill', data: { medbill: 'help' } }, trigger: 'manual' },
      }));
      expect(await pressed.json()).toMatchObject({ statusCode: 403, type: 'application/vnd.microsoft.error' });
      await settleOwn();
      expect(connector.calls).toEqual([]);
      expect(lines.filter((l) => l.event === 'teams-tenant-not-served').map((l) => l.fields.tenant)).toEqual([other, other]);
      // The organisation it serves is answered as before.
      const own = personal('tenant-served');
      expect((await send(activity('message.personal.rich-text.json', { text: 'help', conversation: own, from: fromOf(own) }))).status).toBe(200);
      await settleOwn();
      expect(connector.calls.map((c) => c.conversation)).toContain(own.id);
    } finally {
      await gated.stop();
      await gatedServer.close();
      await own.inbox.idle();
      await own.close();
    }
  });

  it('answers a press with an InvokeResponse: the pressed card redrawn as answered, the next question as a new message', async () => {
    const chat = personal('press');
    await say(chat, 'D2740 crown after a fracture');
    const question = connector.calls.at(-1) as Recorded;
    const [first] = actionsIn(cardOf(question));
    expect(first).toBeDefined();
    connector.calls.length = 0;
    const body = await press(chat, first?.data ?? {}, first?.title);
    expect(body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    // The card in place: what it asked, the choice, and no buttons left to press twice.
    expect(JSON.stringify(body.value)).toContain(`✔ ${first?.title}`);
    expect(actionsIn(body.value)).toEqual([]);
    // The conversation went on, in the same chat: the next question, not the first one again.
    expect(connector.calls.length).toBeGreaterThan(0);
    expect(connector.calls.every((c) => c.conversation === chat.id)).toBe(true);
    expect(sentText()).not.toContain(cardOf(question).body[0].text);
  });

  it('redraws a ticked checklist in place, and sends nothing else', async () => {
    const chat = personal('checklist');
    await say(chat, 'docs for a sleep apnea appliance, Medicare');
    const list = connector.calls.find((c) => /0 of/.test(cardText(c)));
    expect(list).toBeDefined();
    const toggle = actionsIn(cardOf(list as Recorded)).find((x) => x.data.medbill === 'docs:checklist:toggle-sleep-study');
    expect(toggle).toBeDefined();
    connector.calls.length = 0;
    const body = await press(chat, toggle?.data ?? {}, toggle?.title);
    expect(JSON.stringify(body.value)).toMatch(/1 of/);
    expect(JSON.stringify(body.value)).toContain('☑');
    expect(connector.calls).toEqual([]);
  });

  it('walks a whole triage by card presses and a form, to the right answer', async () => {
    const chat = personal('triage');
    await say(chat, 'triage');
    expect(sentText()).toMatch(/what procedure is it/i);
    // Ten procedures: a menu (Input.ChoiceSet named medbill) with one Go button; Teams merges the choice into the data.
    const choice = menuChoicesIn(cardOf(connector.calls.at(-1) as Recorded)).find((c) => c.title === 'Impacted wisdom tooth removal');
    expect(choice).toBeDefined();
    const go = action('Go');
    connector.calls.length = 0;
    await press(chat, { ...go.data, medbill: choice?.value }, 'Go');
    expect(sentText()).toMatch(/which insurance/i);
    const plan = action('One combined plan');
    connector.calls.length = 0;
    await press(chat, plan.data, plan.title);
    expect(sentText()).toMatch(/MEDICAL FIRST/);
    expect(sentText()).toMatch(/K01\.1/);
    const fee = action('Check the fee');
    connector.calls.length = 0;
    await press(chat, fee.data, fee.title);
    // The fee check is a form: inputs, and a button whose data names the form; Teams sends the inputs with it.
    const form = connector.calls.map(cardOf).find((c) => JSON.stringify(c).includes('Input.Number'));
    expect(form.body.filter((e: { type: string }) => e.type === 'Input.Number').map((e: { id: string }) => e.id)).toEqual(['fee', 'cashFee']);
    const submit = actionsIn(form).find((x) => 'medbillForm' in x.data);
    connector.calls.length = 0;
    await press(chat, { ...submit?.data, fee: '900', cashFee: '650' }, submit?.title);
    expect(sentText()).toMatch(/MEDICAL FIRST/);
    expect(sentText()).toMatch(/more than the cash fee|above the cash fee/i);
  });

  it('reads a press sent as a message (Action.Submit, on cards sent before Universal Actions)', async () => {
    const chat = personal('submit');
    await say(chat, 'D2740 crown after a fracture');
    const [first] = actionsIn(cardOf(connector.calls.at(-1) as Recorded));
    connector.calls.length = 0;
    const message = fixture('message.personal.rich-text.json');
    const submitted = activity('message.messageBack.inbound.channel.json', {
      text: undefined, value: { medbill: first?.data.medbill }, conversation: chat, from: fromOf(chat), recipient: message.recipient, channelData: message.channelData,
    });
    expect((await post(submitted)).status).toBe(200);
    await settle();
    expect(connector.calls.length).toBeGreaterThan(0);
    expect(connector.calls.every((c) => c.conversation === chat.id)).toBe(true);
    expect(sentText()).not.toContain('Which insurance does the patient have');
  });

  it('answers an action that is not medbill\'s with an error response, and an invoke it does not handle with 501', async () => {
    const foreign = activity('invoke.adaptiveCard-action.execute.personal.json', { value: { action: { type: 'Action.Execute', title: 'Submit Feedback', data: { feedback: 'test invokes' } }, trigger: 'manual' } });
    const res = await post(foreign);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error' });
    expect((await post(activity('invoke.adaptiveCard-action.execute.personal.json', { name: 'task/fetch' }))).status).toBe(501);
    await settle();
    expect(connector.calls).toEqual([]);
  });

  it('offers a letter with a file consent card in the personal chat, and uploads it to OneDrive when accepted', async () => {
    const chat = personal('letter');
    await say(chat, 'E0486 for moderate OSA, AHI 24, CPAP intolerant, Medicare, age 63');
    const caseId = /C-[A-Z0-9]{5}/.exec(sentText())?.[0] ?? '';
    expect(caseId).not.toBe('');
    const draft = action('Draft letter');
    connector.calls.length = 0;
    await press(chat, draft.data, draft.title);
    const consent = () => connector.calls.find((c) => c.body.attachments?.[0]?.contentType === 'application/vnd.microsoft.teams.card.file.consent');
    // The letter's questions: a button where there is one, else a plausible clinical answer, typed.
    for (let i = 0; i < 20 && !consent(); i++) {
      const last = connector.calls.at(-1) as Recorded;
      const q = cardOf(last)?.body?.[0]?.text ?? '';
      const [button] = actionsIn(cardOf(last));
      connector.calls.length = 0;
      if (button) await press(chat, button.data, button.title);
      else await say(chat, /month and year/i.test(q) ? 'March 2026' : /how many|total/i.test(q) ? '40' : /how long/i.test(q) ? '3 months' : 'excessive daytime sleepiness, Epworth 14, hypertension');
    }
    const offer = consent();
    expect(offer?.conversation).toBe(chat.id);
    const card = offer?.body.attachments[0];
    expect(card).toMatchObject({ name: `LMN-${caseId}.docx`, content: { sizeInBytes: expect.any(Number), acceptContext: expect.any(Object) } });

    // Someone else's accept gets nothing; the person's uploads the .docx and shows it as a file card.
    const consentAnswer = (action: 'accept' | 'decline', from?: Record<string, unknown>) => activity('invoke.fileConsent.accept.personal.json', {
      conversation: chat, from: from ?? fromOf(chat), channelData: { tenant: { id: chat.tenantId } },
      value: { type: 'fileUpload', action, context: card.content.acceptContext, uploadInfo: { ...fixture('invoke.fileConsent.accept.personal.json').value.uploadInfo, name: card.name, uploadUrl: connector.uploadUrl(card.name) } },
    });
    connector.calls.length = 0;
    expect((await post(consentAnswer('accept', { id: '29:someone-else' }))).status).toBe(200);
    await expect.poll(() => sentText()).toMatch(/no longer waiting/);
    expect(connector.uploads).toEqual([]);
    // The person's accept reaches another medbill process on the same database (a replica, or after a restart).
    connector.calls.length = 0;
    const other = await secondProcess();
    const accepted = await fetch(`${other.url}${TEAMS_SURFACE.messagesPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(consentAnswer('accept')) });
    expect(accepted.status).toBe(200);
    await expect.poll(() => connector.calls.find((c) => c.body.attachments?.[0]?.contentType === 'application/vnd.microsoft.teams.card.file.info')).toBeDefined();
    const [uploaded] = connector.uploads;
    expect(uploaded?.bytes.subarray(0, 2).toString()).toBe('PK'); // a .docx is a zip
    expect(uploaded?.bytes.length).toBe(card.content.sizeInBytes);
    expect(uploaded?.contentRange).toBe(`bytes 0-${card.content.sizeInBytes - 1}/${card.content.sizeInBytes}`);
    const info = connector.calls.find((c) => c.body.attachments?.[0]?.contentType === 'application/vnd.microsoft.teams.card.file.info');
    expect(info?.conversation).toBe(chat.id);
    expect(info?.body.attachments[0]).toMatchObject({ name: card.name, content: { fileType: 'docx' } });
    // Accepted once: the same offer again is no longer there.
    connector.calls.length = 0;
    await post(consentAnswer('accept'));
    await expect.poll(() => sentText()).toMatch(/no longer waiting/);
    expect(connector.uploads).toHaveLength(1);
  }, 30_000);

  it('offers the claim form under a medical answer as a PDF with a file consent card, and uploads it when accepted', async () => {
    const chat = personal('claim-form');
    await say(chat, 'E0486 for moderate OSA, AHI 24, CPAP intolerant, Medicare, age 63');
    const caseId = /C-[A-Z0-9]{5}/.exec(sentText())?.[0] ?? '';
    const form = action('Claim form');
    connector.calls.length = 0;
    await press(chat, form.data, form.title);
    const offer = connector.calls.find((c) => c.body.attachments?.[0]?.contentType === 'application/vnd.microsoft.teams.card.file.consent');
    expect(offer?.conversation).toBe(chat.id);
    const card = offer?.body.attachments[0];
    expect(card).toMatchObject({ name: `CMS1500-${caseId}.pdf`, content: { sizeInBytes: expect.any(Number), acceptContext: expect.any(Object) } });
    connector.calls.length = 0;
    const uploadInfo = { ...fixture('invoke.fileConsent.accept.personal.json').value.uploadInfo, name: card.name, uploadUrl: connector.uploadUrl(card.name), fileType: 'pdf' };
    expect((await post(activity('invoke.fileConsent.accept.personal.json', {
      conversation: chat, from: fromOf(chat), channelData: { tenant: { id: chat.tenantId } }, value: { type: 'fileUpload', action: 'accept', context: card.content.acceptContext, uploadInfo },
    }))).status).toBe(200);
    await expect.poll(() => connector.calls.find((c) => c.body.attachments?.[0]?.contentType === 'application/vnd.microsoft.teams.card.file.info')).toBeDefined();
    const uploaded = connector.uploads.at(-1);
    expect(uploaded?.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(uploaded?.bytes.length).toBe(card.content.sizeInBytes);
  }, 30_000);

  /**
   * medbill added to a team, and "digest here" said in its channel (a mention in a thread: the setting is the
   * channel's, not the thread's), for 08:00 in Chicago every day.
   */
  async function digestChannel(mentionId: string): Promise<{ channel: string; tenant: string }> {
    const added = activity('conversationUpdate.membersAdded.bot-added-to-team.json');
    await post(added);
    await settle();
    const channel = added.conversation.id as string;
    const tenant = added.channelData.tenant.id as string;
    const mention = activity('message.channel.bot-mention-reply-in-thread.json', { conversation: { id: `${channel};messageid=${mentionId}`, conversationType: 'channel', tenantId: tenant }, channelData: { ...added.channelData, channel: { id: channel } } });
    mention.text = '<at>medbill</at> digest here 8:00 America/Chicago every day';
    await post(mention);
    await settle();
    expect(sentText()).toMatch(/posted here at 08:00 America\/Chicago, every day/);
    return { channel, tenant };
  }

  it('posts the daily digest to the channel medbill was added to, and a press on it answers in its thread', async () => {
    const zone = 'America/Chicago';
    const today = TODAY;
    const claims = claimService(app.storage);
    const plan = (await claims.draft({ caseId: 'C-TMS23', payer: 'Aetna', payerKind: 'commercial', lane: 'medical', procedures: ['41100'], diagnoses: ['K14.8'], billedCents: 65000, submittedDate: addDays(today, -30) }, { who: 'test', surface: 'test' }));
    expect(plan.ok && (await claims.commit(plan))).toBeTruthy();
    const { channel, tenant } = await digestChannel('1764681000001');

    connector.calls.length = 0;
    const postingTime = DateTime.fromISO(`${today}T08:00:30`, { zone }).toMillis();
    const scheduler: DigestScheduler = await startDigest(app, { log: silentLogger, tickMs: 20, now: () => postingTime });
    try {
      await expect.poll(() => connector.calls.filter((c) => c.conversation === channel).length).toBeGreaterThan(0);
    } finally {
      await scheduler.stop();
    }
    // At the top of the channel (no thread), proactively: nobody had written just then.
    const digest = connector.calls.filter((c) => c.conversation === channel);
    expect(digest.map(cardText).join()).toMatch(/C-TMS23 · Aetna · 41100 · \$650/);
    const denied = actionsIn(cardOf(digest.find((c) => cardText(c).includes('C-TMS23')) as Recorded)).find((x) => x.data.medbill === 'go:claim:C-TMS23 denied');
    expect(denied).toBeDefined();

    connector.calls.length = 0;
    const body = await press({ id: `${channel};messageid=1764682000001`, conversationType: 'channel', tenantId: tenant }, denied?.data ?? {}, denied?.title);
    expect(body.statusCode).toBe(200);
    expect(sentText()).toMatch(/Why was C-TMS23 denied/);
    expect(connector.calls.every((c) => c.conversation === `${channel};messageid=1764682000001`)).toBe(true);
  }, 20_000);

  it('posts a digest of two cards whole after a process fails between them: the next posts only the card missing', async () => {
    const zone = 'America/Chicago';
    const today = TODAY;
    const claims = claimService(app.storage);
    const actor = { who: 'test', surface: 'test' };
    const ids: string[] = [];
    // Five claims in each of five sections: a digest longer than one Teams card.
    for (const n of [2, 3, 4, 5, 6]) {
      for (const [prefix, facts, change] of [
        ['C-TVRD', { submittedDate: addDays(today, -60) }, undefined],
        ['C-TREC', { submittedDate: addDays(today, -40) }, { kind: 'records-requested', date: addDays(today, -3), due: addDays(today, 5) }],
        ['C-TTDY', { submittedDate: addDays(today, -20) }, { kind: 'snoozed', until: today }],
        ['C-TAUT', { serviceDate: addDays(today, 10), authNumber: `PA${n}`, authExpires: addDays(today, 3) }, undefined],
        ['C-TUNS', { serviceDate: addDays(today, -30) }, undefined],
      ] as const) {
        const caseId = `${prefix}${n}`;
        const plan = await claims.draft({ caseId, payer: 'Aetna', payerKind: 'commercial', lane: 'medical', procedures: ['41100'], diagnoses: ['K14.8'], billedCents: 65000, ...facts }, actor);
        if (!plan.ok || !(await claims.commit(plan))) throw new Error(`seed failed: ${caseId}`);
        if (change && !(await claims.apply(caseId, change, actor)).ok) throw new Error(`seed change failed: ${caseId}`);
        ids.push(caseId);
      }
    }
    const { channel, tenant } = await digestChannel('1764681000002');

    const postingTime = DateTime.fromISO(`${today}T08:00:30`, { zone }).toMillis();
    const cards = () => connector.calls.filter((c) => c.conversation === channel);
    await app.storage.purgeDigestRuns(addDays(today, 1)); // today's run of the test before, in the same channel
    connector.calls.length = 0;
    // The first process posts card 1; the connector refuses card 2, and the run is left unsent.
    connector.failAfter(1);
    const first = await startDigest(app, { log: silentLogger, tickMs: 60_000, now: () => postingTime });
    await first.tick();
    await first.stop();
    expect(cards()).toHaveLength(1);
    const key = `teams:${tenant}:channel:${channel}`;
    expect((await app.storage.digests.run(key, today))?.sentAt).toBeUndefined();
    expect((await app.storage.digests.parts(key, today)).map((p) => [p.part, p.of])).toEqual([[1, 2]]);

    // After the lease, another process posts card 2 alone; a third finds the run sent and posts nothing.
    const next = await startDigest(app, { log: silentLogger, tickMs: 60_000, now: () => postingTime + 5 * 60_000 });
    await next.tick();
    await next.stop();
    const later = await startDigest(app, { log: silentLogger, tickMs: 60_000, now: () => postingTime + 60 * 60_000 });
    await later.tick();
    await later.stop();
    expect(cards()).toHaveLength(2);
    expect((await app.storage.digests.run(key, today))?.sentAt).toBeDefined();
    // Every claim is in the digest once: card 1 from the first process, card 2 from the second.
    const lines = cards().flatMap((c) => ((cardOf(c)?.body ?? []) as { type: string; text?: string }[]).filter((b) => b.type === 'TextBlock').map((b) => b.text ?? ''));
    for (const id of ids) expect(lines.filter((l) => l.startsWith(`${id} · `)), id).toHaveLength(1);
  }, 30_000);

  it('shows the report\'s chart as a picture Teams fetches from medbill by a short-lived link', async () => {
    const claims = claimService(app.storage);
    const today = TODAY;
    for (const [caseId, payer, days] of [['C-CHTAA', 'Aetna', 20], ['C-CHTBB', 'Cigna', 70]] as const) {
      const plan = (await claims.draft({ caseId, payer, payerKind: 'commercial', lane: 'medical', procedures: ['41100'], diagnoses: ['K14.8'], billedCents: 40000, submittedDate: addDays(today, -days) }, { who: 'test', surface: 'test' }));
      expect(plan.ok && (await claims.commit(plan))).toBeTruthy();
    }
    const chat = personal('report');
    await say(chat, 'report');
    const image = connector.calls.flatMap((c) => cardOf(c)?.body ?? []).find((e: { type: string }) => e.type === 'Image') as { url: string; altText: string } | undefined;
    expect(image?.altText).toBe('A/R aging by payer');
    expect(image?.url.startsWith(`${running.url}${TEAMS_SURFACE.picturePath}?id=`)).toBe(true);
    const res = await fetch(image?.url ?? '');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await res.arrayBuffer());
    const png = PNG.sync.read(bytes);
    expect(png.width).toBeGreaterThan(400);
    // Teams' image proxy may come back to another medbill process on the same database: it has the picture too.
    const other = await secondProcess();
    const again = await fetch(`${other.url}${TEAMS_SURFACE.picturePath}${new URL(image?.url ?? '').search}`);
    expect(again.status).toBe(200);
    expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true);
    expect((await fetch(`${running.url}${TEAMS_SURFACE.picturePath}?id=not-a-token`)).status).toBe(404);
    expect((await fetch(image?.url ?? '', { method: 'POST' })).status).toBe(405);
  }, 20_000);

  it('holds a chart\'s picture and an offered file in the practice of the tenant they were made for (many practices)', async () => {
    // A deployment of its own with a practice per tenant (MEDBILL_PRACTICES=per-workspace).
    const own = openApp({ ...loadConfig({ MEDBILL_TIME_ZONE: 'America/Chicago', MEDBILL_PRACTICES: 'per-workspace' }), dbPath: tempDbPath() }, { log: silentLogger, now: () => NOW });
    const { running: ownServer, teams } = await serveTeams(own, { dev: true });
    try {
      const chat = personal('practice-held');
      const tenant = String(chat.tenantId);
      const practice = own.storage.practice(own.practiceFor({ platform: 'teams', tenant }));
      const send = async (body: unknown) => {
        const res = await fetch(`${ownServer.url}${TEAMS_SURFACE.messagesPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect(res.status).toBe(200);
        await own.inbox.idle();
      };
      const claims = claimService(practice);
      for (const [caseId, payer, days] of [['C-PHLAA', 'Aetna', 20], ['C-PHLBB', 'Cigna', 70]] as const) {
        const plan = await claims.draft({ caseId, payer, payerKind: 'commercial', lane: 'medical', procedures: ['41100'], diagnoses: ['K14.8'], billedCents: 40000, submittedDate: addDays(TODAY, -days) }, { who: 'test', surface: 'test' });
        expect(plan.ok && (await claims.commit(plan))).toBeTruthy();
      }
      connector.calls.length = 0;
      await send(activity('message.personal.rich-text.json', { text: 'report', conversation: chat, from: fromOf(chat) }));
      const image = connector.calls.flatMap((c) => cardOf(c)?.body ?? []).find((e: { type: string }) => e.type === 'Image') as { url: string } | undefined;
      const url = new URL(image?.url ?? 'http://none');
      expect(url.searchParams.get('tenant')).toBe(tenant);
      const token = url.searchParams.get('id') ?? '';
      // Held in the tenant's practice, not in practice 'default'; found by the link, and not under another tenant.
      expect(await practice.held.get(token, 'picture', undefined, NOW)).toMatchObject({ mediaType: 'image/png' });
      expect(await own.storage.held.get(token, 'picture', undefined, NOW)).toBeUndefined();
      expect((await fetch(url)).status).toBe(200);
      const elsewhere = new URL(url);
      elsewhere.searchParams.set('tenant', '11111111-2222-4333-8444-555555555555');
      expect((await fetch(elsewhere)).status).toBe(404);
      elsewhere.searchParams.delete('tenant');
      expect((await fetch(elsewhere)).status).toBe(404);

      // The claim form offered under a medical answer: held in the practice too, and uploaded from there on accept.
      await send(activity('message.personal.rich-text.json', { text: 'E0486 for moderate OSA, AHI 24, CPAP intolerant, Medicare, age 63', conversation: chat, from: fromOf(chat) }));
      const form = [...connector.calls].reverse().flatMap((c) => actionsIn(cardOf(c))).find((a) => a.title === 'Claim form');
      expect(form).toBeDefined();
      connector.calls.length = 0;
      await send(activity('invoke.adaptiveCard-action.execute.personal.json', {
        conversation: chat, from: fromOf(chat), channelData: { tenant: { id: tenant } },
        value: { action: { type: 'Action.Execute', title: 'Claim form', verb: 'medbill', data: form?.data }, trigger: 'manual' },
      }));
      const card = connector.calls.find((c) => c.body.attachments?.[0]?.contentType === 'application/vnd.microsoft.teams.card.file.consent')?.body.attachments[0];
      const fileToken = String(card?.content.acceptContext?.medbillFile ?? '');
      expect(await practice.held.get(fileToken, 'file', String(fromOf(chat).id), NOW)).toMatchObject({ mediaType: 'application/pdf' });
      expect(await own.storage.held.get(fileToken, 'file', String(fromOf(chat).id), NOW)).toBeUndefined();
      const uploads = connector.uploads.length;
      const uploadInfo = { ...fixture('invoke.fileConsent.accept.personal.json').value.uploadInfo, name: card?.name, uploadUrl: connector.uploadUrl(String(card?.name)), fileType: 'pdf' };
      await send(activity('invoke.fileConsent.accept.personal.json', {
        conversation: chat, from: fromOf(chat), channelData: { tenant: { id: tenant } }, value: { type: 'fileUpload', action: 'accept', context: card?.content.acceptContext, uploadInfo },
      }));
      await expect.poll(() => connector.uploads.length).toBe(uploads + 1);
      expect(connector.uploads.at(-1)?.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    } finally {
      await teams.stop();
      await ownServer.close();
      await own.inbox.idle();
      await own.close();
    }
  }, 30_000);

  it('answers 405 to anything but POST, and 400/415 to what is not an activity', async () => {
    const get = await fetch(`${running.url}/api/messages`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await fetch(`${running.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' })).status).toBe(415);
    expect((await fetch(`${running.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' })).status).toBe(400);
    expect((await post({ type: 'message' })).status).toBe(400);
    expect((await post([])).status).toBe(400);
    expect((await post(activity('message.personal.rich-text.json', { text: 'x'.repeat(300 * 1024) }))).status).toBe(413);
    expect((await post(activity('invoke.fileConsent.accept.personal.json', { value: { action: 'maybe' } }))).status).toBe(400);
  });
});

describe('Teams cards', () => {
  it('renders every kind of reply part as a card Microsoft\'s card model accepts unchanged', async () => {
    const parts = reply('All of it', [
      { kind: 'list', title: 'A list', items: [{ text: 'one' }, { text: 'two', link: 'https://www.cms.gov/' }] },
      { kind: 'choices', choices: [{ label: 'Yes', value: 'x:y:yes' }, { label: 'No', value: 'x:y:no' }] },
      { kind: 'item', text: 'C-AAAA1 · Aetna', choices: [{ label: 'Paid', value: 'go:claim:C-AAAA1 paid' }] },
      { kind: 'table', title: 'Codes', columns: ['Code', 'Meaning'], rows: [['K01.1', 'Impacted teeth']] },
      { kind: 'checklist', title: 'Documents', items: [{ id: 'a', label: 'Notes', checked: true, toggle: 'docs:checklist:toggle-a' }, { id: 'b', label: 'X-ray', detail: 'with a report', checked: false, toggle: 'docs:checklist:toggle-b' }] },
      { kind: 'facts', title: 'Facts', rows: [{ label: 'Lane', value: 'medical' }] },
      { kind: 'form', id: 'fee', title: 'Fee check', fields: [{ name: 'fee', label: 'Fee', type: 'number', required: true, initial: '900' }, { name: 'note', label: 'Note', type: 'text', required: false }], submitLabel: 'Check' },
      { kind: 'document', title: 'Letter', filename: 'letter.txt', body: 'Dear reviewer' },
      { kind: 'chart', title: 'Aging', svg: '<svg/>', pngBase64: 'iVBORw0KGgo=' },
      { kind: 'file', name: 'LMN.docx', mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', base64: 'UEs=' },
    ]);
    expect(cardProblems(renderCard(parts))).toEqual([]);
    expect(cardProblems(renderCard(parts, () => 'https://medbill.example/teams/picture?id=abc'))).toEqual([]);
    // Seven choices are more than Teams shows as buttons: a required menu with a label and an error message.
    const many = renderCard(reply('Which?', [{ kind: 'choices', choices: Array.from({ length: 7 }, (_, i) => ({ label: `Choice ${i}`, value: `x:y:${i}` })) }]));
    expect(cardProblems(many)).toEqual([]);
    expect(menuChoicesIn(many)).toHaveLength(7);
  });

  it('splits a reply too big for one Teams message into cards under 24 KB, each valid, the buttons on the last', async () => {
    // A digest of 60 claims with their buttons, and a report table of 600 rows: far over one message.
    const digest = reply('Claims for Dec 2: 60 to act on.', [
      { kind: 'list', title: '60 open claims', items: [{ text: 'Follow up: 60' }] },
      ...Array.from({ length: 60 }, (_, i) => ({ kind: 'item' as const, text: `C-AAA${String(i).padStart(2, '0')} · Aetna · 41100 · $650 · 30 days since submission`, choices: ['paid', 'denied', 'followed up'].map((w) => ({ label: w, value: `go:claim:C-AAA${i} ${w}` })) })),
      { kind: 'choices', choices: [{ label: 'Report', value: 'go:report' }] },
    ]);
    const table = reply('Report', [{ kind: 'table', title: 'By code', columns: ['Code', 'Paid'], rows: Array.from({ length: 600 }, (_, i) => [`D${7000 + i}`, `$${i}.00 paid of $${i * 2}.00 billed, ${i} days to pay`]) }]);
    for (const big of [digest, table]) {
      expect(Buffer.byteLength(JSON.stringify(renderCard(big)))).toBeGreaterThan(24 * 1024);
      const cards = renderCards(big);
      expect(cards.length).toBeGreaterThan(1);
      for (const c of cards) {
        expect(Buffer.byteLength(JSON.stringify(c))).toBeLessThanOrEqual(24 * 1024);
        expect(cardProblems(c)).toEqual([]);
      }
      // Nothing lost, nothing twice: the body of the whole card, in order, across the parts.
      expect(cards.flatMap((c) => c.body)).toEqual(renderCard(big).body);
      expect(cards.slice(0, -1).every((c) => !c.actions)).toBe(true);
      expect(cards.at(-1)?.actions).toEqual(renderCard(big).actions);
    }
    expect(renderCards(reply('small'))).toEqual([renderCard(reply('small'))]);
  });

  it('is checked for real: a misspelt property, an unknown element or too many buttons are problems', async () => {
    const card = renderCard(reply('Hi', [{ kind: 'choices', choices: [{ label: 'Yes', value: 'x:y:yes' }] }]));
    expect(cardProblems({ ...card, body: [{ type: 'TextBlock', text: 'x', wieght: 'Bolder' }] })).not.toEqual([]);
    expect(cardProblems({ ...card, body: [{ type: 'Carousel' }] })).not.toEqual([]);
    expect(cardProblems({ ...card, actions: Array.from({ length: 7 }, () => card.actions?.[0]) })).not.toEqual([]);
  });
});

describe('Teams after a restart', () => {
  it('still knows a person\'s personal chat (remembered in SQLite): a case from a channel goes there, no new chat is created', async () => {
    const connector = await startConnectorFake();
    const dbPath = tempDbPath();
    const config = { dev: true };
    const run = async (body: Record<string, unknown>) => {
      const app = openApp({ ...loadConfig({}), dbPath }, { log: silentLogger });
      const teams = createTeamsAdapter({ config, inbox: app.inbox, outbound: app.outbound, log: silentLogger, heldFor: app.heldOf });
      await teams.start();
      const running = await startServer(app, { host: '127.0.0.1', port: 0, log: silentLogger, routes: [{ path: TEAMS_SURFACE.messagesPath, handle: teams.requestListener }] });
      try {
        expect((await fetch(`${running.url}${TEAMS_SURFACE.messagesPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, serviceUrl: connector.url }) })).status).toBe(200);
        await app.inbox.idle();
      } finally {
        await running.close();
        app.close();
      }
    };
    try {
      const message = fixture('message.personal.rich-text.json');
      await run({ ...message, id: 'restart-1', text: 'help' });
      // Another process on the same database: a mention in a channel with a case.
      const mention = fixture('message.channel.bot-mention-reply-in-thread.json');
      connector.calls.length = 0;
      await run({ ...mention, id: 'restart-2', from: message.from, channelData: { ...mention.channelData, tenant: message.channelData.tenant }, conversation: { ...mention.conversation, tenantId: message.channelData.tenant.id }, text: '<at>medbill</at> D2740 crown after a fracture' });
      expect(connector.calls.filter((c) => c.path === '/v3/conversations')).toEqual([]);
      expect(connector.calls.filter((c) => c.conversation === message.conversation.id).map(cardText).join()).toContain('D2740');
    } finally {
      await connector.close();
    }
  });
});

describe('Teams sending', () => {
  it('waits as Teams asks on 429 and 503, backs off without a Retry-After, and retries nothing else', async () => {
    const refused = (status: number, retryAfter?: string) => ({ status, response: { headers: new Headers(retryAfter ? { 'retry-after': retryAfter } : {}) } });
    expect(retryWait(refused(429, '2'), 0)).toBe(2000);
    expect(retryWait(refused(503), 0)).toBe(1000);
    expect(retryWait(refused(503), 2)).toBe(4000);
    expect(retryWait(refused(429, '3600'), 0)).toBe(30_000);
    expect(retryWait(refused(429, '1'), 3)).toBeUndefined();
    for (const status of [400, 401, 403, 404, 413, 500, 502, 504]) expect(retryWait(refused(status), 0)).toBeUndefined();
    expect(retryWait(new Error('socket hang up'), 0)).toBeUndefined();
  });
});

describe('Teams files', () => {
  it('uploads only to OneDrive (SharePoint hosts over https), or a host a test names', async () => {
    expect(isOneDriveUrl('https://contoso-my.sharepoint.com/personal/x/_api/v2.0/drive/items/1/uploadSession')).toBe(true);
    expect(isOneDriveUrl('http://contoso-my.sharepoint.com/x')).toBe(false);
    expect(isOneDriveUrl('https://sharepoint.com.evil.example/x')).toBe(false);
    expect(isOneDriveUrl('https://evil.example/x')).toBe(false);
    expect(isOneDriveUrl('not a url')).toBe(false);
    expect(isOneDriveUrl('http://127.0.0.1:9/upload', ['127.0.0.1'])).toBe(true);
  });
});

describe('Teams configuration', () => {
  it('is off without an app id or the dev flag', async () => {
    expect(loadTeamsConfig({})).toBeUndefined();
  });
  it('refuses dev mode in production, and warns otherwise', async () => {
    expect(() => loadTeamsConfig({ MEDBILL_TEAMS_DEV: '1', NODE_ENV: 'production' })).toThrow(/production/);
    const warnings: string[] = [];
    expect(loadTeamsConfig({ MEDBILL_TEAMS_DEV: '1' }, (w) => warnings.push(w))).toEqual({ dev: true });
    expect(warnings.join()).toMatch(/WITHOUT authentication/);
  });
  it('takes MEDBILL_TEAMS_TENANTS only as tenant ids separated by commas', async () => {
    expect(() => loadTeamsConfig({ MEDBILL_TEAMS_DEV: '1', MEDBILL_TEAMS_TENANTS: 'contoso.onmicrosoft.com' })).toThrow(/MEDBILL_TEAMS_TENANTS/);
    expect(loadTeamsConfig({ MEDBILL_TEAMS_DEV: '1' })?.tenants).toBeUndefined();
  });

  it('needs the secret and the tenant with an app id, and names the bad variable without its value', async () => {
    const appId = '00000000-0000-4000-8000-000000000001';
    expect(() => loadTeamsConfig({ MICROSOFT_APP_ID: appId })).toThrow(/MICROSOFT_APP_PASSWORD/);
    expect(() => loadTeamsConfig({ MICROSOFT_APP_ID: appId, MICROSOFT_APP_PASSWORD: 'secret-value-1' })).toThrow(/MICROSOFT_APP_TENANT_ID/);
    expect(() => loadTeamsConfig({ MICROSOFT_APP_ID: 'not-a-guid-secretish' })).toThrow(/MICROSOFT_APP_ID/);
    expect(() => loadTeamsConfig({ MICROSOFT_APP_ID: 'not-a-guid-secretish' })).not.toThrow(/secretish/);
    expect(loadTeamsConfig({ MICROSOFT_APP_ID: appId, MICROSOFT_APP_PASSWORD: 'secret-value-1', MICROSOFT_APP_TENANT_ID: appId })).toMatchObject({ appId, tenantId: appId, dev: false, credential: { kind: 'secret' } });
  });
  it('takes a client secret, a certificate (two readable files) or a managed identity, exactly one, and hands it to the SDK', async () => {
    const appId = '00000000-0000-4000-8000-000000000001';
    const base = { MICROSOFT_APP_ID: appId, MICROSOFT_APP_TENANT_ID: appId };
    const dir = mkdtempSync(join(tmpdir(), 'medbill-cert-'));
    const pem = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    writeFileSync(pem, 'not checked here: the SDK reads it');
    writeFileSync(key, 'not checked here either');
    const withSecret = loadTeamsConfig({ ...base, MICROSOFT_APP_PASSWORD: 'secret-value-1' });
    const withCert = loadTeamsConfig({ ...base, MICROSOFT_APP_CERT_PEM_FILE: pem, MICROSOFT_APP_CERT_KEY_FILE: key });
    const withIdentity = loadTeamsConfig({ ...base, MICROSOFT_APP_MANAGED_IDENTITY: 'user' });
    expect(withCert?.credential).toEqual({ kind: 'certificate', pemFile: pem, keyFile: key });
    if (!withSecret || !withCert || !withIdentity) throw new Error('each credential turns Teams on');
    expect(resolveAuthType(sdkAuthConfig(withSecret))).toBe(AuthType.ClientSecret);
    expect(sdkAuthConfig(withCert)).toMatchObject({ clientId: appId, certPemFile: pem, certKeyFile: key });
    expect(resolveAuthType(sdkAuthConfig(withCert))).toBe(AuthType.Certificate);
    expect(resolveAuthType(sdkAuthConfig(withIdentity))).toBe(AuthType.UserManagedIdentity);
    expect(() => loadTeamsConfig({ ...base, MICROSOFT_APP_CERT_PEM_FILE: pem })).toThrow(/needs both files/);
    expect(() => loadTeamsConfig({ ...base, MICROSOFT_APP_CERT_PEM_FILE: join(dir, 'gone.pem'), MICROSOFT_APP_CERT_KEY_FILE: key })).toThrow(/MICROSOFT_APP_CERT_PEM_FILE: the file cannot be read/);
    expect(() => loadTeamsConfig({ ...base, MICROSOFT_APP_PASSWORD: 'secret-value-1', MICROSOFT_APP_MANAGED_IDENTITY: 'system' })).toThrow(/one credential/);
    expect(() => loadTeamsConfig({ ...base, MICROSOFT_APP_MANAGED_IDENTITY: 'mine' })).toThrow(/MICROSOFT_APP_MANAGED_IDENTITY/);
  });

  it('takes the public address Teams fetches charts from only as https, and names a bad one', async () => {
    expect(loadTeamsConfig({ MEDBILL_TEAMS_DEV: '1', MEDBILL_PUBLIC_URL: 'https://medbill.example-dental.com' })).toEqual({ dev: true, publicUrl: 'https://medbill.example-dental.com' });
    expect(() => loadTeamsConfig({ MEDBILL_TEAMS_DEV: '1', MEDBILL_PUBLIC_URL: 'http://medbill.example-dental.com' })).toThrow(/MEDBILL_PUBLIC_URL: must start with https/);
    expect(() => loadTeamsConfig({ MEDBILL_TEAMS_DEV: '1', MEDBILL_PUBLIC_URL: 'https://localhost:3978' })).toThrow(/MEDBILL_PUBLIC_URL/);
  });
});

/** JWT auth with an app id: tokens signed by a local RSA key, whose JWKS a loopback server publishes. */
describe('Teams with an app id (JWT)', () => {
  const APP_ID = '00000000-0000-4000-8000-00000000a11d';
  const TENANT = '00000000-0000-4000-8000-0000000000aa';
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const KID = 'medbill-test-key';
  let keys: Server;
  let authority: string;
  let connector: Awaited<ReturnType<typeof startConnectorFake>>;
  let app: App;
  let running: Running;
  const events: string[] = [];

  beforeAll(async () => {
    connector = await startConnectorFake();
    keys = createServer((req, res) => {
      const jwk = { ...publicKey.export({ format: 'jwk' }), kid: KID, use: 'sig', alg: 'RS256' };
      if (req.url === `/${TENANT}/discovery/v2.0/keys`) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => keys.listen(0, '127.0.0.1', resolve));
    authority = `http://127.0.0.1:${(keys.address() as AddressInfo).port}/${TENANT}`;
    app = openApp({ ...loadConfig({}), dbPath: tempDbPath() }, { log: silentLogger });
    const log = { log: (_level: string, event: string, fields?: unknown) => void events.push(event + JSON.stringify(fields ?? {})) };
    const config = loadTeamsConfig({ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'test-secret-not-used', MICROSOFT_APP_TENANT_ID: TENANT });
    if (!config) throw new Error('an app id turns Teams on');
    // Tokens for sending come from Entra ID (MSAL), not reachable here: the SDK's token providers are replaced by
    // one that issues a fixed token per scope, so what the connector receives can be checked.
    const issuer = { getAccessToken: async (a: unknown, b?: string) => `token-for ${typeof a === 'string' ? a : b}` } as unknown as AuthProvider;
    const connections = { getConnection: () => issuer, getDefaultConnection: () => issuer, getTokenProvider: () => issuer, getTokenProviderFromActivity: () => issuer, getDefaultConnectionConfiguration: () => ({}) } satisfies Connections;
    const teams = createTeamsAdapter({ config: { ...config, authority }, inbox: app.inbox, outbound: app.outbound, log, heldFor: app.heldOf, serviceHosts: ['127.0.0.1'], connections });
    await teams.start();
    running = await startServer(app, { host: '127.0.0.1', port: 0, log: silentLogger, routes: [{ path: '/api/messages', handle: teams.requestListener }] });
  });
  afterAll(async () => {
    await running.close();
    await app.inbox.idle();
    app.close();
    await connector.close();
    await new Promise<void>((resolve) => {
      keys.close(() => resolve());
      keys.closeAllConnections();
    });
  });

  const b64 = (x: unknown) => Buffer.from(JSON.stringify(x)).toString('base64url');
  function token(claims: Record<string, unknown> = {}, key: KeyObject = privateKey) {
    const now = Math.floor(Date.now() / 1000);
    const head = b64({ alg: 'RS256', typ: 'JWT', kid: KID });
    const body = b64({ iss: `${authority}/v2.0`, aud: APP_ID, nbf: now - 10, iat: now - 10, exp: now + 600, serviceurl: connector.url, ...claims });
    return `${head}.${body}.${createSign('RSA-SHA256').update(`${head}.${body}`).sign(key).toString('base64url')}`;
  }
  let seq = 0;
  const activity = () => ({ ...fixture('message.personal.rich-text.json'), serviceUrl: connector.url, id: `jwt-${Date.now()}-${++seq}`, text: 'help' });
  const post = (headers: Record<string, string> = {}, body: unknown = activity()) =>
    fetch(`${running.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });

  it('refuses a request without a token (401, and the response ends)', async () => {
    const res = await post();
    expect(res.status).toBe(401);
    expect(await res.json()).toHaveProperty('jwt-auth-error');
  });

  it('refuses a malformed Authorization header, a token for another app, another key, or an expired one', async () => {
    expect((await post({ authorization: 'Basic abc' })).status).toBe(401);
    expect((await post({ authorization: `Bearer ${token({ aud: '00000000-0000-4000-8000-0000000000ff' })}` })).status).toBe(401);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect((await post({ authorization: `Bearer ${token({}, other)}` })).status).toBe(401);
    expect((await post({ authorization: `Bearer ${token({ exp: Math.floor(Date.now() / 1000) - 3600 })}` })).status).toBe(401);
    expect((await post({ authorization: `Bearer ${token({ iss: 'https://evil.example/v2.0' })}` })).status).toBe(401);
  });

  it('refuses a token issued for another connector than the activity names', async () => {
    expect((await post({ authorization: `Bearer ${token({ serviceurl: 'https://smba.trafficmanager.net/amer/' })}` })).status).toBe(401);
  });

  it('handles an activity with a valid token, and answers with the app\'s own token for the Bot Connector', async () => {
    const res = await post({ authorization: `Bearer ${token()}` });
    expect(res.status).toBe(200);
    await app.inbox.idle();
    expect(connector.calls.length).toBeGreaterThan(0);
    expect(events.filter((e) => e.startsWith('teams-delivery-failed'))).toEqual([]);
    for (const call of connector.calls) expect(call.authorization).toBe('Bearer token-for https://api.botframework.com');
  });
});
