/**
 * The Teams app manifest (schema 1.25), built from code: the bot's identity and address from the environment,
 * and the command menu from the flow registry, so a flow added to medbill shows up in Teams' menu without a
 * hand-edited JSON file drifting from what the engine understands.
 *
 * Settings (validated by zod; a problem names the variable, never its value):
 *   MICROSOFT_APP_ID              the bot's Entra app (client) id: the app's id and its bot's id
 *   MEDBILL_PUBLIC_URL            https address where Teams reaches medbill (its host is the valid domain)
 *   MEDBILL_TEAMS_WEBSITE_URL     optional https pages shown on the app's details; default MEDBILL_PUBLIC_URL
 *   MEDBILL_TEAMS_PRIVACY_URL     optional; default the website
 *   MEDBILL_TEAMS_TERMS_URL       optional; default the website
 *   MEDBILL_TEAMS_APP_VERSION     optional MAJOR.MINOR.PATCH; default package.json's version. Teams takes an
 *                                 updated package only with a higher version.
 *   MEDBILL_TEAMS_DEVELOPER_NAME  optional, at most 32 characters; default "medbill"
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../src/config.js';
import { describeZodError } from '../../src/zod-message.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import type { FlowRegistry } from '../../src/engine/registry.js';
import type { Flow } from '../../src/engine/flow.js';
import { GUID, httpsUrl } from './config.js';

export const MANIFEST_VERSION = '1.25';
export const MANIFEST_SCHEMA_URL = `https://developer.microsoft.com/json-schemas/teams/v${MANIFEST_VERSION}/MicrosoftTeams.schema.json`;
/** The app's colour behind the icons in Teams; the colour icon's background (appPackage/color.svg) is the same. */
export const ACCENT_COLOR = '#0E7C7B';
/** The files beside manifest.json in the package, as the manifest names them. */
export const ICON_FILES = { color: 'color.png', outline: 'outline.png' } as const;

/**
 * Teams' command menu limits. Schema 1.25 allows 128-character titles and 4000-character descriptions, but
 * Teams' own reference gives 32 and 128 (the limits of schemas up to 1.20) and the menu shows little more:
 * medbill keeps to the shorter ones, so the menu reads whole on any client.
 */
export const COMMAND_LIMITS = { perList: 12, title: 32, description: 128 } as const;

export interface ManifestSettings {
  appId: string;
  /** The public base URL, e.g. https://medbill.example-dental.com (the messaging endpoint is …/api/messages). */
  publicUrl: string;
  websiteUrl: string;
  privacyUrl: string;
  termsUrl: string;
  version: string;
  developerName: string;
}

export type Scope = 'personal' | 'team' | 'groupChat';
export interface Command { title: string; description: string }
export interface CommandList { scopes: Scope[]; commands: Command[] }

/** The part of the manifest schema medbill writes. */
export interface TeamsManifest {
  $schema: string;
  manifestVersion: typeof MANIFEST_VERSION;
  version: string;
  id: string;
  developer: { name: string; websiteUrl: string; privacyUrl: string; termsOfUseUrl: string };
  name: { short: string; full: string };
  description: { short: string; full: string };
  icons: { color: string; outline: string };
  accentColor: string;
  bots: { botId: string; scopes: Scope[]; supportsFiles: boolean; isNotificationOnly: boolean; commandLists: CommandList[] }[];
  permissions: ('identity' | 'messageTeamMembers')[];
  validDomains: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Settings

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** A string setting whose absence is said as such (zod's own message would be "expected string"). */
const required = (what: string) => z.string({ error: (issue) => (issue.input === undefined ? `is missing: ${what}` : `must be ${what}`) });

const ManifestEnv = z.object({
  MICROSOFT_APP_ID: required("the bot's Entra app (client) id, a GUID").regex(GUID, "must be the bot's Entra app (client) id, a GUID"),
  MEDBILL_PUBLIC_URL: httpsUrl(required("medbill's public https address, e.g. https://medbill.example-dental.com"), true),
  MEDBILL_TEAMS_WEBSITE_URL: httpsUrl(z.string(), false).optional(),
  MEDBILL_TEAMS_PRIVACY_URL: httpsUrl(z.string(), false).optional(),
  MEDBILL_TEAMS_TERMS_URL: httpsUrl(z.string(), false).optional(),
  MEDBILL_TEAMS_APP_VERSION: z.string().regex(SEMVER, 'must be MAJOR.MINOR.PATCH, e.g. 1.0.3 (higher than the package Teams has)').optional(),
  MEDBILL_TEAMS_DEVELOPER_NAME: z.string().min(1).max(32, 'must be at most 32 characters').optional(),
});

/** package.json's version: the app's version unless MEDBILL_TEAMS_APP_VERSION says otherwise. */
function packageVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));
  return typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string' ? pkg.version : '';
}

