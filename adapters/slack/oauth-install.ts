/**
 * Installing medbill into a Slack workspace (OAuth v2), for a deployment any workspace can install:
 * - GET /slack/install: @slack/oauth's InstallProvider (directInstall) answers 302 to Slack's authorize page with
 *   client_id, scope, state and redirect_uri, and sets the state in a cookie. The state is a signed, expiring
 *   token (its ClearStateStore, keyed by a secret derived from MEDBILL_ENCRYPTION_KEY), so nothing is kept in a
 *   process: any replica behind the same key finishes an install another began.
 * - GET /slack/oauth_redirect?code=&state=: the state must match the cookie and verify; the code is exchanged
 *   with oauth.v2.access; the bot token is sealed and the installation stored. The exchange is done here rather
 *   than by InstallProvider.handleCallback, which needs a user token in Slack's answer (`authed_user`) and stores
 *   the token in the clear through its own store interface.
 * Every answer is a short page for the person installing; logs carry Slack's error code, never a secret.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import slackOAuth from '@slack/oauth';
import { webApi } from '@slack/bolt';
import { z } from 'zod';
import { HttpError } from '../../src/http.js';
import { errorFields, type Logger } from '../../src/log.js';
import { deriveSecret, type Sealer } from '../../src/privacy/sealing.js';
import { installationKey, type InstallationStore } from '../../src/store/installations.js';
import type { AdapterRoute } from '../../src/engine/chat-adapter.js';
import { OAUTH_REDIRECT_PATH, type SlackOAuthConfig } from './config.js';
import { webApiFetch } from './web-fetch.js';

export const INSTALL_PATH = '/slack/install';
/** @slack/oauth's cookie name and life (10 minutes), kept so a browser's install works whichever side reads it. */
const STATE_COOKIE = 'slack-app-oauth-state';
const STATE_SECONDS = 600;

