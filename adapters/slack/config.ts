/**
 * Slack's settings from the environment, validated by zod. Slack is on only when its credentials are
 * there; a missing or malformed one stops start-up with a message that names the variable, never its value.
 * Two modes:
 * - one workspace (one practice): SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET (HTTP) or SLACK_APP_TOKEN (Socket Mode);
 * - any workspace that installs the app: SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET, with
 *   MEDBILL_ENCRYPTION_KEY (bot tokens are sealed at rest) and MEDBILL_PUBLIC_URL (where Slack sends installers back).
 */
import { z } from 'zod';
import { ConfigError } from '../../src/config.js';
import { describeZodError } from '../../src/zod-message.js';
import { parseSealingKey, SealingKeyError } from '../../src/privacy/sealing.js';

/** The bot scopes medbill asks for (manifest.json declares the same; a test checks). */
export const SLACK_BOT_SCOPES = ['app_mentions:read', 'channels:history', 'chat:write', 'chat:write.public', 'commands', 'files:write', 'groups:history', 'im:history', 'im:write'] as const;
export const DEFAULT_AUTHORIZE_URL = 'https://slack.com/oauth/v2/authorize';
/** Where Slack sends the installer back (under MEDBILL_PUBLIC_URL). */
export const OAUTH_REDIRECT_PATH = '/slack/oauth_redirect';

const SlackEnv = z.object({
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-[A-Za-z0-9-]{10,}$/, 'must be a bot token: xoxb- followed by letters, digits and dashes').optional(),
  SLACK_SIGNING_SECRET: z.string().regex(/^[A-Za-z0-9]{16,128}$/, 'must be the app\'s signing secret (letters and digits, from Basic Information)').optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-[A-Za-z0-9-]{10,}$/, 'must be an app-level token: xapp- followed by letters, digits and dashes').optional(),
  SLACK_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  SLACK_CLIENT_ID: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be the app\'s Client ID (from Basic Information)').optional(),
  SLACK_CLIENT_SECRET: z.string().regex(/^[A-Za-z0-9]{8,128}$/, 'must be the app\'s Client Secret (letters and digits, from Basic Information)').optional(),
  SLACK_AUTHORIZE_URL: z.url({ protocol: /^https?$/ }).optional(),
  SLACK_SCOPES: z.string().regex(/^[a-z_.:]+(?:[\s,]+[a-z_.:]+)*$/, 'must be Slack scopes separated by commas, e.g. chat:write,commands').optional(),
  MEDBILL_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
});

/** The OAuth install of multi-workspace mode. The secrets are not enumerable: printing the config never shows them. */
export interface SlackOAuthConfig {
  clientId: string;
  readonly clientSecret: string;
  /** MEDBILL_ENCRYPTION_KEY's 32 bytes: seals bot tokens, and (derived) signs the install's state. */
  readonly encryptionKey: Buffer;
  /** `${MEDBILL_PUBLIC_URL}/slack/oauth_redirect` */
  redirectUri: string;
  authorizeUrl: string;
  scopes: string[];
}

