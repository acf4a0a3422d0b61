/**
 * The simulation of issue 25: replicas of `medbill serve` on one PostgreSQL behind a loopback balancer, many
 * Slack workspaces installed through OAuth, signed events and button presses spread over them, the daily digest
 * due in every billing channel, and a random replica killed with SIGKILL every few seconds (and started again).
 * When everything is quiet it judges what the fake of Slack recorded (checks.ts) and the database's rows.
 *
 * `singleToken`: the development mode for a medbill without OAuth installs: one SLACK_BOT_TOKEN answers every
 * workspace, so crossings cannot be told apart and are not counted; everything else is the same.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { startBalancer } from './balancer.js';
import { replica, type Replica } from './replicas.js';
import { startSlackFake } from './fake.js';
import { digestSettings, events as planEvents, workspaces, type SimEvent } from './plan.js';
import { send } from './slack-requests.js';
import { install } from './install.js';
import { judge, type Verdict } from './checks.js';
import { recordCrossings } from './database.js';

export interface SimOptions {
  databaseUrl: string;
  replicas: number;
  workspaces: number;
  events: number;
  /** A random replica is killed this often (0: never). */
  killEveryMs: number;
  usersPerWorkspace: number;
  /** Requests in flight at once from the simulated Slack. */
  concurrency: number;
  singleToken: boolean;
  /** MEDBILL_INBOX_LEASE_MS for the replicas: a killed replica's events are taken over after it. */
  leaseMs: number;
  /** Progress lines (not the report). */
  progress?: (line: string) => void;
  /** Keep the replicas' logs (their folder is printed) instead of deleting them. */
  keepLogs?: boolean;
}

export const DEFAULTS: Omit<SimOptions, 'databaseUrl'> = {
  replicas: 3, workspaces: 50, events: 5000, killEveryMs: 4000, usersPerWorkspace: 4, concurrency: 16, singleToken: false, leaseMs: 5000,
};

export interface SimReport extends Verdict {
  workspaces: number;
  installed: number;
  events: number;
  acks: number;
  unacked: number;
  retries: number;
  kills: number;
  seconds: number;
  eventsPerSecond: number;
  ackP50: number;
  ackP99: number;
  recordRows: number;
  recordCrossings: string[];
  logs?: string;
  /** Every check holds. */
  ok: boolean;
}

const SECRET = 'simsigningsecret0123456789abcdef';
const ZONE = 'America/Chicago';
const PUBLIC_URL = 'https://medbill-sim.invalid';
/** The digest scheduler's lease (src/scheduler/digest-scheduler.ts's default). */
const DIGEST_LEASE_MS = 120_000;
const pct = (xs: number[], p: number) => (xs.length ? (xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? 0) : 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `work` over `items`, `n` at a time. */
async function pool<T>(items: T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    for (let i = next++; i < items.length; i = next++) await work(items[i] as T);
  }));
}

