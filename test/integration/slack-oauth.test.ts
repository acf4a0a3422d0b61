/**
 * medbill as a Slack app any workspace installs (multi-workspace mode), end to end: the real server on 127.0.0.1,
 * the OAuth install flow through a local fake of Slack's authorize page and Web API (oauth.v2.access), signed
 * events from several workspaces, and the fake recording which token each call carried.
 */
import { randomBytes } from 'node:crypto';
import slackOAuth from '@slack/oauth';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer, type Running } from '../../src/root/server.js';
import type { Logger } from '../../src/log.js';
import { reply } from '../../src/engine/model.js';
import { createSealer, deriveSecret } from '../../src/privacy/sealing.js';
import { createSlackAdapter } from '../../adapters/slack/adapter.js';
import { loadSlackConfig, SLACK_BOT_SCOPES, type SlackConfig } from '../../adapters/slack/config.js';
import { openHouse, type House } from '../support/house.js';
import { startSlackApiFake, type FakeInstallSpec, type SlackApiFake } from '../support/slack-api-fake.js';
import { tempDbPath } from '../helpers.js';
import { describePostgres, freshDatabaseUrl } from '../support/postgres.js';
import { slackSignedHeaders } from '../support/slack-signing.js';

const SECRET = 'signingsecret0123456789abcdef012';
const CLIENT_SECRET = 'clientsecret00112233';
const KEY = randomBytes(32).toString('hex');
/** Where Slack would reach medbill; the test reaches the server at its loopback port instead (same paths). */
const PUBLIC_URL = 'http://127.0.0.1:3978';
const REDIRECT_URI = `${PUBLIC_URL}/slack/oauth_redirect`;

interface Stack { app: House; running: Running; close(): Promise<void> }

/** Where the house keeps its data: a SQLite file, or a PostgreSQL database (replicas share either). */
interface Db { dbPath: string; databaseUrl?: string }

async function startStack(fake: SlackApiFake, db: Db, log: Logger): Promise<Stack> {
  const config: SlackConfig | undefined = loadSlackConfig({
    SLACK_CLIENT_ID: '1111.2222', SLACK_CLIENT_SECRET: CLIENT_SECRET, SLACK_SIGNING_SECRET: SECRET, MEDBILL_ENCRYPTION_KEY: KEY,
    MEDBILL_PUBLIC_URL: PUBLIC_URL, SLACK_API_URL: fake.apiUrl, SLACK_AUTHORIZE_URL: fake.authorizeUrl,
  });
  if (!config) throw new Error('multi-workspace mode is configured');
  const app = openHouse({ ...loadConfig({}), ...db }, { log });
  const slack = createSlackAdapter({ config, engine: app.engine, inbox: app.inbox, outbound: app.outbound, log, installations: app.storage.installations });
  await slack.start();
  const running = await startServer(app, { host: '127.0.0.1', port: 0, log, adapters: [slack], web: false });
  return {
    app, running,
    close: async () => {
      await slack.stop();
      await running.close();
      await app.inbox.idle();
      await app.close();
    },
  };
}

const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

/** The whole install: /slack/install on `start`, Slack's authorize page, back to /slack/oauth_redirect on `finish`. */
async function install(fake: SlackApiFake, spec: FakeInstallSpec, start: Running, finish = start) {
  fake.installAs(spec);
  const begun = await fetch(`${start.url}/slack/install`, { redirect: 'manual' });
  expect(begun.status).toBe(302);
  const authorize = new URL(begun.headers.get('location') ?? '');
  const approved = await fetch(authorize, { redirect: 'manual' });
  const back = new URL(approved.headers.get('location') ?? '');
  const done = await fetch(`${finish.url}${back.pathname}${back.search}`, { headers: { cookie: cookieOf(begun) } });
  return { begun, authorize, back, done, page: await done.text() };
}

const T1 = { team: { id: 'T0001', name: 'Smile Dental' } };
const T2 = { team: { id: 'T0002', name: 'Bright Teeth' } };
const ORG = { enterprise: { id: 'E0001', name: 'Dental Group' }, isEnterpriseInstall: true };