/** What oauth.v2.access answers for a bot install (the fields medbill keeps). */
const Granted = z.looseObject({
  ok: z.literal(true),
  access_token: z.string().regex(/^xoxb-/),
  token_type: z.literal('bot').optional(),
  scope: z.string().max(4000),
  bot_user_id: z.string().min(1).max(200),
  app_id: z.string().min(1).max(200),
  team: z.looseObject({ id: z.string().min(1).max(200), name: z.string().max(500).optional() }).nullable().optional(),
  enterprise: z.looseObject({ id: z.string().min(1).max(200), name: z.string().max(500).optional() }).nullable().optional(),
  is_enterprise_install: z.boolean().optional(),
});

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res: ServerResponse, status: number, title: string, text: string, headers: Record<string, string | string[]> = {}) {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`
    + `<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></body></html>`;
  res.writeHead(status, { ...headers, 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

// GET only: a HEAD of the redirect would spend the code without showing the person anything.
const getOnly = (req: IncomingMessage, path: string) => {
  if (req.method !== 'GET') throw new HttpError(405, `${req.method ?? 'this method'} is not allowed on ${path}`, { allow: 'GET' });
};

/** An error code from the query or from Slack, as logged and shown: Slack's codes are snake_case words; anything else is not repeated. */
const errorCode = (value: string | null | undefined) => (value && /^[a-z0-9_]{1,60}$/.test(value) ? value : 'other');

export function oauthInstallRoutes(opts: {
  oauth: SlackOAuthConfig; installations: InstallationStore; sealer: Sealer; log: Logger;
  /** The Web API base (SLACK_API_URL) with a trailing slash; Slack's own when absent. */
  apiUrl?: string;
  now?: () => number;
}): AdapterRoute[] {
  const { oauth, installations, sealer, log } = opts;
  const now = opts.now ?? Date.now;
  const stateStore = new slackOAuth.ClearStateStore(deriveSecret(oauth.encryptionKey, 'slack oauth state').toString('hex'), STATE_SECONDS);
  const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, setLevel: () => {}, getLevel: () => slackOAuth.LogLevel.ERROR, setName: () => {} };
  const installer = new slackOAuth.InstallProvider({
    clientId: oauth.clientId, clientSecret: oauth.clientSecret, stateStore, directInstall: true, authorizationUrl: oauth.authorizeUrl,
    stateCookieName: STATE_COOKIE, stateCookieExpirationSeconds: STATE_SECONDS, logger: quiet,
    installUrlOptions: { scopes: oauth.scopes, redirectUri: oauth.redirectUri },
  });
  const clientOptions = { ...(opts.apiUrl ? { slackApiUrl: opts.apiUrl } : {}), retryConfig: { retries: 1 }, timeout: 15_000, logger: quiet, fetch: webApiFetch };
  const slack = new webApi.WebClient(undefined, clientOptions);
  const clearCookie = `${STATE_COOKIE}=deleted; Secure; HttpOnly; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
  const again = `Start again from ${INSTALL_PATH}.`;

  async function begin(req: IncomingMessage, res: ServerResponse) {
    getOnly(req, INSTALL_PATH);
    await installer.handleInstallPath(req, res);
  }

  async function finish(req: IncomingMessage, res: ServerResponse) {
    getOnly(req, OAUTH_REDIRECT_PATH);
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const refused = (title: string, text: string, status = 400) => page(res, status, title, text, { 'set-cookie': clearCookie });
    if (query.get('error')) {
      const reason = errorCode(query.get('error'));
      log.log('info', 'slack-install-cancelled', { reason });
      return refused('medbill was not installed', `Slack says the install was not approved (${reason}). ${again}`);
    }
    const code = query.get('code');
    const state = query.get('state');
    const cookie = cookieValue(req, STATE_COOKIE);
    if (!code || !state) return refused('medbill was not installed', `This address needs the code and state Slack adds to it. ${again}`);
    // The cookie proves this browser began the install here (no one else's link can finish it); the state's
    // signature and age prove medbill issued it in the last ten minutes.
    if (!cookie || cookie !== state) {
      log.log('warn', 'slack-install-refused', { reason: cookie ? 'state-mismatch' : 'no-state-cookie' });
      return refused('medbill was not installed', `This install was not begun in this browser, or its cookie expired. ${again}`);
    }
    let redirectUri = oauth.redirectUri;
    try {
      const options = await stateStore.verifyStateParam(new Date(now()), state);
      redirectUri = options.redirectUri ?? redirectUri;
    } catch {
      log.log('warn', 'slack-install-refused', { reason: 'bad-state' });
      return refused('medbill was not installed', `This install link is not medbill's, or it is more than ten minutes old. ${again}`);
    }

    let answer: unknown;
    try {
      answer = await slack.apiCall('oauth.v2.access', { client_id: oauth.clientId, client_secret: oauth.clientSecret, code, redirect_uri: redirectUri });
    } catch (err) {
      const e = err as { code?: string; data?: { error?: string } };
      if (e.code === 'slack_webapi_platform_error') {
        const slackError = errorCode(e.data?.error);
        log.log('warn', 'slack-install-failed', { slackError });
        return refused('medbill was not installed', `Slack refused the install (${slackError}). ${again}`);
      }
      log.log('error', 'slack-install-failed', errorFields(err));
      return refused('medbill was not installed', `medbill could not reach Slack to finish the install. Try again in a minute: ${again}`, 502);
    }
    const granted = Granted.safeParse(answer);
    if (!granted.success) {
      log.log('error', 'slack-install-failed', { reason: 'unexpected-answer' });
      return refused('medbill was not installed', `Slack's answer was not a bot install medbill understands. ${again}`, 502);
    }
    const g = granted.data;
    const isEnterpriseInstall = g.is_enterprise_install ?? false;
    const teamId = g.team?.id;
    const enterpriseId = g.enterprise?.id;
    const key = installationKey({ teamId, enterpriseId, isEnterpriseInstall });
    const botId = await botIdOf(g.access_token);
    await installations.put({
      key, isEnterpriseInstall, botUserId: g.bot_user_id, appId: g.app_id, scopes: g.scope.split(',').filter(Boolean),
      installedAt: now(), sealedBotToken: sealer.seal(g.access_token, key),
      ...(teamId && !isEnterpriseInstall ? { teamId } : {}), ...(enterpriseId ? { enterpriseId } : {}), ...(botId ? { botId } : {}),
    });
    log.log('info', 'slack-installed', { installation: key, enterprise: isEnterpriseInstall });
    const where = (isEnterpriseInstall ? g.enterprise?.name : g.team?.name) ?? (isEnterpriseInstall ? 'your organisation' : 'your workspace');
    page(res, 200, 'medbill is installed', `medbill is installed in ${where}. Open Slack and send medbill a direct message, or type /medbill help.`, { 'set-cookie': clearCookie });
  }

  /** The bot's B… id (Bolt uses it to skip the bot's own messages): asked once, at install; an install does not fail without it. */
  async function botIdOf(token: string): Promise<string | undefined> {
    try {
      const res = await new webApi.WebClient(token, { ...clientOptions, retryConfig: { retries: 0 } }).auth.test();
      return typeof res.bot_id === 'string' ? res.bot_id : undefined;
    } catch (err) {
      log.log('warn', 'slack-install-no-bot-id', errorFields(err));
      return undefined;
    }
  }

  return [{ path: INSTALL_PATH, handle: begin }, { path: OAUTH_REDIRECT_PATH, handle: finish }];
}
