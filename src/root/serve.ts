/**
 * `medbill serve` (npm start): the composition root of the running service. It opens the database, the
 * engine and the inbox, wires the platform adapters (Slack and Teams when configured) and serves them with the local
 * chat page on one HTTP server.
 */
import { loadConfig } from '../config.js';
import { openHouse } from './house.js';
import { createLogger } from '../log.js';
import { isLoopbackHost, startServer } from './server.js';
import { loadSlackConfig } from '../../adapters/slack/config.js';
import { createSlackAdapter, SLACK_SURFACE, SlackUnreachableError } from '../../adapters/slack/app.js';
import { loadTeamsConfig } from '../../adapters/teams/config.js';
import { createTeamsAdapter, TEAMS_SURFACE } from '../../adapters/teams/app.js';
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
  const slack = slackConfig && createSlackAdapter({ config: slackConfig, engine: app.engine, inbox: app.inbox, outbound: app.outbound, log });
  const slackRoute = slack?.requestListener;
  const teams = teamsConfig && createTeamsAdapter({ config: teamsConfig, inbox: app.inbox, outbound: app.outbound, log });
  const routes = [
    ...(slackRoute ? [{ path: SLACK_SURFACE.eventsPath, handle: slackRoute }] : []),
    ...(teams ? [{ path: TEAMS_SURFACE.messagesPath, handle: teams.requestListener }, { path: TEAMS_SURFACE.picturePath, handle: teams.pictureListener }] : []),
  ];
  const running = await startServer(app, { host: config.host, port: config.port, log, routes, web: config.web, allowedHosts: config.allowedHosts });
  io.out(config.web
    ? `medbill is running: open ${running.url} (database ${config.dbPath}). Ctrl-C stops it.`
    : `medbill is running on ${running.url} without the chat page (MEDBILL_WEB=off; database ${config.dbPath}). Ctrl-C stops it.`);
  io.out(config.zoneIsDefault
    ? `Dates (claims, digests, reports, letters) are ${config.zone}'s: set MEDBILL_TIME_ZONE to the practice's zone, e.g. America/Chicago.`
    : `Dates (claims, digests, reports, letters) are ${config.zone}'s (MEDBILL_TIME_ZONE).`);
  if (config.web && !isLoopbackHost(config.host)) {
    io.err(`medbill: warning: HOST=${config.host} makes the chat page reachable from the network, and it has no login. Anyone who can reach it can use medbill. For a Slack-only deployment set MEDBILL_WEB=off.`);
  }
  if (slack && slackConfig) {
    try {
      await slack.start();
      io.out(slackConfig.appToken ? 'Slack: on, over Socket Mode.' : `Slack: on; Slack sends requests to ${running.url}${SLACK_SURFACE.eventsPath} (through your public URL).`);
    } catch (err) {
      if (err instanceof SlackUnreachableError) {
        io.err(`medbill: ${err.message} Trying again every 30 seconds; meanwhile Slack's requests are answered "try later" and Slack retries them. The local chat keeps running.`);
      } else {
        // The token was refused: Slack stays off, and so does its endpoint.
        running.unmount(SLACK_SURFACE.eventsPath);
        io.err(`medbill: ${(err as Error).message} The local chat keeps running; Slack is off.`);
      }
    }
  } else io.out('Slack: off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET or SLACK_APP_TOKEN to turn it on).');
  if (teams && teamsConfig) {
    teams.start();
    io.out(teamsConfig.dev
      ? `Teams: on, in dev mode (no authentication); send activities to ${running.url}${TEAMS_SURFACE.messagesPath}.`
      : `Teams: on; the Bot Service sends activities to ${running.url}${TEAMS_SURFACE.messagesPath} (through your public URL).`);
  } else io.out('Teams: off (set MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID to turn it on).');
  // Channels whose platform is not running are skipped by each tick and posted once it is (within the catch-up window).
  const digest = startDigest(app, { log, tickMs: config.digestTickMs, channels: digestChannels });
  if (digestChannels.length) io.out(`Daily digest: ${digestChannels.length} channel${digestChannels.length > 1 ? 's' : ''} from MEDBILL_DIGEST.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await digest.stop();
  await slack?.stop();
  await running.close();
  // What is still being answered gets a moment; anything left is resumed from the inbox at the next start.
  await Promise.race([app.inbox.idle(), new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
  app.close();
  return 0;
}
