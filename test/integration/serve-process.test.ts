/**
 * `medbill serve` as a real process (issue 10): requests that used to kill it, start-up messages that must
 * say the right thing, and kill -9 right after Slack was acknowledged: every event is answered exactly
 * once after the restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { slackSignedHeaders } from '../support/slack-signing.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startSlackApiFake, type SlackApiFake } from '../support/slack-api-fake.js';
import { cardText, startConnectorFake } from '../support/teams-connector-fake.js';
import { ROOT, tempDbPath } from '../helpers.js';

const SECRET = 'processsecret0000000000000000000';
const signed = (body: string, ts?: number) => slackSignedHeaders(SECRET, body, ts);

interface Served { url: string; child: ChildProcess; out: () => string; err: () => string }
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Starts `medbill serve` and resolves once it printed its address (and, with Slack, its Slack line). */
function serve(env: Record<string, string>, waitFor = /Slack: |Trying again|Slack is off/): Promise<Served> {
  const child = spawn(process.execPath, [`${ROOT}/bin/medbill.js`, 'serve'], { env: { ...process.env, PORT: '0', MEDBILL_LOG: 'silent', ...env } });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /(http:\/\/[\d.]+:\d+)/.exec(out);
      if (m && waitFor.test(out + err)) {
        clearInterval(timer);
        resolve({ url: m[1]!.replace('0.0.0.0', '127.0.0.1'), child, out: () => out, err: () => err });
      }
    }, 20);
    child.once('exit', (code) => { clearInterval(timer); reject(new Error(`serve exited (${code}): ${out} ${err}`)); });
    setTimeout(() => { clearInterval(timer); reject(new Error(`serve did not start: ${out} ${err}`)); }, 15_000);
  });
}
const slackEnv = (fake: SlackApiFake, db = tempDbPath()) => ({ MEDBILL_DB: db, SLACK_BOT_TOKEN: 'xoxb-test-0000000000', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl });

