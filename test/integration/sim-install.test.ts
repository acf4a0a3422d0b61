/**
 * The simulation's OAuth (sim/install.ts against the fake of Slack's authorize page and oauth.v2.access) works with
 * Slack's own installer, @slack/oauth's InstallProvider, as Bolt runs it: the state cookie checked, a distinct bot
 * token per workspace, and auth.test answering with the token's workspace. So a failing `npm run sim` install is
 * medbill's, not the harness's.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InstallProvider, type Installation } from '@slack/oauth';
import { LogLevel, type Logger } from '@slack/logger';
import { startSlackFake, type SlackFake } from '../../sim/fake.js';
import { install } from '../../sim/install.js';

describe("the simulation's OAuth installs", () => {
  let fake: SlackFake | undefined;
  let server: Server | undefined;
  afterEach(() => {
    fake?.stop();
    server?.close();
  });

  it('install workspaces through Slack\'s own installer, each with a bot token of its own', async () => {
    const client = { id: '1111111111.2222222222', secret: '0123456789abcdef0123456789abcdef' };
    fake = await startSlackFake(client);
    const installs = new Map<string, Installation>();
    // The refused redirect below is expected: the installer's own error line would only be noise.
    const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };
    const provider = new InstallProvider({
      clientId: client.id, clientSecret: client.secret, stateSecret: 'sim-state-secret', directInstall: true, logger: quiet,
      authorizationUrl: fake.authorizeUrl, clientOptions: { slackApiUrl: fake.apiUrl },
      installationStore: {
        storeInstallation: async (i) => { if (i.team) installs.set(i.team.id, i); },
        fetchInstallation: async () => { throw new Error('not asked here'); },
      },
    });
    // The redirect URI is the public https address; install() sends the browser's request to this server instead.
    const redirectUri = 'https://medbill-sim.invalid/slack/oauth_redirect';
    server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (path === '/slack/install') return void provider.handleInstallPath(req, res, {}, { scopes: ['app_mentions:read', 'chat:write'], redirectUri });
      if (path === '/slack/oauth_redirect') {
        return void provider.handleCallback(req, res, {
          success: (_i, _o, _rq, rs) => { rs.writeHead(200); rs.end('installed'); },
          failure: (_e, _o, _rq, rs) => { rs.writeHead(500); rs.end('failed'); },
        });
      }
      res.writeHead(404);
      res.end();
    });
    const listening = server;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;

    await install(url, 'TS0007');
    await install(url, 'TS0008');
    const { tokens, calls } = await fake.record();
    const a = installs.get('TS0007')?.bot;
    const b = installs.get('TS0008')?.bot;
    expect(a?.token).toMatch(/^xoxb-/);
    expect(b?.token).toMatch(/^xoxb-/);
    expect(a?.token).not.toBe(b?.token);
    expect(tokens[a?.token ?? '']).toBe('TS0007');
    expect(tokens[b?.token ?? '']).toBe('TS0008');
    expect(a?.userId).toBe('UBOTTS0007');
    expect(calls.map((c) => c.method)).toEqual(['authorize', 'oauth.v2.access', 'auth.test', 'authorize', 'oauth.v2.access', 'auth.test']);
    // Without the state cookie the installer refuses the redirect: install() is not getting through by luck.
    const page = await fetch(`${url}/slack/install`, { redirect: 'manual' });
    const authorize = new URL(page.headers.get('location') ?? '');
    authorize.searchParams.set('team', 'TS0009');
    const back = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location') ?? '');
    expect((await fetch(`${url}${back.pathname}${back.search}`)).status).toBe(500);
    expect(installs.has('TS0009')).toBe(false);
  });
});
