/**
 * The same conversations on every platform: each scenario of test/fixtures/replay (a DM, a channel mention, a
 * button, a form, a file) is replayed from its platform's recorded payloads (<scenario>/<platform>.json, built
 * from Slack's and Teams' own captures; `{{…}}` is what a replay fills in: ids, and the values of the buttons
 * medbill sent) through the real server on 127.0.0.1, against the local fakes of Slack's Web API and the Bot
 * Connector that record what medbill sent. What a person would see must be the same on each platform: the
 * same replies, in the DM or in the channel, and a case only in the DM. The second part adds a platform that
 * does not exist (test/support/fake-adapter.ts, one file implementing ChatAdapter) and runs the same scenarios.
 */
import { slackSignedHeaders } from '../support/slack-signing.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHouse, type House } from '../support/house.js';
import { loadConfig } from '../../src/config.js';
import { startServer, type Running } from '../../src/root/server.js';
import { silentLogger } from '../../src/log.js';
import { createTeamsAdapter } from '../../adapters/teams/adapter.js';
import { loadTeamsConfig } from '../../adapters/teams/config.js';
import { startSlackApiFake, type RecordedCall, type SlackApiFake } from '../support/slack-api-fake.js';
import { startSlackStack, type SlackStack } from '../support/slack-stack.js';
import { actionsIn, cardOf, menuChoicesIn, startConnectorFake, type ConnectorFake } from '../support/teams-connector-fake.js';
import { createFakeAdapter, FAKE_PATH, type FakeSent } from '../support/fake-adapter.js';
import { ROOT, tempDbPath } from '../helpers.js';

const DIR = join(ROOT, 'test/fixtures/replay');
const SCENARIOS = readdirSync(DIR).sort();
const PLATFORMS = ['slack', 'teams'] as const;
type Step = { say?: string; mention?: string; press?: string; form?: string };
interface Scenario { about: string; steps: Step[]; expect: { dm?: string[]; channel?: string[]; files?: string[] } }
const scenario = (name: string): Scenario => JSON.parse(readFileSync(join(DIR, name, 'scenario.json'), 'utf8'));
const recorded = (name: string, platform: string): unknown[] => JSON.parse(readFileSync(join(DIR, name, `${platform}.json`), 'utf8')).steps;

/** What a person sees, platform aside: each reply's first line (case IDs as C-#####), where it went, and files. */
interface Outcome { dm: string[]; channel: string[]; files: string[] }
const line = (text: string) => (text.split('\n')[0] ?? '').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/[*_]/g, '').replace(/C-[A-Z0-9]{5}/g, 'C-#####').trim();

/** Fills a recorded payload: `{{name}}` strings from `fill`, a whole string placeholder by any value (a button's data). */
function replay(payload: unknown, fill: (name: string) => unknown): unknown {
  if (typeof payload === 'string') {
    const whole = /^\{\{([^}]+)\}\}$/.exec(payload);
    if (whole?.[1]) return fill(whole[1]);
    return payload.replace(/\{\{([^}]+)\}\}/g, (_m, name: string) => String(fill(name)));
  }
  if (Array.isArray(payload)) return payload.map((x) => replay(x, fill));
  if (payload && typeof payload === 'object') return Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, replay(v, fill)]));
  return payload;
}