export async function simulate(options: SimOptions): Promise<SimReport> {
  const o = options;
  const say = o.progress ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'medbill-sim-'));
  const client = { id: '1111111111.2222222222', secret: randomBytes(16).toString('hex') };
  const fake = await startSlackFake(o.singleToken ? undefined : client);
  const replicas: Replica[] = [];
  const balancer = await startBalancer(replicas);
  const singleToken = 'xoxb-sim-single-token-0000';
  const env: NodeJS.ProcessEnv = {
    MEDBILL_DATABASE_URL: o.databaseUrl, MEDBILL_WEB: 'off', MEDBILL_LOG: o.keepLogs ? 'info' : 'warn', MEDBILL_DIGEST_TICK_SECONDS: '1', MEDBILL_TIME_ZONE: ZONE,
    MEDBILL_PRACTICES: 'per-workspace', MEDBILL_INBOX_LEASE_MS: String(o.leaseMs),
    SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl,
    ...(o.singleToken
      ? { SLACK_BOT_TOKEN: singleToken }
      : {
        SLACK_CLIENT_ID: client.id, SLACK_CLIENT_SECRET: client.secret, MEDBILL_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
        MEDBILL_PUBLIC_URL: PUBLIC_URL, SLACK_AUTHORIZE_URL: fake.authorizeUrl,
      }),
  };
  // Whatever the caller's environment says about medbill or Slack must not reach the replicas.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(MEDBILL_|SLACK_|MICROSOFT_|PORT$|HOST$)/.test(k)));
  const replicaEnv = { ...inherited, ...env };
  let kills = 0;
  let killer: NodeJS.Timeout | undefined;
  try {
    for (let i = 0; i < o.replicas; i++) replicas.push(replica(`replica-${i + 1}`, replicaEnv, join(dir, `replica-${i + 1}.log`), o.singleToken));
    await Promise.all(replicas.map((r) => r.start()));
    say(`${o.replicas} replicas up behind ${balancer.url}; Slack faked at ${fake.apiUrl}`);

    const spaces = workspaces(o.workspaces, o.usersPerWorkspace);
    let installed = 0;
    if (!o.singleToken) {
      await pool(spaces, 4, async (s) => { await install(balancer.url, s.team); installed++; });
      say(`${installed} workspaces installed through OAuth`);
    }
    // The bot's user id in each workspace, as the fake's auth.test and oauth.v2.access give it.
    const botUserOf = (team: string) => (o.singleToken ? 'UBOT' : `UBOT${team}`);
    const slackUrl = `${balancer.url}/slack/events`;

    // The digest: due at the next whole minute at least 20 s away, Chicago time, every day, in each billing channel.
    const dueAt = DateTime.now().setZone(ZONE).plus({ seconds: 20 }).startOf('minute').plus({ minutes: 1 });
    const settings = digestSettings(spaces, `${dueAt.toFormat('H:mm')} ${ZONE} every day`);
    const load = planEvents(spaces, o.events);
    const sent: (SimEvent & { acked: boolean })[] = [];
    const ackMs: number[] = [];
    let retries = 0;
    const sendOne = async (e: SimEvent) => {
      const r = await send(slackUrl, SECRET, e, botUserOf(e.team));
      sent.push({ ...e, acked: r.acked });
      ackMs.push(...r.ackMs);
      retries += r.attempts - 1;
    };
    await pool(settings, o.concurrency, sendOne);
    say(`digest set in ${settings.length} channels for ${dueAt.toFormat('HH:mm')} ${ZONE}`);

    // Kills start with the load: a random replica that is up, SIGKILL, started again a moment later.
    const killOne = async () => {
      const up = replicas.filter((r) => r.url);
      const victim = up[Math.floor(Math.random() * up.length)];
      if (!victim || up.length < 2) return;
      kills++;
      await victim.kill();
      await sleep(300);
      await victim.start().catch((err: unknown) => say(`${victim.name} did not start again: ${(err as Error).message}`));
    };
    if (o.killEveryMs > 0) killer = setInterval(() => { void killOne(); }, o.killEveryMs);
    const start = Date.now();
    let done = 0;
    await pool(load, o.concurrency, async (e) => {
      await sendOne(e);
      if (++done % 1000 === 0) say(`${done} of ${load.length} events sent`);
    });
    const sendingSeconds = (Date.now() - start) / 1000;
    // The kills go on until the digests are being posted, so that they are posted under kills too.
    if (killer) await sleep(dueAt.toMillis() + 5000 - Date.now());
    if (killer) clearInterval(killer);
    killer = undefined;
    // Every replica up again, then quiet: no call to Slack for a while (longer than a lease), and the digest due.
    await Promise.all(replicas.filter((r) => !r.url).map((r) => r.start().catch(() => undefined)));
    say(`all sent in ${sendingSeconds.toFixed(1)} s; waiting until quiet`);
    // A digest run cut short by a kill is taken over once its lease (2 minutes) has run out: quiet is not
    // enough while a digest is missing, until that lease has surely ended.
    const quietMs = Math.max(5000, 2 * o.leaseMs);
    const digestDeadline = dueAt.toMillis() + DIGEST_LEASE_MS + 30_000;
    const verdictNow = async () => {
      const { calls, tokens } = await fake.record();
      return judge({ calls, tokens, ...(o.singleToken ? { singleToken } : {}), events: sent, spaces });
    };
    let last = -1;
    let quietSince = Date.now();
    let verdict: Verdict | undefined;
    for (;;) {
      const n = await fake.callCount();
      if (n !== last) { last = n; quietSince = Date.now(); verdict = undefined; }
      if (Date.now() - quietSince >= quietMs && Date.now() > dueAt.toMillis() + 5000) {
        verdict ??= await verdictNow();
        if (verdict.digestsWhole === verdict.digestsExpected || Date.now() > digestDeadline) break;
      }
      if (Date.now() - start > 30 * 60_000) break;
      await sleep(250);
    }
    verdict = await verdictNow();
    const records = await recordCrossings(o.databaseUrl);
    const acks = sent.filter((e) => e.acked).length;
    const seconds = (Math.max(verdict.lastAnswerAt, start) - start) / 1000;
    ackMs.sort((a, b) => a - b);
    const ok = acks === sent.length && verdict.duplicates === 0 && verdict.missing === 0 && verdict.crossings === 0 && records.crossings.length === 0
      && verdict.digestsWhole === verdict.digestsExpected && verdict.digestRepeats === 0 && (o.singleToken || installed === spaces.length);
    return {
      ...verdict, workspaces: spaces.length, installed, events: sent.length, acks, unacked: sent.length - acks, retries, kills,
      seconds, eventsPerSecond: seconds > 0 ? o.events / seconds : 0, ackP50: pct(ackMs, 50), ackP99: pct(ackMs, 99),
      recordRows: records.rows, recordCrossings: records.crossings, ...(o.keepLogs ? { logs: dir } : {}), ok,
    };
  } finally {
    if (killer) clearInterval(killer);
    await Promise.all(replicas.map((r) => r.stop()));
    await balancer.close();
    fake.stop();
    if (!o.keepLogs) rmSync(dir, { recursive: true, force: true });
  }
}

