/**
 * /slack/events as an attacker or a flaky network would use it (issue 10): the real server on 127.0.0.1,
 * signed requests, and Slack's Web API replaced by the recording fake. Payloads are written here in
 * Slack's shape, so these tests need nothing from shared/.
 */
import { slackSignature, slackSignedHeaders } from '../support/slack-signing.js';
import { existsSync, readFileSync } from 'node:fs';
import { IDENTIFIER_MESSAGES, identifierPattern, withoutCaseIds } from '../support/identifier-corpus.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openHouse, type House } from '../support/house.js';
import { loadConfig } from '../../src/config.js';
import type { Running } from '../../src/root/server.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { classifyAuthFailure, createSlackAdapter, SlackTokenRejectedError, SlackUnreachableError } from '../../adapters/slack/adapter.js';
import { startSlackApiFake, type SlackApiFake } from '../support/slack-api-fake.js';
import { startSlackStack, type SlackStack } from '../support/slack-stack.js';
import { tempDbPath } from '../helpers.js';

const SECRET = 'hardeningsecret00000000000000000';
const now = () => Math.floor(Date.now() / 1000);
function signed(body: string, ts: number | string = now()): Record<string, string> {
  return slackSignedHeaders(SECRET, body, ts);
}

// Event ids and message timestamps count up from fixed values, never from the clock: a clock reading can hold
// any run of digits, a corpus record number too, and the leak check below would find it in the database.
let seq = 0;
const dm = (text: string, user = 'U0HARD1') => ({
  token: 'x', team_id: 'T0HARD', api_app_id: 'A0HARD', type: 'event_callback', event_id: `EvHARD${++seq}`, event_time: 1_700_000_000,
  event: { type: 'message', channel: `D${user}`, channel_type: 'im', user, text, ts: `1700000000.${String(seq).padStart(6, '0')}` },
});
const slash = (text: string, fake: SlackApiFake, user = 'U0CMD1', channel = 'C0PUBLIC') => new URLSearchParams({
  token: 'x', team_id: 'T0HARD', team_domain: 'practice', channel_id: channel, channel_name: 'billing', user_id: user, user_name: 'staff',
  command: '/medbill', text, api_app_id: 'A0HARD', response_url: fake.responseUrl(`cmd-${++seq}`), trigger_id: `trig-${seq}`,
}).toString();

