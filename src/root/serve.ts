/**
 * `medbill serve` (npm start): the composition root of the running service. It opens the database, the
 * engine and the inbox, builds the chat adapters that are configured (the local page, Slack, Teams), serves
 * their routes on one HTTP server and starts them, each the same way (src/engine/chat-adapter.ts).
 */
import { describeDatabase, loadConfig } from '../config.js';
import { openHouse } from './house.js';
import { createLogger } from '../log.js';
import { isLoopbackHost, startServer } from './server.js';
import { loadSlackConfig } from '../../adapters/slack/config.js';
import { createSlackAdapter } from '../../adapters/slack/adapter.js';
import { loadTeamsConfig } from '../../adapters/teams/config.js';
import { createTeamsAdapter } from '../../adapters/teams/adapter.js';
import { createWebAdapter } from '../../adapters/web/adapter.js';
import { AdapterRetrying, type ChatAdapter } from '../engine/chat-adapter.js';
import { positionals, UsageError, type Io } from '../command-line.js';
import { configuredDigests, startDigest } from './digest.js';

export async function cmdServe(args: string[], io: Io): Promise<number> {
  if (positionals('serve', args).length) throw new UsageError(`serve takes no arguments (got ${args.join(' ')}); use PORT and HOST to move it`);
  const config = loadConfig();
  const digestChannels = configuredDigests(config.digestChannels); // a bad MEDBILL_DIGEST stops here too
  const slackConfig = loadSlackConfig(); // a malformed Slack variable stops here, before anything opens
  const teamsConfig = loadTeamsConfig(process.env, (warning) => io.err(`medbill: warning: ${warning}`));
  const log = createLogger();
  const app = openHouse(config, { log });
  // The database answers (and Postgres's schema is up to date) before anything listens: a wrong URL stops here.
  await app.storage.check();
  // Each configured platform, with what to say when it is off.
  const platforms: { adapter?: ChatAdapter; off: string }[] = [
    { off: '', ...(config.web ? { adapter: createWebAdapter(app.engine, { host: config.host, allowedHosts: config.allowedHosts }) } : {}) },
    {
      off: 'Slack: off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET or SLACK_APP_TOKEN to turn it on for one workspace, or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET for any workspace to install it).',
      ...(slackConfig ? { adapter: createSlackAdapter({ config: slackConfig, engine: app.engine, inbox: app.inbox, outbound: app.outbound, log, installations: app.storage.installations }) } : {}),
    },
    { off: 'Teams: off (set MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID to turn it on).', ...(teamsConfig ? { adapter: createTeamsAdapter({ config: teamsConfig, inbox: app.inbox, outbound: app.outbound, log, heldFor: app.heldOf }) } : {}) },
  ];
  const adapters = platforms.flatMap((p) => (p.adapter ? [p.adapter] : []));
  const running = await startServer(app, { host: config.host, port: config.port, log, adapters, web: config.web, allowedHosts: config.allowedHosts });
  io.out(config.web
    ? `medbill is running: open ${running.url} (database ${describeDatabase(config)}). Ctrl-C stops it.`
    : `medbill is running on ${running.url} without the chat page (MEDBILL_WEB=off; database ${describeDatabase(config)}). Ctrl-C stops it.`);
  io.out(config.zoneIsDefault
    ? `Dates (claims, digests, reports, letters) are ${config.zone}'s: set MEDBILL_TIME_ZONE to the practice's zone, e.g. America/Chicago.`
    : `Dates (claims, digests, reports, letters) are ${config.zone}'s (MEDBILL_TIME_ZONE).`);
  if (config.web && !isLoopbackHost(config.host)) {
    io.err(`medbill: warning: HOST=${config.host} makes the chat page reachable from the network, and it has no login. Anyone who can reach it can use medbill. For a Slack-only deployment set MEDBILL_WEB=off.`);
  }
  const started: ChatAdapter[] = [];
  for (const { adapter, off } of platforms) {
    if (!adapter) {
      if (off) io.out(off);
      continue;
    }
    const title = adapter.name.charAt(0).toUpperCase() + adapter.name.slice(1);
    try {
      await adapter.start();
      started.push(adapter);
      const line = adapter.describe(running.url);
      if (line) io.out(line);
    } catch (err) {
      if (err instanceof AdapterRetrying) {
        started.push(adapter);
        io.err(`medbill: ${err.message} Trying again every 30 seconds; meanwhile ${title}'s requests are answered "try later" and ${title} retries them. The local chat keeps running.`);
      } else {
        // Refused (a token that is not accepted): the platform stays off, and so do its routes.
        for (const route of adapter.routes) running.unmount(route.path);
        io.err(`medbill: ${(err as Error).message} The local chat keeps running; ${title} is off.`);
      }
    }
  }
  // Channels whose platform is not running are skipped by each tick and posted once it is (within the catch-up window).
  const digest = await startDigest(app, { log, tickMs: config.digestTickMs, channels: digestChannels });
  if (digestChannels.length) io.out(`Daily digest: ${digestChannels.length} channel${digestChannels.length > 1 ? 's' : ''} from MEDBILL_DIGEST.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await digest.stop();
  for (const adapter of started) await adapter.stop();
  await running.close();
  // What is still being answered gets a moment; anything left is resumed from the inbox by another replica
  // (closing lets go of the events not started) or at the next start.
  await Promise.race([app.inbox.idle(), new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
  await app.close();
  return 0;
}
