/** The Slack app manifest matches the handlers, and Slack's configuration fails clearly. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SLACK_SURFACE } from '../../adapters/slack/adapter.js';
import { loadSlackConfig } from '../../adapters/slack/config.js';
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
  });
});

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
    let error: Error | undefined;
    try {
      loadSlackConfig(env);
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).toMatch(message);
    for (const value of Object.values(env)) expect(error!.message).not.toContain(value!);
  });

  it('stops medbill serve at start-up with exit 2 and the message', () => {
    const { code, err } = cli(['serve'], undefined, { SLACK_BOT_TOKEN: 'xoxp-1234-5678-secretvalue', SLACK_SIGNING_SECRET: 'abcdef0123456789', PORT: '0' });
    expect(code).toBe(2);
    expect(err).toMatch(/SLACK_BOT_TOKEN: must be a bot token/);
    expect(err).not.toContain('secretvalue');
  });
});
