/**
 * The chat app's installations into workspaces (Slack's OAuth v2 installs), for the whole deployment, not for
 * one practice: which workspace or Enterprise Grid organisation, the bot's ids and scopes, and its bot token
 * SEALED (src/privacy/sealing.ts). The store never sees a plaintext token: sealing happens above it.
 * An installation's key is its enterprise id for an org-wide install, else its team id.
 */

export interface Installation {
  /** installationKey(): the enterprise id for an org-wide install, else the team id. */
  key: string;
  /** Absent for an org-wide install (it serves every team of its enterprise). */
  teamId?: string;
  enterpriseId?: string;
  isEnterpriseInstall: boolean;
  botUserId: string;
  /** Slack's B… id of the bot, when auth.test gave it. */
  botId?: string;
  appId: string;
  scopes: string[];
  /** ms since epoch */
  installedAt: number;
  /** The bot token as sealed for this key; never the token itself. */
  sealedBotToken: string;
}

/** What an incoming request says about where it comes from. */
export interface InstallationQuery { teamId?: string | undefined; enterpriseId?: string | undefined; isEnterpriseInstall?: boolean | undefined }

export interface InstallationStore {
  /** Stores it, replacing any installation under the same key (a reinstall, new scopes, a new token). */
  put(installation: Installation): Promise<void>;
  get(key: string): Promise<Installation | undefined>;
  /** The installation that serves a request: the team's own, else its enterprise's org-wide one. */
  find(query: InstallationQuery): Promise<Installation | undefined>;
  /** Removes it (and its sealed token); false when there was none. */
  delete(key: string): Promise<boolean>;
}

/** The key an installation is stored under. */
export function installationKey(i: { teamId?: string | undefined; enterpriseId?: string | undefined; isEnterpriseInstall: boolean }): string {
  const key = i.isEnterpriseInstall ? i.enterpriseId : i.teamId;
  if (!key) throw new RangeError(i.isEnterpriseInstall ? 'an org-wide installation needs its enterprise id' : 'an installation needs its team id');
  return key;
}

/** find() in terms of get(), the same for every store: an org install is found under its enterprise id for any of its teams. */
export async function findInstallation(get: (key: string) => Promise<Installation | undefined>, q: InstallationQuery): Promise<Installation | undefined> {
  if (!q.isEnterpriseInstall && q.teamId) {
    const own = await get(q.teamId);
    if (own && !own.isEnterpriseInstall) return own;
  }
  if (q.enterpriseId) {
    const org = await get(q.enterpriseId);
    if (org?.isEnterpriseInstall) return org;
  }
  return undefined;
}