function expectScenario(outcome: Outcome, expected: Scenario['expect']) {
  for (const place of ['dm', 'channel', 'files'] as const) {
    const want = expected[place];
    if (!want) continue;
    expect(outcome[place], place).toHaveLength(want.length);
    want.forEach((pattern, i) => expect(outcome[place][i], `${place} ${i}`).toMatch(new RegExp(pattern)));
  }
  // A case never reaches a channel, on any platform.
  for (const text of outcome.channel) expect(text).not.toMatch(/C-#####/);
}

const SECRET = 'replay-signing-secret-0000';
function signed(body: string): Record<string, string> {
  return slackSignedHeaders(SECRET, body);
}

describe('replay: every scenario on every platform, through the real server', () => {
  let slackApi: SlackApiFake;
  let slack: SlackStack;
  let connector: ConnectorFake;
  let app: House;
  let teamsServer: Running;
  const outcomes = new Map<string, Outcome>();
  let seq = 0;

  beforeAll(async () => {
    slackApi = await startSlackApiFake();
    slack = await startSlackStack({ secret: SECRET, fake: slackApi });
    connector = await startConnectorFake();
    app = openHouse({ ...loadConfig({}), dbPath: tempDbPath() }, { log: silentLogger });
    const config = loadTeamsConfig({ MEDBILL_TEAMS_DEV: '1' });
    if (!config) throw new Error('dev mode turns Teams on');
    const teams = createTeamsAdapter({ config, inbox: app.inbox, outbound: app.outbound, log: silentLogger, heldFor: app.heldOf });
    await teams.start();
    teamsServer = await startServer(app, { host: '127.0.0.1', port: 0, log: silentLogger, adapters: [teams], web: false });
  });
  afterAll(async () => {
    await slack.close();
    await slackApi.close();
    await teamsServer.close();
    await app.inbox.idle();
    app.close();
    await connector.close();
  });

  /** Slack: signed requests to /slack/events; what was posted, updated and uploaded, by channel. */
  async function onSlack(name: string): Promise<Outcome> {
    slackApi.clear();
    const tag = `R${++seq}${name.toUpperCase().replace(/[^A-Z]/g, '')}`;
    const mine = (c: RecordedCall) => [c.params.channel, c.params.channel_id].some((ch) => typeof ch === 'string' && (ch === `D${tag}` || ch.startsWith('C')));
    let ts = 0;
    let clicks = 0;
    const fill = (key: string): unknown => {
      const [kind, label] = key.split(':');
      if (kind === 'user') return `U${tag}`;
      if (kind === 'dm') return `D${tag}`;
      if (kind === 'ts') return `1700000000.${String(++ts).padStart(6, '0')}`;
      if (kind === 'eventId') return `EvReplay${tag}${ts}`;
      // Each click has a trigger and a response URL of its own (two presses of the same button are two requests).
      if (kind === 'trigger') return `trigger-${tag}-${++clicks}`;
      if (kind === 'responseUrl') return slackApi.responseUrl(`${tag}-${clicks}`);
      if (kind === 'lastTs') return '1700000000.000100';
      // A button by its label, or an option of a menu (a question with many answers).
      for (const c of [...slackApi.of('chat.postMessage')].reverse().filter(mine)) {
        for (const e of (c.params.blocks as any[]).flatMap((b) => (b.type === 'actions' ? b.elements : b.accessory ? [b.accessory] : []))) {
          const value = e.text?.text === label ? e.value : e.options?.find((o: any) => o.text.text === label)?.value;
          if (value !== undefined) return kind === 'value' ? value : e.action_id;
        }
      }
      throw new Error(`no Slack button "${label}"`);
    };
    for (const step of recorded(name, 'slack')) {
      const body = replay(step, fill) as Record<string, unknown>;
      const isEvent = body.type === 'event_callback';
      const raw = isEvent ? JSON.stringify(body) : new URLSearchParams({ payload: JSON.stringify(body) }).toString();
      const res = await fetch(`${slack.running.url}/slack/events`, { method: 'POST', headers: { 'content-type': isEvent ? 'application/json' : 'application/x-www-form-urlencoded', ...signed(raw) }, body: raw });
      expect(res.status).toBe(200);
      await slack.app.inbox.idle();
    }
    const place = (channel: string) => (channel.startsWith('D') ? 'dm' : 'channel');
    const outcome: Outcome = { dm: [], channel: [], files: [] };
    for (const c of slackApi.calls.filter(mine)) {
      if (c.method === 'chat.postMessage' || c.method === 'chat.update') outcome[place(c.params.channel)].push(line(String(c.params.text)));
      if (c.method === 'files.completeUploadExternal') outcome.files.push(...(c.params.files as { title: string }[]).map((f) => line(f.title)));
    }
    return outcome;
  }

  /** Teams: activities posted to /api/messages; what reached the Bot Connector, by conversation. */
  async function onTeams(name: string): Promise<Outcome> {
    connector.calls.length = 0;
    const tag = `${++seq}-${name}`;
    let id = 0;
    const fill = (key: string): unknown => {
      const [kind, label] = key.split(':');
      if (kind === 'user') return `29:replay-${tag}`;
      if (kind === 'chat') return `a:replay-${tag}`;
      if (kind === 'id') return `replay-${tag}-${++id}`;
      if (kind === 'serviceUrl') return connector.url;
      if (kind === 'lastId') return 'sent-1';
      // A button by its title, or a choice of a menu (Teams merges the chosen value into the Go button's data).
      for (const c of [...connector.calls].reverse()) {
        const action = actionsIn(cardOf(c)).find((a) => a.title === label);
        if (action) return action.data;
        const choice = menuChoicesIn(cardOf(c)).find((x) => x.title === label);
        const go = actionsIn(cardOf(c)).find((a) => a.title === 'Go');
        if (choice && go) return { ...go.data, medbill: choice.value };
      }
      throw new Error(`no Teams button "${label}"`);
    };
    for (const step of recorded(name, 'teams')) {
      const res = await fetch(`${teamsServer.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(replay(step, fill)) });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      await app.inbox.idle();
    }
    const outcome: Outcome = { dm: [], channel: [], files: [] };
    for (const c of connector.calls.filter((x) => x.conversation)) {
      const card = cardOf(c);
      if (card) outcome[c.conversation.startsWith('19:') ? 'channel' : 'dm'].push(line(String(card.body?.[0]?.text ?? '')));
      for (const a of c.body?.attachments ?? []) if (a.contentType === 'application/vnd.microsoft.teams.card.file.consent') outcome.files.push(line(a.name));
    }
    return outcome;
  }

  for (const name of SCENARIOS) {
    for (const platform of PLATFORMS) {
      it(`${name} on ${platform}: ${scenario(name).about}`, async () => {
        const outcome = platform === 'slack' ? await onSlack(name) : await onTeams(name);
        outcomes.set(`${name}/${platform}`, outcome);
        expectScenario(outcome, scenario(name).expect);
      }, 30_000);
    }
    it(`${name}: the same on every platform`, () => {
      const [first, ...rest] = PLATFORMS.map((p) => outcomes.get(`${name}/${p}`));
      expect(first).toBeDefined();
      for (const other of rest) expect(other).toEqual(first);
    });
  }
});

describe('replay: a platform added as one file (test/support/fake-adapter.ts)', () => {
  let app: House;
  let running: Running;
  let fake: ReturnType<typeof createFakeAdapter>;
  let seq = 0;

  beforeAll(async () => {
    app = openHouse({ ...loadConfig({}), dbPath: tempDbPath() }, { log: silentLogger });
    fake = createFakeAdapter({ inbox: app.inbox, outbound: app.outbound, log: silentLogger });
    running = await startServer(app, { host: '127.0.0.1', port: 0, log: silentLogger, adapters: [fake], web: false });
    await fake.start();
  });
  afterAll(async () => {
    await running.close();
    await app.inbox.idle();
    app.close();
  });

  it.each(SCENARIOS)('%s', async (name) => {
    fake.sent.length = 0;
    const user = `person-${++seq}`;
    let id = 0;
    const mine = (s: FakeSent) => ('user' in s.to ? s.to.user === user : true);
    const fill = (key: string): unknown => {
      const [kind, label] = key.split(':');
      if (kind === 'user') return user;
      if (kind === 'id') return `${user}-${++id}`;
      const button = [...fake.sent].reverse().filter(mine).flatMap((s) => s.message.buttons).find((b) => b.label === label);
      if (!button) throw new Error(`no button "${label}"`);
      return button.value;
    };
    for (const step of recorded(name, 'fake')) {
      const res = await fetch(`${running.url}${FAKE_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(replay(step, fill)) });
      expect(res.status).toBe(200);
      await app.inbox.idle();
    }
    const outcome: Outcome = { dm: [], channel: [], files: [] };
    for (const s of fake.sent.filter(mine)) {
      outcome['user' in s.to ? 'dm' : 'channel'].push(line(s.message.text));
      outcome.files.push(...s.message.files.map(line));
    }
    expectScenario(outcome, scenario(name).expect);
  }, 30_000);
});
