/**
 * Teams' settings from the environment, validated by zod. Teams is on when MICROSOFT_APP_ID is set (requests
 * to /api/messages must then carry a Bot Framework JWT for that app), or, for local trials only, with
 * MEDBILL_TEAMS_DEV=1 and no app id: requests are then accepted without a token, which is refused when
 * NODE_ENV=production. A missing or malformed variable stops start-up with a message naming it, never its value.
 */
import { accessSync, constants } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../../src/config.js';
import { describeZodError } from '../../src/zod-message.js';

/** An Entra id (app, tenant): also checked by the app package's settings (manifest.ts). */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An https address; `base` also refuses what a base URL cannot carry (a login, a query, a fragment, localhost). */
export function httpsUrl(schema: z.ZodString, base: boolean) {
  return schema.superRefine((value, ctx) => {
    const url = URL.canParse(value) ? new URL(value) : undefined;
    const problem = !url ? 'is not a URL'
      : url.protocol !== 'https:' ? 'must start with https:// (Teams talks to medbill only over TLS)'
        : url.username || url.password ? 'must not carry a user name or password'
          : base && (url.search || url.hash) ? 'must be a base address, without ? or #'
            : base && (url.hostname === 'localhost' || url.hostname.endsWith('.localhost') || url.hostname.startsWith('127.') || url.hostname === '[::1]') ? 'must be the public address Teams reaches, not this machine'
              : undefined;
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

const TeamsEnv = z.object({
  MICROSOFT_APP_ID: z.string().regex(GUID, 'must be the bot\'s app (client) id, a GUID').optional(),
  MICROSOFT_APP_PASSWORD: z.string().min(8, 'must be the app\'s client secret').max(512).optional(),
  MICROSOFT_APP_TENANT_ID: z.union([z.string().regex(GUID), z.enum(['common', 'organizations'])], { error: 'must be the tenant id (a GUID), or "common" for a multi-tenant app' }).optional(),
  MICROSOFT_APP_CERT_PEM_FILE: z.string().max(1000).optional(),
  MICROSOFT_APP_CERT_KEY_FILE: z.string().max(1000).optional(),
  MICROSOFT_APP_MANAGED_IDENTITY: z.enum(['user', 'system'], { error: 'must be "user" (a user-assigned identity whose client id is MICROSOFT_APP_ID) or "system"' }).optional(),
  MEDBILL_TEAMS_DEV: z.enum(['0', '1'], { error: 'must be 1 (anonymous local testing) or 0' }).optional(),
  MEDBILL_PUBLIC_URL: httpsUrl(z.string().max(500), true).optional(),
  MEDBILL_TEAMS_TENANTS: z.string().max(20_000).refine((v) => v.split(',').map((t) => t.trim()).every((t) => GUID.test(t)), 'must be tenant ids (GUIDs) separated by commas').optional(),
});

/** How medbill proves it is the app when it sends: a client secret, a certificate, or an Azure managed identity. */
export type TeamsCredential =
  | { kind: 'secret'; secret: string }
  | { kind: 'certificate'; pemFile: string; keyFile: string }
  | { kind: 'managed-identity'; assigned: 'user' | 'system' };

export interface TeamsConfig {
  /** Absent only in dev mode: requests are then not authenticated. */
  appId?: string;
  /** With an app id: exactly one way to get tokens for sending. */
  credential?: TeamsCredential;
  /** Single-tenant by default: the practice's own tenant; "common" only for a multi-tenant registration. */
  tenantId?: string;
  dev: boolean;
  /** Where token signing keys are looked up (tests point it at a local server); Microsoft's by default. */
  authority?: string;
  /** medbill's public https address: Teams fetches chart pictures from it. Without it, charts are not shown in Teams. */
  publicUrl?: string;
  /**
   * The organisations (Entra tenant ids, lower case) medbill answers, when the deployment serves only some: an app
   * registered for many organisations can be added by any of them. Undefined: every tenant Teams sends from.
   */
  tenants?: string[];
}

/** undefined when Teams is off. `warn` hears the dev-mode warning. */
export function loadTeamsConfig(env: NodeJS.ProcessEnv = process.env, warn: (message: string) => void = () => {}): TeamsConfig | undefined {
  const blank = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  // MEDBILL_PUBLIC_URL is shared with Slack's installs (which take http on loopback in tests): Teams checks it only when Teams is asked for.
  const asked = Object.keys(TeamsEnv.shape).some((k) => k !== 'MEDBILL_PUBLIC_URL' && blank(env[k]) !== undefined);
  const parsed = TeamsEnv.safeParse(Object.fromEntries(Object.keys(TeamsEnv.shape).map((k) => [k, k === 'MEDBILL_PUBLIC_URL' && !asked ? undefined : blank(env[k])])));
  if (!parsed.success) throw new ConfigError(`Teams: ${describeZodError(parsed.error)}`);
  const e = parsed.data;
  const dev = e.MEDBILL_TEAMS_DEV === '1';
  // Settings that hold in dev mode too.
  const common = {
    ...(e.MEDBILL_PUBLIC_URL ? { publicUrl: e.MEDBILL_PUBLIC_URL } : {}),
    ...(e.MEDBILL_TEAMS_TENANTS ? { tenants: e.MEDBILL_TEAMS_TENANTS.split(',').map((t) => t.trim().toLowerCase()) } : {}),
  };
  const credentials: TeamsCredential[] = [
    ...(e.MICROSOFT_APP_PASSWORD ? [{ kind: 'secret' as const, secret: e.MICROSOFT_APP_PASSWORD }] : []),
    ...(e.MICROSOFT_APP_CERT_PEM_FILE || e.MICROSOFT_APP_CERT_KEY_FILE ? [certificate(e.MICROSOFT_APP_CERT_PEM_FILE, e.MICROSOFT_APP_CERT_KEY_FILE)] : []),
    ...(e.MICROSOFT_APP_MANAGED_IDENTITY ? [{ kind: 'managed-identity' as const, assigned: e.MICROSOFT_APP_MANAGED_IDENTITY }] : []),
  ];
  if (!e.MICROSOFT_APP_ID) {
    if (credentials.length || e.MICROSOFT_APP_TENANT_ID) throw new ConfigError('Teams: MICROSOFT_APP_ID is missing (a credential or MICROSOFT_APP_TENANT_ID is set, and both need it)');
    if (!dev) return undefined;
    if (env.NODE_ENV === 'production') throw new ConfigError('Teams: MEDBILL_TEAMS_DEV=1 accepts requests without authentication and is refused when NODE_ENV=production; set MICROSOFT_APP_ID instead');
    warn('Teams: MEDBILL_TEAMS_DEV=1: /api/messages accepts requests WITHOUT authentication. For local testing only.');
    return { dev: true, ...common };
  }
  if (dev) throw new ConfigError('Teams: MEDBILL_TEAMS_DEV=1 is for local testing without an app; unset it when MICROSOFT_APP_ID is set');
  const [credential, ...more] = credentials;
  if (!credential) throw new ConfigError(`Teams: MICROSOFT_APP_PASSWORD is missing (the client secret of MICROSOFT_APP_ID; or a certificate: ${CERT_VARS}; or MICROSOFT_APP_MANAGED_IDENTITY)`);
  if (more.length) throw new ConfigError('Teams: give one credential for MICROSOFT_APP_ID: MICROSOFT_APP_PASSWORD, a certificate, or MICROSOFT_APP_MANAGED_IDENTITY, not several');
  if (!e.MICROSOFT_APP_TENANT_ID) throw new ConfigError('Teams: MICROSOFT_APP_TENANT_ID is missing (the tenant the bot is registered in: the practice\'s own, or the deployment\'s home tenant for an app many organisations add)');
  return { appId: e.MICROSOFT_APP_ID, credential, tenantId: e.MICROSOFT_APP_TENANT_ID, dev: false, ...common };
}

const CERT_VARS = 'MICROSOFT_APP_CERT_PEM_FILE with MICROSOFT_APP_CERT_KEY_FILE';

/** A certificate is two PEM files, both readable now: a missing file is said at start, not at the first send. */
function certificate(pemFile: string | undefined, keyFile: string | undefined): TeamsCredential {
  if (!pemFile || !keyFile) throw new ConfigError(`Teams: a certificate needs both files: ${CERT_VARS}`);
  for (const [name, file] of [['MICROSOFT_APP_CERT_PEM_FILE', pemFile], ['MICROSOFT_APP_CERT_KEY_FILE', keyFile]] as const) {
    try {
      accessSync(file, constants.R_OK);
    } catch {
      throw new ConfigError(`Teams: ${name}: the file cannot be read`);
    }
  }
  return { kind: 'certificate', pemFile, keyFile };
}
