/** Settings from the environment, validated once. Nothing here is a secret. */
import { resolve } from 'node:path';
import { z } from 'zod';
import { describeZodError } from './zod-message.js';
import { DEFAULT_PRACTICE_ZONE, isPracticeZone } from './today.js';
import { DEFAULT_PRACTICE, PRACTICE_ID } from './practice-id.js';

const EnvSchema = z.object({
  MEDBILL_DB: z.string().min(1).default('./data/medbill.db'),
  // A PostgreSQL server instead of the SQLite file (several practices or processes on one database).
  MEDBILL_DATABASE_URL: z.union([z.literal(''), z.string().regex(/^postgres(?:ql)?:\/\/\S+$/i, 'a postgres:// or postgresql:// URL')]).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  // Loopback by default: the local chat has no login, so it must not be reachable from the network.
  HOST: z.string().min(1).default('127.0.0.1'),
  MEDBILL_SESSION_TTL_MINUTES: z.coerce.number().positive().max(7 * 24 * 60).default(120),
  // The local chat page has no login: a Slack-only deployment on a public interface turns it off.
  MEDBILL_WEB: z.enum(['on', 'off']).default('on'),
  // Extra host names the page answers to (comma-separated), when it is reached through a name of its own.
  // Events acknowledged and not yet answered, at most (past it Slack is asked to retry later).
  MEDBILL_INBOX_MAX: z.coerce.number().int().min(10).max(1_000_000).default(2000),
  // Replicas: how long a process holds an inbox event it works on unrenewed (renewed every third of it); a
  // killed replica's events are taken over by the others after at most this long.
  MEDBILL_INBOX_LEASE_MS: z.coerce.number().int().min(300).max(600_000).default(30_000),
  // This process's name on the events it holds; one kept across restarts takes its own back at once. Unset:
  // "local" on the SQLite file (one process serves it), a random one per start on PostgreSQL.
  MEDBILL_REPLICA_ID: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'letters, digits and . _ : -').optional(),
  // The practice's time zone: "today" for claims, digests, reports and letters. Never the machine's (see src/today.ts).
  MEDBILL_TIME_ZONE: z.string().refine((z) => isPracticeZone(z), 'an IANA time zone such as America/Chicago').optional(),
  // Channels that get the daily digest, set at start: "slack:C0BILLING 8:00 America/Chicago; slack:T0TEAM/C0OTHER 7:30am America/New_York every day".
  MEDBILL_DIGEST: z.string().max(4000).default(''),
  // How often the digest scheduler looks at the clock (seconds); tests shorten it.
  MEDBILL_DIGEST_TICK_SECONDS: z.coerce.number().min(0.05).max(300).default(30),
  MEDBILL_ALLOWED_HOSTS: z.string().regex(/^[A-Za-z0-9.:[\],-]*$/, 'host names separated by commas').default(''),
  // Optional LLM for letter narratives: an OpenAI-compatible server (e.g. http://127.0.0.1:8000/v1). Unset: templates only.
  MEDBILL_LLM_BASE_URL: z.union([z.literal(''), z.url({ protocol: /^https?$/, error: 'an http(s) URL' })]).optional(),
  MEDBILL_LLM_MODEL: z.string().max(200).optional(),
  MEDBILL_LLM_API_KEY: z.string().max(1000).optional(),
  MEDBILL_LLM_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(20_000),
  // Which practice a place belongs to: one for the whole deployment, or one per Slack workspace / Teams tenant.
  MEDBILL_PRACTICES: z.enum(['single', 'per-workspace']).default('single'),
  // The practice a command-line command (claims, report, today, letter, practice …) acts on.
  MEDBILL_PRACTICE: z.string().regex(PRACTICE_ID, 'a practice id: 1 to 100 letters, digits, or : _ . - (e.g. default, slack:T0123ABCD)').default(DEFAULT_PRACTICE),
});

