/**
 * The workspaces medbill is installed in (multi-workspace mode): which installation serves a request, and its
 * bot token for one delivery. The token is unsealed where it is used and not kept: Bolt's `authorize` gets
 * the installation's ids but no token (Bolt would keep a client per token for the life of the process), and
 * each delivery looks its installation up again, so an uninstall stops the very next one, on every replica.
 */
import type { Logger } from '../../src/log.js';
import type { Sealer } from '../../src/privacy/sealing.js';
import type { InstallationQuery, InstallationStore } from '../../src/store/installations.js';

/** No installation serves this workspace (never installed, or uninstalled since). */
export class NotInstalledError extends Error {
  override readonly name = 'NotInstalledError';
}

/** The context property that carries the installation key (the turn's tenant) from `authorize` to the listeners. */
export const TENANT_PROPERTY = 'medbillTenant';

export interface Workspaces {
  /** Bolt's authorize: the installation's ids and key; throws NotInstalledError (Bolt then acknowledges and ignores). */
  authorize(source: InstallationQuery): Promise<{ botUserId: string; botId?: string; [TENANT_PROPERTY]: string }>;
  /** The bot token of the installation under `key`, for one use. */
  token(key: string): Promise<string>;
  /** app_uninstalled, tokens_revoked: the installation and its sealed token are gone. */
  forget(key: string): Promise<boolean>;
}

export function workspaces(opts: { installations: InstallationStore; sealer: Sealer; log: Logger }): Workspaces {
  const { installations, sealer, log } = opts;
  return {
    async authorize(source) {
      const found = await installations.find(source);
      if (!found) {
        // Team and enterprise ids are Slack's workspace ids: no secret, no patient.
        log.log('warn', 'slack-not-installed', { team: source.teamId ?? '', enterprise: source.enterpriseId ?? '' });
        throw new NotInstalledError('medbill is not installed in this workspace');
      }
      return { botUserId: found.botUserId, ...(found.botId ? { botId: found.botId } : {}), [TENANT_PROPERTY]: found.key };
    },
    async token(key) {
      const found = await installations.get(key);
      if (!found) throw new NotInstalledError(`medbill is not installed in ${key} (any more)`);
      return sealer.unseal(found.sealedBotToken, found.key);
    },
    async forget(key) {
      const gone = await installations.delete(key);
      log.log('info', 'slack-uninstalled', { installation: key, removed: gone });
      return gone;
    },
  };
}