let seq = 0;
const dmEvent = (user: string, text: string) => JSON.stringify({
  token: 'x', team_id: 'T0PROC', api_app_id: 'A0PROC', type: 'event_callback', event_id: `EvPROC${process.pid}${++seq}`, event_time: 1,
  event: { type: 'message', channel: `D${user}`, channel_type: 'im', user, text, ts: `1700000000.${String(seq).padStart(6, '0')}` },
});
const postEvent = (url: string, body: string, extra: Record<string, string> = {}) =>
  fetch(`${url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...signed(body), ...extra }, body });

describe('medbill serve with Teams', () => {
  it('is off without an app id; in dev mode it warns, answers a personal message through the connector, and survives every method', async () => {
    const off = await serve({ MEDBILL_DB: tempDbPath() }, /Teams: off/);
    expect((await fetch(`${off.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);
    off.child.kill('SIGKILL');

    const connector = await startConnectorFake();
    try {
      const s = await serve({ MEDBILL_DB: tempDbPath(), MEDBILL_TEAMS_DEV: '1' }, /Teams: on/);
      expect(s.err()).toMatch(/WITHOUT authentication/);
      for (const method of ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) expect((await fetch(`${s.url}/api/messages`, { method })).status).toBe(405);
      const activity = {
        type: 'message', id: 'proc-1', channelId: 'msteams', serviceUrl: connector.url, text: 'help', from: { id: '29:proc-person' }, recipient: { id: '28:proc-bot' },
        conversation: { id: 'a:proc-chat', conversationType: 'personal', tenantId: '4f1c2a7e-0b5d-4c3e-9a61-2d8e7f903b14' },
      };
      expect((await fetch(`${s.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) })).status).toBe(200);
      await expect.poll(() => connector.calls.length, { timeout: 10_000 }).toBeGreaterThan(0);
      expect(connector.calls[0]?.conversation).toBe('a:proc-chat');
      expect(connector.calls.map(cardText).join()).toContain('medbill helps decide');
      expect(s.child.exitCode).toBeNull();
    } finally {
      await connector.close();
    }
  });

  it('refuses dev mode in production at start, naming why', async () => {
    await expect(serve({ MEDBILL_DB: tempDbPath(), MEDBILL_TEAMS_DEV: '1', NODE_ENV: 'production' }, /Teams: on/)).rejects.toThrow(/MEDBILL_TEAMS_DEV=1 accepts requests without authentication and is refused when NODE_ENV=production/);
  });
});

describe('medbill serve stays up', () => {
  it('answers every method and a signed null on /slack/events without dying', async () => {
    const fake = await startSlackApiFake();
    try {
      const s = await serve(slackEnv(fake));
      for (const method of ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
        expect((await fetch(`${s.url}/slack/events`, { method })).status).toBe(405);
      }
      expect((await postEvent(s.url, 'null')).status).toBe(400);
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
      expect(s.child.exitCode).toBeNull();
      expect(s.err()).not.toMatch(/HTTPReceiverDeferredRequestError|TypeError/);
    } finally {
      await fake.close();
    }
  });

  it('says the token was refused, and takes /slack/events down, when Slack says invalid_auth', async () => {
    const fake = await startSlackApiFake({ rejectToken: true });
    try {
      const s = await serve(slackEnv(fake));
      expect(s.err()).toMatch(/did not accept SLACK_BOT_TOKEN \(invalid_auth\)/);
      expect((await postEvent(s.url, dmEvent('U1', 'help'))).status).toBe(404);
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    } finally {
      await fake.close();
    }
  });

  it('says Slack could not be reached, not that the token is wrong, with no network to Slack', async () => {
    const closed = await startSlackApiFake();
    const apiUrl = closed.apiUrl;
    await closed.close();
    const s = await serve({ MEDBILL_DB: tempDbPath(), SLACK_BOT_TOKEN: 'xoxb-test-0000000000', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: apiUrl });
    expect(s.err()).toMatch(/could not reach Slack's Web API \(ECONNREFUSED\)/);
    expect(s.err()).not.toMatch(/did not accept/);
    expect((await postEvent(s.url, dmEvent('U1', 'help'))).status).toBe(503); // Slack retries later
  });

  it('warns that the chat page has no login when bound beyond loopback, unless the page is off', async () => {
    const open = await serve({ MEDBILL_DB: tempDbPath(), HOST: '0.0.0.0' }, /running/);
    expect(open.err()).toMatch(/warning: HOST=0\.0\.0\.0 .*no login/);
    const slackOnly = await serve({ MEDBILL_DB: tempDbPath(), HOST: '0.0.0.0', MEDBILL_WEB: 'off' }, /running/);
    expect(slackOnly.err()).not.toMatch(/warning/);
    expect((await fetch(`${slackOnly.url}/`)).status).toBe(404);
  });
});

describe('kill -9 right after Slack was acknowledged', () => {
  it('answers every acknowledged event exactly once after the restart, and not again on Slack\'s retries', async () => {
    const db = tempDbPath();
    // First life: Slack's API accepts auth.test, then never answers a post, so no delivery completes.
    const stuck = await startSlackApiFake({ delayMs: { 'chat.postMessage': 600_000 } });
    const fake = await startSlackApiFake();
    try {
      const first = await serve(slackEnv(stuck, db));
      const users = Array.from({ length: 12 }, (_, i) => `UCRASH${i}`);
      const events = users.map((u) => dmEvent(u, 'lookup K08.3'));
      for (const e of events) expect((await postEvent(first.url, e)).status).toBe(200);
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));

      // Second life, with Slack answering: what was acknowledged is delivered.
      const second = await serve(slackEnv(fake, db));
      await fake.waitFor(() => new Set(fake.of('chat.postMessage').map((c) => c.params.channel)).size === users.length, 15_000);
      // Slack retries each (it never saw a reply in time): none is answered again.
      for (const e of events) expect((await postEvent(second.url, e, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' })).status).toBe(200);
      // Then each person asks for help: one person's events are answered in order, so once every help is
      // recorded, every answer the restart or a retry could have sent has been sent. No sleeping.
      // And someone new asks the same question once, for the size of one answer.
      expect((await postEvent(second.url, dmEvent('UFRESH', 'lookup K08.3'))).status).toBe(200);
      for (const u of [...users, 'UFRESH']) expect((await postEvent(second.url, dmEvent(u, 'help'))).status).toBe(200);
      const dmOf = (u: string) => [`D${u}`, `D${u.replace(/^U/, '')}`];
      const isHelp = (c: { params: Record<string, unknown> }) => /^medbill helps/.test(String(c.params.text));
      const messagesBeforeHelp = (u: string) => fake.of('chat.postMessage').filter((c) => dmOf(u).includes(c.params.channel)).findIndex(isHelp);
      await fake.waitFor(() => [...users, 'UFRESH'].every((u) => messagesBeforeHelp(u) >= 0), 15_000);
      // What each person got before their help: the answer to their question, once.
      const once = messagesBeforeHelp('UFRESH');
      expect(once).toBeGreaterThan(0);
      expect(users.map(messagesBeforeHelp)).toEqual(users.map(() => once));
    } finally {
      await stuck.close();
      await fake.close();
    }
  }, 40_000);
});

describe('medbill serve for any workspace (SLACK_CLIENT_ID)', () => {
  it('installs a workspace over OAuth and answers it with that workspace\'s token, never printing it', async () => {
    const fake = await startSlackApiFake();
    try {
      const served = await serve({
        MEDBILL_DB: tempDbPath(), SLACK_CLIENT_ID: '1111.2222', SLACK_CLIENT_SECRET: 'clientsecret00112233', SLACK_SIGNING_SECRET: SECRET,
        MEDBILL_ENCRYPTION_KEY: 'cd'.repeat(32), MEDBILL_PUBLIC_URL: 'http://127.0.0.1:9', SLACK_API_URL: fake.apiUrl, SLACK_AUTHORIZE_URL: fake.authorizeUrl,
      });
      expect(served.out()).toMatch(/Slack: on for any workspace that installs it at http:\/\/127\.0\.0\.1:9\/slack\/install/);
      fake.installAs({ team: { id: 'T0SERVE', name: 'Served Dental' } });
      const begun = await fetch(`${served.url}/slack/install`, { redirect: 'manual' });
      expect(begun.status).toBe(302);
      const approved = await fetch(begun.headers.get('location') ?? '', { redirect: 'manual' });
      const back = new URL(approved.headers.get('location') ?? '');
      const cookie = (begun.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const done = await fetch(`${served.url}${back.pathname}${back.search}`, { headers: { cookie } });
      expect(done.status).toBe(200);
      const token = [...fake.tokens.keys()][0];
      const body = JSON.stringify({ ...JSON.parse(dmEvent('U0SERVE', 'help')), team_id: 'T0SERVE' });
      expect((await postEvent(served.url, body)).status).toBe(200);
      await fake.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage'));
      expect(fake.of('chat.postMessage')[0]?.token).toBe(`Bearer ${token}`);
      expect(served.out() + served.err()).not.toContain(token ?? 'no token');
    } finally {
      await fake.close();
    }
  }, 30_000);
});

describe('medbill serve as replicas on one database', () => {
  it('a replica killed while posting an answer: the one that takes the event over posts only the messages that did not go out', async () => {
    // A case mentioned in a channel: its answer goes to the person's DM, a pointer to it in the channel's thread.
    const mention = (user: string) => JSON.stringify({
      token: 'x', team_id: 'T0PROC', api_app_id: 'A0PROC', type: 'event_callback', event_id: `EvKILL${process.pid}${++seq}`, event_time: 1,
      event: { type: 'app_mention', channel: `C${user}`, user: `U${user}`, text: '<@UBOT> pt broke #8 in a bike accident, has BCBS medical + Delta dental', ts: `1700000000.${String(seq).padStart(6, '0')}` },
    });
    const postsOf = (fake: SlackApiFake, user: string) => fake.of('chat.postMessage').filter((c) => [`C${user}`, `D${user}`].includes(String(c.params.channel)));
    // Where each message went (DM or channel) and what it said, its case ID aside (each run makes a case of its own).
    const shown = (fake: SlackApiFake, user: string) => postsOf(fake, user).map((c) => [String(c.params.channel).slice(0, 1), String(c.params.text).replace(/C-[0-9A-Z]{5}/g, 'C-?????')]);
    // Each message takes Slack 400 ms to answer, so the process can be killed between two of them.
    const fake = await startSlackApiFake({ delayMs: { 'chat.postMessage': 400 } });
    try {
      // The answer's messages, delivered whole by a process of its own.
      const whole = await serve(slackEnv(fake));
      expect((await postEvent(whole.url, mention('WHOLE'))).status).toBe(200);
      await expect.poll(() => postsOf(fake, 'WHOLE').length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
      await new Promise((r) => setTimeout(r, 1500));
      const answer = shown(fake, 'WHOLE');
      whole.child.kill('SIGKILL');

      const db = tempDbPath();
      const replica = { MEDBILL_INBOX_LEASE_MS: '1000' };
      const a = await serve({ ...slackEnv(fake, db), ...replica, MEDBILL_REPLICA_ID: 'a' });
      expect((await postEvent(a.url, mention('KILL'))).status).toBe(200);
      // Killed once its second message is on its way: the first went out, and the second goes out.
      await fake.waitFor(() => postsOf(fake, 'KILL').length >= 2, 15_000);
      a.child.kill('SIGKILL');
      await serve({ ...slackEnv(fake, db), ...replica, MEDBILL_REPLICA_ID: 'b' });
      await expect.poll(() => postsOf(fake, 'KILL').length, { timeout: 15_000 }).toBeGreaterThanOrEqual(answer.length);
      // Past another lease: nothing more comes, and each message of the answer went out once, where it belongs.
      await new Promise((r) => setTimeout(r, 2500));
      expect(shown(fake, 'KILL')).toEqual(answer);
      expect(new Set(postsOf(fake, 'KILL').flatMap((c) => String(c.params.text).match(/C-[0-9A-Z]{5}/g) ?? [])).size).toBe(1);
    } finally {
      await fake.close();
    }
  }, 60_000);
});