/** The package's settings from the environment; a ConfigError naming every bad or missing variable. */
export function loadManifestSettings(env: NodeJS.ProcessEnv = process.env): ManifestSettings {
  const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  const parsed = ManifestEnv.safeParse(Object.fromEntries(Object.keys(ManifestEnv.shape).map((k) => [k, blank(env[k])])));
  if (!parsed.success) throw new ConfigError(`Teams app package: ${describeZodError(parsed.error)}`);
  const e = parsed.data;
  const version = e.MEDBILL_TEAMS_APP_VERSION ?? packageVersion();
  if (!SEMVER.test(version)) throw new ConfigError('Teams app package: MEDBILL_TEAMS_APP_VERSION: is missing, and package.json\'s version is not MAJOR.MINOR.PATCH');
  // new URL() normalises the address (a trailing slash on a bare host), so the same setting gives the same manifest.
  const publicUrl = new URL(e.MEDBILL_PUBLIC_URL).href;
  const websiteUrl = e.MEDBILL_TEAMS_WEBSITE_URL ?? publicUrl;
  return {
    appId: e.MICROSOFT_APP_ID.toLowerCase(), publicUrl, websiteUrl,
    privacyUrl: e.MEDBILL_TEAMS_PRIVACY_URL ?? websiteUrl, termsUrl: e.MEDBILL_TEAMS_TERMS_URL ?? websiteUrl,
    version, developerName: e.MEDBILL_TEAMS_DEVELOPER_NAME ?? 'medbill',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Commands

/** A command's description: the flow's menu entry, as help shows it. */
function describe(menu: NonNullable<Flow['menu']>): string {
  return `${menu.label}${/[?!.]$/.test(menu.label) ? '' : ':'} ${menu.example}`;
}

/**
 * One command per flow with a menu entry in personal chat; in team channels and group chats only the commands
 * a flow offers there (no case flows: case details belong in the person's own chat). A flow whose entry breaks
 * Teams' limits is a bug in that flow: thrown, and caught by the tests before any package is built.
 */
export function teamsCommandLists(flows: FlowRegistry): CommandList[] {
  const personal: Command[] = [];
  const shared: Command[] = [];
  for (const flow of flows.all()) {
    if (!flow.menu) continue;
    const description = describe(flow.menu);
    personal.push({ title: flow.menu.words[0], description });
    if (flow.menu.inChannels) for (const title of flow.menu.words) shared.push({ title, description });
  }
  const lists: CommandList[] = [{ scopes: ['personal'], commands: personal }];
  if (shared.length) lists.push({ scopes: ['team', 'groupChat'], commands: shared });
  for (const list of lists) {
    const where = list.scopes.join('/');
    if (list.commands.length > COMMAND_LIMITS.perList) throw new Error(`Teams allows ${COMMAND_LIMITS.perList} commands in ${where}; the flows offer ${list.commands.length}`);
    const seen = new Set<string>();
    for (const c of list.commands) {
      if (!c.title.trim() || c.title.length > COMMAND_LIMITS.title) throw new Error(`Teams command "${c.title}" (${where}): a title has 1 to ${COMMAND_LIMITS.title} characters`);
      if (c.description.length > COMMAND_LIMITS.description) throw new Error(`Teams command "${c.title}" (${where}): its description has ${c.description.length} characters; at most ${COMMAND_LIMITS.description}`);
      if (seen.has(c.title.toLowerCase())) throw new Error(`Teams command "${c.title}" is offered twice in ${where}`);
      seen.add(c.title.toLowerCase());
    }
  }
  return lists;
}

// ---------------------------------------------------------------------------------------------------------------
// The manifest

const DESCRIPTION_SHORT = 'Is a dental procedure billed to medical insurance? Answers, codes and claims.';
const DESCRIPTION_FULL = [
  "medbill helps a dental practice's billing team decide when a procedure is billed to medical insurance first",
  '(trauma, oral surgery, sleep apnea appliances and more): the lane, the codes, the documents the medical plan',
  'asks for, letters of medical necessity, and follow-up on the claims until they are paid.',
  'Describe the case in plain words. Never type patient names, birth dates or member IDs: medbill does not need them.',
  'Case details stay in your personal chat with medbill. A billing channel gets only the daily claims digest:',
  'case IDs, payers, codes and amounts.',
].join(' ');

export function teamsManifest(flows: FlowRegistry, s: ManifestSettings): TeamsManifest {
  return {
    $schema: MANIFEST_SCHEMA_URL,
    manifestVersion: MANIFEST_VERSION,
    version: s.version,
    // The app and its bot share the Entra app id: one registration for the practice's admin to keep.
    id: s.appId,
    developer: { name: s.developerName, websiteUrl: s.websiteUrl, privacyUrl: s.privacyUrl, termsOfUseUrl: s.termsUrl },
    name: { short: 'medbill', full: 'medbill: medical billing for dental procedures' },
    description: { short: DESCRIPTION_SHORT, full: DESCRIPTION_FULL },
    icons: { color: ICON_FILES.color, outline: ICON_FILES.outline },
    accentColor: ACCENT_COLOR,
    bots: [{
      botId: s.appId,
      scopes: ['personal', 'team', 'groupChat'],
      // Letters go out as FileConsentCards in the personal chat, which Teams offers only to bots with files.
      supportsFiles: true,
      isNotificationOnly: false,
      commandLists: teamsCommandLists(flows),
    }],
    // identity: who wrote (the session key); messageTeamMembers: a case from a channel moves to the person's chat.
    permissions: ['identity', 'messageTeamMembers'],
    validDomains: [new URL(s.publicUrl).hostname],
  };
}