export interface SlackConfig {
  /** One workspace: its bot token. Absent in multi-workspace mode (each installation has its own). */
  botToken?: string;
  /** HTTP mode: requests to /slack/events are verified with it. */
  signingSecret?: string;
  /** Socket Mode, for practices that cannot expose a public URL. */
  appToken?: string;
  /** The Web API base; Slack's own unless tests or a proxy point it elsewhere. */
  apiUrl?: string;
  /** Multi-workspace mode: any workspace installs the app through /slack/install. */
  oauth?: SlackOAuthConfig;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function oauthConfig(e: z.infer<typeof SlackEnv>, env: NodeJS.ProcessEnv, clientId: string): SlackOAuthConfig {
  if (!e.SLACK_CLIENT_SECRET) throw new ConfigError('Slack: SLACK_CLIENT_SECRET is missing (SLACK_CLIENT_ID is set: installing into workspaces needs both, from Basic Information)');
  if (e.SLACK_BOT_TOKEN) {
    throw new ConfigError('Slack: set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (any workspace installs the app), not both');
  }
  if (e.SLACK_APP_TOKEN) throw new ConfigError('Slack: SLACK_APP_TOKEN (Socket Mode) is for one workspace; installing into many workspaces receives events over HTTP: unset it');
  if (!e.SLACK_SIGNING_SECRET) throw new ConfigError('Slack: SLACK_SIGNING_SECRET is missing (SLACK_CLIENT_ID is set: events from installed workspaces are verified with it)');
  let encryptionKey: Buffer;
  try {
    encryptionKey = parseSealingKey(env.MEDBILL_ENCRYPTION_KEY);
  } catch (err) {
    if (err instanceof SealingKeyError) throw new ConfigError(`Slack: ${err.message}`);
    throw err;
  }
  if (!e.MEDBILL_PUBLIC_URL) throw new ConfigError(`Slack: MEDBILL_PUBLIC_URL is missing: the https address Slack reaches medbill at (installers come back to it at ${OAUTH_REDIRECT_PATH})`);
  const publicUrl = new URL(e.MEDBILL_PUBLIC_URL);
  if (publicUrl.protocol !== 'https:' && !LOOPBACK.has(publicUrl.hostname)) throw new ConfigError('Slack: MEDBILL_PUBLIC_URL must be https (http only for a loopback address while testing)');
  if (publicUrl.search || publicUrl.hash) throw new ConfigError('Slack: MEDBILL_PUBLIC_URL must be a plain address, without ? or #');
  const scopes = e.SLACK_SCOPES ? e.SLACK_SCOPES.split(/[\s,]+/).filter(Boolean) : [...SLACK_BOT_SCOPES];
  const config = {
    clientId, redirectUri: `${publicUrl.origin}${publicUrl.pathname.replace(/\/+$/, '')}${OAUTH_REDIRECT_PATH}`,
    authorizeUrl: e.SLACK_AUTHORIZE_URL ?? DEFAULT_AUTHORIZE_URL, scopes,
  };
  Object.defineProperty(config, 'clientSecret', { value: e.SLACK_CLIENT_SECRET, enumerable: false });
  Object.defineProperty(config, 'encryptionKey', { value: encryptionKey, enumerable: false });
  return config as SlackOAuthConfig;
}

/** undefined when Slack is not configured at all. */
export function loadSlackConfig(env: NodeJS.ProcessEnv = process.env): SlackConfig | undefined {
  const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  const names = ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'SLACK_API_URL', 'SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_AUTHORIZE_URL', 'SLACK_SCOPES', 'MEDBILL_PUBLIC_URL'] as const;
  const raw = Object.fromEntries(names.map((n) => [n, blank(env[n])]));
  const parsed = SlackEnv.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`Slack: ${describeZodError(parsed.error)}`);
  }
  const e = parsed.data;
  const apiUrl = e.SLACK_API_URL ? { apiUrl: e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/` } : {};
  if (e.SLACK_CLIENT_ID) {
    const oauth = oauthConfig(e, env, e.SLACK_CLIENT_ID);
    return { signingSecret: e.SLACK_SIGNING_SECRET ?? '', ...apiUrl, oauth };
  }
  if (e.SLACK_CLIENT_SECRET) throw new ConfigError('Slack: SLACK_CLIENT_ID is missing (SLACK_CLIENT_SECRET is set: installing into workspaces needs both)');
  if (!e.SLACK_BOT_TOKEN && !e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) return undefined;
  if (!e.SLACK_BOT_TOKEN) throw new ConfigError('Slack: SLACK_BOT_TOKEN is missing (SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set, and both need the bot token; or set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for any workspace to install the app)');
  if (!e.SLACK_SIGNING_SECRET && !e.SLACK_APP_TOKEN) {
    throw new ConfigError('Slack: set SLACK_SIGNING_SECRET (to receive events over HTTP at /slack/events) or SLACK_APP_TOKEN (Socket Mode)');
  }
  return {
    botToken: e.SLACK_BOT_TOKEN,
    ...(e.SLACK_SIGNING_SECRET ? { signingSecret: e.SLACK_SIGNING_SECRET } : {}),
    ...(e.SLACK_APP_TOKEN ? { appToken: e.SLACK_APP_TOKEN } : {}),
    ...apiUrl,
  };
}
