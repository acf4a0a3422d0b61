/**
 * Slack's settings from the environment, validated by zod. Slack is on only when its credentials are
 * there; a missing or malformed one stops start-up with a message that names the variable, never its value.
 */
import { z } from 'zod';
import { ConfigError } from '../../src/config.js';
import { describeZodError } from '../../src/zod-message.js';

const SlackEnv = z.object({
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-[A-Za-z0-9-]{10,}$/, 'must be a bot token: xoxb- followed by letters, digits and dashes').optional(),
  SLACK_SIGNING_SECRET: z.string().regex(/^[A-Za-z0-9]{16,128}$/, 'must be the app\'s signing secret (letters and digits, from Basic Information)').optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-[A-Za-z0-9-]{10,}$/, 'must be an app-level token: xapp- followed by letters, digits and dashes').optional(),
  SLACK_API_URL: z.url({ protocol: /^https?$/ }).optional(),
});

export interface SlackConfig {
  botToken: string;
  /** HTTP mode: requests to /slack/events are verified with it. */
  signingSecret?: string;
  /** Socket Mode, for practices that cannot expose a public URL. */
  appToken?: string;
  /** The Web API base; Slack's own unless tests or a proxy point it elsewhere. */
  apiUrl?: string;
}

/** undefined when Slack is not configured at all. */
export function loadSlackConfig(env: NodeJS.ProcessEnv = process.env): SlackConfig | undefined {
  const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  const raw = {
    SLACK_BOT_TOKEN: blank(env.SLACK_BOT_TOKEN), SLACK_SIGNING_SECRET: blank(env.SLACK_SIGNING_SECRET),
    SLACK_APP_TOKEN: blank(env.SLACK_APP_TOKEN), SLACK_API_URL: blank(env.SLACK_API_URL),
  };
  const parsed = SlackEnv.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`Slack: ${describeZodError(parsed.error)}`);
  }
  const e = parsed.data;
  if (!e.SLACK_BOT_TOKEN && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) return undefined;
  if (!e.SLACK_BOT_TOKEN) throw new ConfigError('Slack: SLACK_BOT_TOKEN is missing (SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set, and both need the bot token)');
  if (!e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) {
    throw new ConfigError('Slack: set SLACK_SIGNING_SECRET (to receive events over HTTP at /slack/events) or SLACK_APP_TOKEN (Socket Mode)');
  }
  return {
    botToken: e.SLACK_BOT_TOKEN,
    ...(e.SLACK_SIGNING_SECRET ? { signingSecret: e.SLACK_SIGNING_SECRET } : {}),
    ...(e.SLACK_APP_TOKEN ? { appToken: e.SLACK_APP_TOKEN } : {}),
    ...(e.SLACK_API_URL ? { apiUrl: e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/` } : {}),
  };
}
