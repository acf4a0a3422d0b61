/** The Slack app manifest matches the handlers, and Slack's configuration fails clearly. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SLACK_SURFACE } from '../../adapters/slack/adapter.js';
import { loadSlackConfig, OAUTH_REDIRECT_PATH, SLACK_BOT_SCOPES } from '../../adapters/slack/config.js';
import { loadTeamsConfig } from '../../adapters/teams/config.js';
import { ROOT, cli } from '../helpers.js';

const manifest = JSON.parse(readFileSync(join(ROOT, 'manifest.json'), 'utf8'));

describe('manifest.json', () => {
  // SLACK_SURFACE is what the adapter registers (its event handlers are a record keyed by it), and
  // test/integration/slack.test.ts drives every entry over HTTP; here it must equal the manifest, both ways.
  it('declares exactly the slash command, events, shortcut and interactivity that are handled', () => {
    expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual([SLACK_SURFACE.command]);
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual([...SLACK_SURFACE.botEvents].sort());
    expect(manifest.features.shortcuts).toEqual([expect.objectContaining({ type: 'message', callback_id: SLACK_SURFACE.messageShortcut })]);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    for (const url of [manifest.settings.event_subscriptions.request_url, manifest.settings.interactivity.request_url, manifest.features.slash_commands[0].url]) {
      expect(new URL(url).pathname).toBe(SLACK_SURFACE.eventsPath);
    }
  });

  // files:write: charts and letters uploaded; chat:write.public: the digest in a channel medbill was not invited to;
  // channels:history and groups:history: finding its own digest post again after a crash (conversations.history).
  it('asks only for the scopes the handlers use', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(['app_mentions:read', 'channels:history', 'chat:write', 'chat:write.public', 'commands', 'files:write', 'groups:history', 'im:history', 'im:write']);
    // An install through /slack/install asks for the same ones (unless SLACK_SCOPES says otherwise).
    expect([...SLACK_BOT_SCOPES].sort()).toEqual([...manifest.oauth_config.scopes.bot].sort());
  });

  it('sends installers back to /slack/oauth_redirect and tells medbill when a workspace removes it', () => {
    expect(manifest.oauth_config.redirect_urls.map((u: string) => new URL(u).pathname)).toEqual([OAUTH_REDIRECT_PATH]);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(expect.arrayContaining(['app_uninstalled', 'tokens_revoked']));
  });
});

/** The message loadSlackConfig refuses `env` with; undefined when it accepts it (then the message check fails). */
function refusal(env: NodeJS.ProcessEnv): string | undefined {
  try {
    loadSlackConfig(env);
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

describe('Slack configuration', () => {
  it('is off when no Slack variable is set', () => {
    expect(loadSlackConfig({})).toBeUndefined();
    expect(loadSlackConfig({ SLACK_BOT_TOKEN: '  ' })).toBeUndefined();
  });

  it('accepts HTTP mode and Socket Mode, with an optional Web API base', () => {
    expect(loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1234-5678-abcdef', SLACK_SIGNING_SECRET: 'abcdef0123456789abcdef0123456789' })).toEqual({ botToken: 'xoxb-1234-5678-abcdef', signingSecret: 'abcdef0123456789abcdef0123456789' });
    expect(loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-1234-5678-abcdef', SLACK_APP_TOKEN: 'xapp-1-A111-222-abcdef', SLACK_API_URL: 'http://127.0.0.1:4000/api' })).toEqual({ botToken: 'xoxb-1234-5678-abcdef', appToken: 'xapp-1-A111-222-abcdef', apiUrl: 'http://127.0.0.1:4000/api/' });
  });

  const bad: [string, NodeJS.ProcessEnv, RegExp][] = [
    ['a user token instead of a bot token', { SLACK_BOT_TOKEN: 'xoxp-1234-5678-secretvalue', SLACK_SIGNING_SECRET: 'abcdef0123456789' }, /SLACK_BOT_TOKEN: must be a bot token/],
    ['a signing secret with spaces', { SLACK_BOT_TOKEN: 'xoxb-1234-5678-abcdef', SLACK_SIGNING_SECRET: 'not a secret value' }, /SLACK_SIGNING_SECRET: must be/],
    ['a signing secret without a token', { SLACK_SIGNING_SECRET: 'abcdef0123456789' }, /SLACK_BOT_TOKEN is missing/],
    ['a token with neither secret nor app token', { SLACK_BOT_TOKEN: 'xoxb-1234-5678-abcdef' }, /SLACK_SIGNING_SECRET .* or SLACK_APP_TOKEN/],
    ['an app token of the wrong kind', { SLACK_BOT_TOKEN: 'xoxb-1234-5678-abcdef', SLACK_APP_TOKEN: 'xoxb-1234-5678-abcdef' }, /SLACK_APP_TOKEN: must be an app-level token/],
    ['a Web API base that is not a URL', { SLACK_BOT_TOKEN: 'xoxb-1234-5678-abcdef', SLACK_SIGNING_SECRET: 'abcdef0123456789', SLACK_API_URL: 'slack' }, /SLACK_API_URL/],
  ];
  it.each(bad)('refuses %s with a message that names the variable, not its value', (_what, env, message) => {
    const refused = refusal(env);
    expect(refused).toMatch(message);
    for (const value of Object.values(env)) if (value !== undefined) expect(refused).not.toContain(value);
  });

  // ------------------------------------------------------------ any workspace installs the app
  const KEY = 'ab'.repeat(32);
  const many = { SLACK_CLIENT_ID: '1234567890.0987654321', SLACK_CLIENT_SECRET: 'clientsecretvalue0011', SLACK_SIGNING_SECRET: 'abcdef0123456789', MEDBILL_ENCRYPTION_KEY: KEY, MEDBILL_PUBLIC_URL: 'https://medbill.example.com/' };

  it('turns on multi-workspace mode with the client id and secret, and keeps the secrets out of what is printed', () => {
    const config = loadSlackConfig(many);
    expect(config).toEqual({
      signingSecret: 'abcdef0123456789',
      oauth: { clientId: '1234567890.0987654321', redirectUri: 'https://medbill.example.com/slack/oauth_redirect', authorizeUrl: 'https://slack.com/oauth/v2/authorize', scopes: [...SLACK_BOT_SCOPES] },
    });
    expect(config?.botToken).toBeUndefined();
    expect(config?.oauth?.clientSecret).toBe('clientsecretvalue0011');
    expect(config?.oauth?.encryptionKey).toEqual(Buffer.from(KEY, 'hex'));
    expect(JSON.stringify(config)).not.toMatch(/clientsecretvalue|abab/);
    const custom = loadSlackConfig({ ...many, MEDBILL_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), MEDBILL_PUBLIC_URL: 'http://127.0.0.1:4000', SLACK_AUTHORIZE_URL: 'http://127.0.0.1:5000/oauth/v2/authorize', SLACK_SCOPES: 'chat:write, commands', SLACK_API_URL: 'http://127.0.0.1:5000/api' });
    expect(custom?.oauth).toMatchObject({ redirectUri: 'http://127.0.0.1:4000/slack/oauth_redirect', authorizeUrl: 'http://127.0.0.1:5000/oauth/v2/authorize', scopes: ['chat:write', 'commands'] });
    expect(custom?.apiUrl).toBe('http://127.0.0.1:5000/api/');
  });

  const badMany: [string, NodeJS.ProcessEnv, RegExp][] = [
    ['both a bot token and a client id', { ...many, SLACK_BOT_TOKEN: 'xoxb-1234-5678-abcdef' }, /either SLACK_BOT_TOKEN .* or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET .* not both/],
    ['a client id without its secret', { ...many, SLACK_CLIENT_SECRET: '' }, /SLACK_CLIENT_SECRET is missing/],
    ['a client secret without its id', { ...many, SLACK_CLIENT_ID: '' }, /SLACK_CLIENT_ID is missing/],
    ['no signing secret', { ...many, SLACK_SIGNING_SECRET: '' }, /SLACK_SIGNING_SECRET is missing/],
    ['no encryption key', { ...many, MEDBILL_ENCRYPTION_KEY: undefined }, /MEDBILL_ENCRYPTION_KEY is missing.*openssl rand -hex 32/],
    ['a short encryption key', { ...many, MEDBILL_ENCRYPTION_KEY: 'ab'.repeat(16) }, /MEDBILL_ENCRYPTION_KEY must be 32 random bytes.*openssl rand -hex 32/],
    ['no public URL', { ...many, MEDBILL_PUBLIC_URL: undefined }, /MEDBILL_PUBLIC_URL is missing/],
    ['a plain-http public URL that is not loopback', { ...many, MEDBILL_PUBLIC_URL: 'http://medbill.example.com' }, /MEDBILL_PUBLIC_URL must be https/],
    ['Socket Mode with many workspaces', { ...many, SLACK_APP_TOKEN: 'xapp-1-A111-222-abcdef' }, /SLACK_APP_TOKEN .* unset it/],
    ['scopes that are not scopes', { ...many, SLACK_SCOPES: 'chat:write; DROP' }, /SLACK_SCOPES: must be Slack scopes/],
  ];
  it.each(badMany)('refuses %s, naming the variable and not its value', (_what, env, message) => {
    const refused = refusal(env);
    expect(refused).toMatch(message);
    for (const value of [env.SLACK_CLIENT_SECRET, env.MEDBILL_ENCRYPTION_KEY, env.SLACK_BOT_TOKEN]) if (value) expect(refused).not.toContain(value);
  });

  it('lets MEDBILL_PUBLIC_URL be http on loopback for Slack\'s installs while Teams (which needs https) is off', () => {
    expect(loadTeamsConfig({ ...many, MEDBILL_PUBLIC_URL: 'http://127.0.0.1:4000' })).toBeUndefined();
    expect(() => loadTeamsConfig({ MEDBILL_TEAMS_DEV: '1', MEDBILL_PUBLIC_URL: 'http://127.0.0.1:4000' })).toThrow(/MEDBILL_PUBLIC_URL: must start with https/);
  });

  it('stops medbill serve at start-up when the encryption key is missing or short, saying how to make one', () => {
    const { code, err } = cli(['serve'], undefined, { ...many, MEDBILL_ENCRYPTION_KEY: 'ab'.repeat(20), PORT: '0' });
    expect(code).toBe(2);
    expect(err).toMatch(/MEDBILL_ENCRYPTION_KEY must be 32 random bytes.*openssl rand -hex 32/);
    expect(err).not.toContain('ab'.repeat(20));
    expect(err).not.toContain('clientsecretvalue0011');
  });

  it('stops medbill serve at start-up with exit 2 and the message', () => {
    const { code, err } = cli(['serve'], undefined, { SLACK_BOT_TOKEN: 'xoxp-1234-5678-secretvalue', SLACK_SIGNING_SECRET: 'abcdef0123456789', PORT: '0' });
    expect(code).toBe(2);
    expect(err).toMatch(/SLACK_BOT_TOKEN: must be a bot token/);
    expect(err).not.toContain('secretvalue');
  });
});