describe('/slack/events under attack and failure', () => {
  let fake: SlackApiFake;
  let app: House;
  let stack: SlackStack;
  let running: Running;
  const logLines: string[] = [];

  beforeAll(async () => {
    fake = await startSlackApiFake();
    stack = await startSlackStack({ secret: SECRET, fake, log: createLogger('debug', (l) => logLines.push(l)), inboxMaxOpen: 3 });
    ({ app, running } = stack);
  });
  afterAll(async () => {
    await stack.close();
    await fake.close();
  });
  beforeEach(() => {
    fake.clear();
    logLines.length = 0;
  });

  const post = (body: string, type: string, headers: Record<string, string>) =>
    fetch(`${running.url}/slack/events`, { method: 'POST', headers: { 'content-type': type, ...headers }, body });
  const healthy = async () => expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
  const postsOf = (channel: string) => fake.of('chat.postMessage').filter((c) => c.params.channel === channel);
  /**
   * A good DM from `user`, answered: one person's events are answered in the order they came, so once its
   * answer is recorded, anything an earlier event of theirs would have sent has been sent. No fixed sleep.
   */
  async function answeredAfter(user: string): Promise<void> {
    const marker = JSON.stringify(dm('help', user));
    expect((await post(marker, 'application/json', signed(marker))).status).toBe(200);
    await fake.waitFor(() => postsOf(`D${user}`).length > 0);
    await app.inbox.idle();
  }

  // Finding 1: Bolt's receiver threw on anything but POST, and the process died.
  it.each(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'])('answers %s with 405 and stays up', async (method) => {
    const res = await fetch(`${running.url}/slack/events`, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    await healthy();
  });

  // Finding 2: a signed `null` reached Bolt and crashed it.
  it.each([['null'], ['[]'], ['"text"'], ['42'], ['true'], ['[{"type":"event_callback"}]']])('refuses the signed JSON body %s with 400', async (body) => {
    const res = await post(body, 'application/json', signed(body));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/object/);
    await healthy();
  });

  it('refuses a signed form whose payload is not an object, and a body that is not UTF-8', async () => {
    const form = 'payload=null';
    expect((await post(form, 'application/x-www-form-urlencoded', signed(form))).status).toBe(400);
    const bad = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"\xff\xfe"}
    const res = await fetch(`${running.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...signed(bad.toString('latin1')) }, body: bad });
    expect([400, 401]).toContain(res.status);
    await healthy();
  });

  // Finding 7: the timestamp window holds in both directions.
  it.each([
    ['10 minutes in the future', String(now() + 600)],
    ['10 years in the future', String(now() + 10 * 365 * 86400)],
    ['6 minutes old', String(now() - 360)],
    ['Infinity', 'Infinity'],
    ['not a number', '1e9'],
  ])('refuses a signature with a timestamp %s', async (_what, ts) => {
    const body = JSON.stringify(dm('lookup D7286', 'U0TIME1'));
    const res = await post(body, 'application/json', signed(body, ts));
    expect(res.status).toBe(401);
    await answeredAfter('U0TIME1');
    expect(JSON.stringify(fake.calls)).not.toContain('D7286');
  });

  // Without shared/: a signature of the right form that is not the right one (the comparison, not the shape).
  const other = (body: string, ts = now()) => slackSignature('anothersecret000000000000000000', ts, body);
  const wrongSignatures: [string, (body: string) => Record<string, string>][] = [
    ['signed with another secret', (body: string) => ({ ...signed(body), 'x-slack-signature': other(body) })],
    ['signed for another body', (body: string) => signed(body.replace('D7286', 'E0486'))],
    ['signed for another timestamp', (body: string) => ({ ...signed(body, now() - 1), 'x-slack-request-timestamp': String(now()) })],
    ['with one digit of the signature changed', (body: string) => {
      const headers = signed(body);
      const sig = headers['x-slack-signature'] ?? '';
      return { ...headers, 'x-slack-signature': `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}` };
    }],
  ];
  it.each(wrongSignatures)('refuses a well-formed signature %s, and answers nothing', async (_what, headersFor) => {
    const body = JSON.stringify(dm('lookup D7286', 'U0SIG1'));
    const headers = headersFor(body);
    expect(headers['x-slack-signature']).toMatch(/^v0=[0-9a-f]{64}$/);
    const res = await post(body, 'application/json', headers);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toMatch(/signature does not match/);
    await answeredAfter('U0SIG1');
    expect(JSON.stringify(fake.calls)).not.toContain('D7286');
  });

  // Finding 7: an exact replay of a signed command (or click) within the window runs once.
  it('runs a replayed slash command once', async () => {
    const body = slash('lookup D7286', fake);
    const headers = signed(body);
    const answers = () => fake.of('chat.postMessage').filter((c) => JSON.stringify(c.params).includes('D7286'));
    expect((await post(body, 'application/x-www-form-urlencoded', headers)).status).toBe(200);
    await fake.waitFor(() => answers().length > 0);
    expect((await post(body, 'application/x-www-form-urlencoded', headers)).status).toBe(200);
    // The same person's next command, answered after anything the replay would have sent.
    const next = slash('lookup E0486', fake);
    expect((await post(next, 'application/x-www-form-urlencoded', signed(next))).status).toBe(200);
    await fake.waitFor(() => fake.of('chat.postMessage').some((c) => JSON.stringify(c.params).includes('E0486')));
    await app.inbox.idle();
    expect(answers()).toHaveLength(1);
  });

  // Finding 4: no request waits on auth.test (it was called before every acknowledgement).
  it('calls auth.test once at start, not per event, so a slow Slack API does not slow the ack', async () => {
    const slow = await startSlackApiFake({ delayMs: { 'auth.test': 2000 } });
    const other = await startSlackStack({ secret: SECRET, fake: slow });
    const server = other.running;
    try {
      const times: number[] = [];
      for (let i = 0; i < 10; i++) {
        const body = JSON.stringify(dm('help', `U0SLOW${i}`));
        const t = performance.now();
        const res = await fetch(`${server.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...signed(body) }, body });
        times.push(performance.now() - t);
        expect(res.status).toBe(200);
      }
      await slow.waitFor(() => slow.of('chat.postMessage').length === 10);
      expect(slow.of('auth.test')).toHaveLength(1);
      expect(Math.max(...times)).toBeLessThan(1000); // auth.test takes 2 s on this fake
    } finally {
      await other.close();
      await slow.close();
    }
  });

  // Finding 6: a command in a channel that carried an identifier: the notice (about the case) goes to the DM.
  it('keeps everything a channel command answers out of the channel, the identifier notice included', async () => {
    const body = slash('pt Jane Smith ssn 123-45-6789 needs ext #30 abscess, Aetna medical only', fake, 'U0CMD2', 'C0PUBLIC');
    expect((await post(body, 'application/x-www-form-urlencoded', signed(body))).status).toBe(200);
    // The identifier notice and the answer, in the DM (one message: a note joins the answer after it).
    await fake.waitFor(() => fake.of('response_url').length > 0 && /left (?:it|them) out[\s\S]*Case C-/.test(JSON.stringify(fake.of('chat.postMessage').map((p) => p.params.text))));
    const posts = fake.of('chat.postMessage');
    expect(posts.filter((p) => p.params.channel === 'C0PUBLIC')).toEqual([]);
    expect(posts.some((p) => /left it out|left them out/.test(JSON.stringify(p.params)))).toBe(true);
    expect(fake.of('response_url')[0]!.params).toMatchObject({ response_type: 'ephemeral' });
    expect(JSON.stringify(fake.calls)).not.toMatch(/Jane|Smith|123-45-6789/);
  });

  // Finding 3: the backlog is bounded; past it, Slack is told to retry and the log says why.
  it('sheds load with a 503 and a log line when the inbox is full, then takes the retry', async () => {
    const stalled = await startSlackApiFake({ delayMs: { 'chat.postMessage': 1500, 'conversations.open': 1500 } });
    const other = await startSlackStack({ secret: SECRET, fake: stalled, log: createLogger('debug', (l) => logLines.push(l)), inboxMaxOpen: 2 });
    const server = other.running;
    const send = (payload: unknown) => {
      const body = JSON.stringify(payload);
      return fetch(`${server.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...signed(body) }, body });
    };
    try {
      const events = [dm('help', 'U0B1'), dm('help', 'U0B2'), dm('help', 'U0B3')];
      const statuses = [];
      for (const e of events) statuses.push((await send(e)).status);
      expect(statuses).toEqual([200, 200, 503]);
      expect(logLines.some((l) => /"event":"inbox-full"/.test(l))).toBe(true);
      await other.app.inbox.idle();
      expect((await send(events[2])).status).toBe(200); // Slack's retry, once there is room
      await stalled.waitFor(() => stalled.of('chat.postMessage').length === 3, 8000);
    } finally {
      await other.close();
      await stalled.close();
    }
  }, 20_000);
});

// Finding 10: a network failure is not a rejected token.
describe('telling a network failure from a rejected token', () => {
  it('says the token was refused when Slack says invalid_auth', async () => {
    const fake = await startSlackApiFake({ rejectToken: true });
    const app = openHouse({ ...loadConfig({}), dbPath: tempDbPath() });
    const adapter = createSlackAdapter({ config: { botToken: 'xoxb-test-0000000000', signingSecret: SECRET, apiUrl: fake.apiUrl }, engine: app.engine, inbox: app.inbox, outbound: app.outbound, log: silentLogger });
    try {
      await expect(adapter.start()).rejects.toBeInstanceOf(SlackTokenRejectedError);
      await expect(adapter.start()).rejects.toThrow(/did not accept SLACK_BOT_TOKEN \(invalid_auth\)/);
    } finally {
      await adapter.stop();
      app.close();
      await fake.close();
    }
  });

  it('says Slack could not be reached, not that the token is wrong, when nothing answers', async () => {
    const app = openHouse({ ...loadConfig({}), dbPath: tempDbPath() });
    // A port nothing listens on any more: connection refused.
    const closed = await startSlackApiFake();
    const apiUrl = closed.apiUrl;
    await closed.close();
    const adapter = createSlackAdapter({ config: { botToken: 'xoxb-test-0000000000', signingSecret: SECRET, apiUrl }, engine: app.engine, inbox: app.inbox, outbound: app.outbound, log: silentLogger });
    try {
      const failure = await adapter.start().then(() => undefined, (e: unknown) => e);
      expect(failure).toBeInstanceOf(SlackUnreachableError);
      expect((failure as Error).message).toMatch(/could not reach Slack's Web API \(ECONNREFUSED\)/);
      expect((failure as Error).message).not.toMatch(/did not accept/);
    } finally {
      await adapter.stop();
      app.close();
    }
  });

  it('classifies the Web API client errors', () => {
    expect(classifyAuthFailure({ code: 'slack_webapi_platform_error', data: { error: 'token_revoked' } })).toBeInstanceOf(SlackTokenRejectedError);
    expect(classifyAuthFailure({ code: 'slack_webapi_request_error', original: { code: 'ENOTFOUND' } }).message).toMatch(/ENOTFOUND/);
    expect(classifyAuthFailure({ code: 'slack_webapi_http_error', statusCode: 503 }).message).toMatch(/HTTP 503/);
  });
});

// Finding 5, on Slack's path: messages carrying identifiers go in by DM, mention and slash command; nothing
// medbill sends to Slack, and nothing in its database files, holds one of them.
describe('identifiers on the Slack path', () => {
  it(`sends and stores none of ${IDENTIFIER_MESSAGES.length} corpus messages' identifiers`, async () => {
    const fake = await startSlackApiFake();
    const dbPath = tempDbPath();
    const stack = await startSlackStack({ secret: SECRET, fake, dbPath, inboxMaxOpen: 5000 });
    try {
      const send = (body: string, type: string) =>
        fetch(`${stack.running.url}/slack/events`, { method: 'POST', headers: { 'content-type': type, ...signed(body) }, body });
      let i = 0;
      for (const m of IDENTIFIER_MESSAGES) {
        const user = `UCORP${i % 7}`;
        const res = i % 3 === 0
          ? await send(JSON.stringify(dm(m.text, user)), 'application/json')
          : i % 3 === 1
            ? await send(JSON.stringify({ token: 'x', team_id: 'T0HARD', type: 'event_callback', event_id: `EvCORP${i}`, event: { type: 'app_mention', user, channel: 'C0CORP', text: `<@UBOT> ${m.text}`, ts: `7.${i}` } }), 'application/json')
            : await send(slash(m.text, fake, user, 'C0CORP'), 'application/x-www-form-urlencoded');
        expect(res.status).toBe(200);
        i++;
      }
      await stack.app.inbox.idle();
      const sent = withoutCaseIds(JSON.stringify(fake.calls)).toLowerCase();
      const stored = ['', '-wal', '-shm'].map((ext) => `${dbPath}${ext}`).filter((f) => existsSync(f)).map((f) => withoutCaseIds(readFileSync(f).toString('latin1')).toLowerCase()).join('\n');
      // An identifier as a token of its own (identifierPattern): its digits inside a longer number are not it.
      const token = (text: string) => new RegExp(identifierPattern([text]).source, 'i');
      const leaks = IDENTIFIER_MESSAGES.flatMap((m) => m.identifiers).filter((id) => token(id.text).test(sent) || token(id.text).test(stored));
      expect(leaks.map((l) => `${l.kind}: ${l.text}`)).toEqual([]);
      expect(fake.of('chat.postMessage').length).toBeGreaterThan(IDENTIFIER_MESSAGES.length / 2); // the messages were answered
    } finally {
      await stack.close();
      await fake.close();
    }
  }, 60_000);
});