export interface Config {
  dbPath: string;
  /** MEDBILL_DATABASE_URL: PostgreSQL instead of the SQLite file at dbPath (it may hold a password: show it with describeDatabase). */
  databaseUrl?: string;
  port: number; host: string; sessionTtlMs: number; web: boolean; allowedHosts: string[]; inboxMax: number;
  /** MEDBILL_INBOX_LEASE_MS. */
  inboxLeaseMs: number;
  /** MEDBILL_REPLICA_ID, when set. */
  replicaId?: string;
  /** The practice's IANA time zone (MEDBILL_TIME_ZONE, else DEFAULT_PRACTICE_ZONE). */
  zone: string;
  /** True when MEDBILL_TIME_ZONE was not set: the server says so at start. */
  zoneIsDefault: boolean;
  digestTickMs: number;
  /** MEDBILL_DIGEST as given (read by src/root/digest.ts when the service starts). */
  digestChannels: string;
  /** MEDBILL_PRACTICES: 'single' (every place is practice 'default') or 'per-workspace' (`platform:tenant` where a place has a tenant). */
  practices: 'single' | 'per-workspace';
  /** MEDBILL_PRACTICE: the practice the command-line commands act on. */
  practice: string;
  /** The optional LLM for letter narratives; absent when MEDBILL_LLM_BASE_URL is unset. `apiKey` is not enumerable (never printed). */
  llm?: { baseUrl: string; model: string; timeoutMs: number; readonly apiKey?: string };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`bad environment: ${describeZodError(parsed.error)}`);
  const e = parsed.data;
  if (e.MEDBILL_LLM_BASE_URL && !e.MEDBILL_LLM_MODEL?.trim()) throw new ConfigError('bad environment: MEDBILL_LLM_MODEL: required when MEDBILL_LLM_BASE_URL is set');
  const llm = e.MEDBILL_LLM_BASE_URL ? { baseUrl: e.MEDBILL_LLM_BASE_URL, model: e.MEDBILL_LLM_MODEL?.trim() ?? '', timeoutMs: e.MEDBILL_LLM_TIMEOUT_MS } : undefined;
  if (llm && e.MEDBILL_LLM_API_KEY) Object.defineProperty(llm, 'apiKey', { value: e.MEDBILL_LLM_API_KEY, enumerable: false });
  return {
    dbPath: e.MEDBILL_DB === ':memory:' ? ':memory:' : resolve(e.MEDBILL_DB),
    ...(e.MEDBILL_DATABASE_URL ? { databaseUrl: e.MEDBILL_DATABASE_URL } : {}),
    port: e.PORT,
    host: e.HOST,
    sessionTtlMs: e.MEDBILL_SESSION_TTL_MINUTES * 60_000,
    web: e.MEDBILL_WEB === 'on',
    inboxMax: e.MEDBILL_INBOX_MAX,
    inboxLeaseMs: e.MEDBILL_INBOX_LEASE_MS,
    ...(e.MEDBILL_REPLICA_ID ? { replicaId: e.MEDBILL_REPLICA_ID } : {}),
    zone: e.MEDBILL_TIME_ZONE ?? DEFAULT_PRACTICE_ZONE,
    zoneIsDefault: e.MEDBILL_TIME_ZONE === undefined,
    digestTickMs: e.MEDBILL_DIGEST_TICK_SECONDS * 1000,
    digestChannels: e.MEDBILL_DIGEST,
    allowedHosts: e.MEDBILL_ALLOWED_HOSTS.split(',').map((h) => h.trim()).filter(Boolean),
    practices: e.MEDBILL_PRACTICES,
    practice: e.MEDBILL_PRACTICE,
    ...(llm ? { llm } : {}),
  };
}

/** The database as it may be printed: the SQLite file, or the Postgres URL without its password. */
export function describeDatabase(config: Pick<Config, 'dbPath' | 'databaseUrl'>): string {
  if (!config.databaseUrl) return config.dbPath;
  try {
    const u = new URL(config.databaseUrl);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return 'PostgreSQL (MEDBILL_DATABASE_URL)';
  }
}