/** The report as `npm run sim` prints it. */
export function reportLines(r: SimReport): string[] {
  const ms = (n: number) => `${n.toFixed(1)} ms`;
  return [
    `workspaces ${r.workspaces} (installed through OAuth: ${r.installed})`,
    `events ${r.events} (mentions and button presses, and one "digest here" per workspace), acks ${r.acks}, unacknowledged ${r.unacked}, retries sent ${r.retries}`,
    `answers ${r.answered}, duplicates ${r.duplicates}, missing ${r.missing}${r.missing ? ` (${Object.entries(r.missingByKind).map(([k, n]) => `${n} ${k}`).join(', ')}; e.g. ${r.missingExamples.join('; ')})` : ''}, strays ${r.strays}`,
    `crossings ${r.crossings} in calls to Slack${r.crossingExamples.length ? ` (${r.crossingExamples.join('; ')})` : ''}, ${r.recordCrossings.length} in ${r.recordRows} database rows${r.recordCrossings.length ? ` (${r.recordCrossings.slice(0, 3).join('; ')})` : ''}`,
    `digests posted whole and once ${r.digestsWhole}/${r.digestsExpected}, parts or runs repeated ${r.digestRepeats}`,
    `kills ${r.kills} (SIGKILL, each replica started again)`,
    `throughput ${r.eventsPerSecond.toFixed(0)} events/s (${r.seconds.toFixed(1)} s from the first event to the last answer), ack p50 ${ms(r.ackP50)}, p99 ${ms(r.ackP99)}`,
    ...(r.logs ? [`replica logs: ${r.logs}`] : []),
    r.ok ? 'every check holds' : 'CHECKS FAILED',
  ];
}