const installs = (store: string, database: () => Promise<Db>) => describe(`Slack for any workspace on ${store}: installs over OAuth, one token per workspace`, () => {
  let fake: SlackApiFake;
  let stack: Stack;
  const lines: { event: string; fields: Record<string, unknown> }[] = [];
  const log: Logger = { log: (_level, event, fields = {}) => lines.push({ event, fields }) };
  let db: Db;
  let seq = 0;

  beforeAll(async () => {
    db = await database();
    fake = await startSlackApiFake({ clientSecret: CLIENT_SECRET });
    stack = await startStack(fake, db, log);
  });
  afterAll(async () => {
    await stack.close();
    await fake.close();
  });
  beforeEach(() => fake.clear());

  const send = (payload: unknown) => {
    const body = JSON.stringify(payload);
    return fetch(`${stack.running.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...slackSignedHeaders(SECRET, body) }, body });
  };
  /** A DM event as Slack sends it from `team`; an org-wide install's events name the enterprise and no team in `authorizations`. */
  const dm = (team: string, user: string, text: string, org?: { enterprise: string }) => ({
    type: 'event_callback', team_id: team, api_app_id: 'A0MEDBILL', event_id: `EvO${Date.now()}${++seq}`, event_time: Math.floor(Date.now() / 1000),
    ...(org ? { enterprise_id: org.enterprise } : {}),
    authorizations: [{ team_id: org ? null : team, enterprise_id: org?.enterprise ?? null, user_id: 'UBOT', is_bot: true, is_enterprise_install: Boolean(org) }],
    event: { type: 'message', channel_type: 'im', channel: `D${user}`, user, text, ts: `${Math.floor(Date.now() / 1000)}.${String(seq).padStart(6, '0')}`, team },
  });
  const lifecycle = (type: string, team: string, extra: Record<string, unknown> = {}) => ({
    type: 'event_callback', team_id: team, api_app_id: 'A0MEDBILL', event_id: `EvL${Date.now()}${++seq}`, event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: team, enterprise_id: null, user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
    event: { type, ...extra },
  });
  const posts = () => fake.of('chat.postMessage');
  const tokenOf = (team: string) => [...fake.tokens.values()].find((i) => (i.team?.id ?? i.enterprise?.id) === team)?.token;

  it('installs two workspaces through /slack/install and /slack/oauth_redirect, keeping each bot token sealed', async () => {
    const first = await install(fake, T1, stack.running);
    // The redirect to Slack's authorize page carries what Slack needs, and the state also sits in a cookie.
    expect(first.begun.headers.get('set-cookie')).toMatch(/^slack-app-oauth-state=[^;]+; Secure; HttpOnly; Path=\//);
    expect(`${first.authorize.origin}${first.authorize.pathname}`).toBe(fake.authorizeUrl);
    const q = first.authorize.searchParams;
    expect(q.get('client_id')).toBe('1111.2222');
    expect(q.get('scope')?.split(',')).toEqual([...SLACK_BOT_SCOPES]);
    expect(q.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(q.get('state')).toBe(cookieOf(first.begun).split('=')[1]);
    expect(first.done.status).toBe(200);
    expect(first.page).toMatch(/medbill is installed in Smile Dental/);
    const second = await install(fake, T2, stack.running);
    expect(second.done.status).toBe(200);

    // The code was exchanged with the app's credentials and the same redirect URI.
    const exchanges = fake.of('oauth.v2.access');
    expect(exchanges.map((c) => c.params.code)).toEqual([first.back.searchParams.get('code'), second.back.searchParams.get('code')]);
    expect(exchanges[0]?.params).toMatchObject({ client_id: '1111.2222', client_secret: CLIENT_SECRET, redirect_uri: REDIRECT_URI });

    // At rest: the row has the sealed token, never the plaintext, and it opens only with the key, for its own row.
    const row = await stack.app.storage.installations.get('T0001');
    const token = tokenOf('T0001');
    expect(token).toMatch(/^xoxb-/);
    expect(row).toMatchObject({ key: 'T0001', teamId: 'T0001', isEnterpriseInstall: false, botUserId: 'UBOTT0001', botId: 'BBOTT0001', appId: 'A0MEDBILL' });
    expect(row?.sealedBotToken).toMatch(/^v1:/);
    expect(row?.sealedBotToken).not.toContain(token ?? 'no token');
    const sealer = createSealer(Buffer.from(KEY, 'hex'));
    expect(sealer.unseal(row?.sealedBotToken ?? '', 'T0001')).toBe(token);
    expect(() => sealer.unseal(row?.sealedBotToken ?? '', 'T0002')).toThrow();
    expect((await stack.app.storage.installations.get('T0002'))?.teamId).toBe('T0002');
    // Nothing secret in the log.
    const logged = JSON.stringify(lines);
    for (const secret of [token ?? '', tokenOf('T0002') ?? '', CLIENT_SECRET, KEY]) expect(logged).not.toContain(secret);
  });

  it('answers each workspace with its own token, in its own person\'s DM', async () => {
    expect((await send(dm('T0001', 'U0A', 'help'))).status).toBe(200);
    expect((await send(dm('T0002', 'U0B', 'help'))).status).toBe(200);
    await fake.waitFor(() => posts().length >= 2);
    await stack.app.inbox.idle();
    const toA = posts().filter((p) => p.params.channel === 'DU0A');
    const toB = posts().filter((p) => p.params.channel === 'DU0B');
    expect(toA.length).toBeGreaterThan(0);
    expect(toB.length).toBeGreaterThan(0);
    expect(toA.every((p) => p.token === `Bearer ${tokenOf('T0001')}`)).toBe(true);
    expect(toB.every((p) => p.token === `Bearer ${tokenOf('T0002')}`)).toBe(true);
    expect(toA[0]?.params.text).toMatch(/^medbill helps/);
  });

  it('refuses a redirect whose state is missing, forged, expired or not this browser\'s, and stores nothing', async () => {
    const before = await stack.app.storage.installations.get('T0003');
    expect(before).toBeUndefined();
    const url = stack.running.url;
    const { code } = fake.grant({ team: { id: 'T0003' } });
    // A state signed by medbill but eleven minutes old (any replica with the key could verify it: nothing is in memory).
    const stateStore = new slackOAuth.ClearStateStore(deriveSecret(Buffer.from(KEY, 'hex'), 'slack oauth state').toString('hex'), 600);
    const old = await stateStore.generateStateParam({ scopes: [...SLACK_BOT_SCOPES], redirectUri: REDIRECT_URI }, new Date(Date.now() - 11 * 60_000));
    // A state signed with another secret: a forgery.
    const forged = await new slackOAuth.ClearStateStore('not-medbills-secret', 600).generateStateParam({ scopes: [], redirectUri: REDIRECT_URI }, new Date());
    const begun = await fetch(`${url}/slack/install`, { redirect: 'manual' });
    const fresh = cookieOf(begun).split('=')[1] ?? '';
    const attempts: [string, string, string | undefined][] = [
      ['no state', `code=${code}`, `slack-app-oauth-state=${fresh}`],
      ['no cookie', `code=${code}&state=${fresh}`, undefined],
      ['another browser\'s state', `code=${code}&state=${fresh}`, `slack-app-oauth-state=${old}`],
      ['expired', `code=${code}&state=${old}`, `slack-app-oauth-state=${old}`],
      ['forged', `code=${code}&state=${forged}`, `slack-app-oauth-state=${forged}`],
      ['cancelled by the person', `error=access_denied&state=${fresh}`, `slack-app-oauth-state=${fresh}`],
    ];
    for (const [what, query, cookie] of attempts) {
      const res = await fetch(`${url}/slack/oauth_redirect?${query}`, { headers: cookie ? { cookie } : {} });
      expect(res.status, what).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(await res.text(), what).toMatch(/medbill was not installed[\s\S]*\/slack\/install/);
    }
    // Only a browser's GET finishes an install: a HEAD or a POST does not spend the code.
    for (const method of ['HEAD', 'POST']) {
      const res = await fetch(`${url}/slack/oauth_redirect?code=${code}&state=${fresh}`, { method, headers: { cookie: `slack-app-oauth-state=${fresh}` } });
      expect(res.status).toBe(405);
    }
    expect(fake.of('oauth.v2.access')).toEqual([]);
    expect(await stack.app.storage.installations.get('T0003')).toBeUndefined();
  });

  it('shows Slack\'s refusal of a code on a clear page and stores nothing', async () => {
    const begun = await fetch(`${stack.running.url}/slack/install`, { redirect: 'manual' });
    const state = cookieOf(begun).split('=')[1] ?? '';
    const res = await fetch(`${stack.running.url}/slack/oauth_redirect?code=never-issued&state=${state}`, { headers: { cookie: cookieOf(begun) } });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/Slack refused the install \(invalid_code\)/);
    expect(lines.some((l) => l.event === 'slack-install-failed' && l.fields.slackError === 'invalid_code')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('never-issued');
  });

  it('finishes on another replica an install begun on this one (no state in memory)', async () => {
    const other = await startStack(fake, db, log);
    try {
      const { done } = await install(fake, { team: { id: 'T0004', name: 'Other Replica Dental' } }, stack.running, other.running);
      expect(done.status).toBe(200);
      expect((await stack.app.storage.installations.get('T0004'))?.teamId).toBe('T0004');
    } finally {
      await other.close();
    }
  });

  it('answers a team of an enterprise through its org-wide install, under the enterprise\'s key', async () => {
    const { done } = await install(fake, ORG, stack.running);
    expect(done.status).toBe(200);
    const row = await stack.app.storage.installations.get('E0001');
    expect(row).toMatchObject({ key: 'E0001', enterpriseId: 'E0001', isEnterpriseInstall: true });
    expect(row?.teamId).toBeUndefined();
    fake.clear();
    expect((await send(dm('T0009', 'W0C', 'help', { enterprise: 'E0001' }))).status).toBe(200);
    await fake.waitFor(() => posts().length > 0);
    expect(posts()[0]?.params.channel).toBe('DW0C');
    expect(posts()[0]?.token).toBe(`Bearer ${tokenOf('E0001')}`);
    // The tenant is the installation: the person is remembered under the enterprise, for the digest and later letters.
    await stack.app.inbox.idle();
    const remembered = await stack.app.outbound.reference({ platform: 'slack', tenant: 'E0001', user: 'W0C' });
    expect(remembered).toBeDefined();
  });

  it('forgets a workspace that uninstalls (app_uninstalled, tokens_revoked) and ignores its next event', async () => {
    expect((await send(lifecycle('app_uninstalled', 'T0001'))).status).toBe(200);
    expect(await stack.app.storage.installations.get('T0001')).toBeUndefined();
    expect((await send(lifecycle('tokens_revoked', 'T0002', { tokens: { bot: ['UBOTT0002'] } }))).status).toBe(200);
    expect(await stack.app.storage.installations.get('T0002')).toBeUndefined();
    fake.clear();
    const res = await send(dm('T0001', 'U0A', 'help'));
    expect(res.status).toBe(200); // acknowledged, so Slack does not retry it
    await stack.app.inbox.idle();
    expect(fake.calls).toEqual([]);
    expect(lines.some((l) => l.event === 'slack-not-installed' && l.fields.team === 'T0001')).toBe(true);
    // Another workspace is unaffected.
    await send(dm('T0004', 'U0D', 'help'));
    await fake.waitFor(() => posts().length > 0);
    expect(posts().every((p) => p.token === `Bearer ${tokenOf('T0004')}`)).toBe(true);
    // Writing unasked (a digest) to an uninstalled workspace's channel fails; to an installed one it uses that one's token.
    await expect(stack.app.outbound.send({ platform: 'slack', tenant: 'T0001', channel: 'C0DIGEST1' }, [reply('Today: nothing due.')])).rejects.toThrow(/not installed/);
    fake.clear();
    await stack.app.outbound.send({ platform: 'slack', tenant: 'E0001', channel: 'C0DIGEST2' }, [reply('Today: nothing due.')]);
    expect(posts().map((p) => [p.params.channel, p.token])).toEqual([['C0DIGEST2', `Bearer ${tokenOf('E0001')}`]]);
  });
});

installs('SQLite', async () => ({ dbPath: tempDbPath() }));
describePostgres('PostgreSQL', () => installs('PostgreSQL', async () => ({ dbPath: tempDbPath(), databaseUrl: await freshDatabaseUrl() })));
