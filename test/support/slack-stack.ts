/** medbill with Slack on the real server on 127.0.0.1, against a recording fake of Slack's Web API. */
import { openHouse, type House } from './house.js';
import { loadConfig } from '../../src/config.js';
import { startServer, type Running } from '../../src/root/server.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/adapter.js';
import type { SlackApiFake } from './slack-api-fake.js';
import { tempDbPath } from '../helpers.js';
import type { Clock } from '../../src/today.js';
import { slackSignedHeaders } from './slack-signing.js';

export interface SlackStack {
  app: House; slack: SlackAdapter; running: Running;
  /** `body` to /slack/events as Slack sends it, signed with the stack's secret. */
  post(body: string, contentType: string): Promise<Response>;
  close(): Promise<void>;
}

/** `now`: the engine's clock (dates recorded from chat); `zone`: the practice's (MEDBILL_TIME_ZONE); `practices`: MEDBILL_PRACTICES. */
export async function startSlackStack(opts: { secret: string; fake: SlackApiFake; log?: Logger; dbPath?: string; inboxMaxOpen?: number; now?: Clock; zone?: string; practices?: 'single' | 'per-workspace' }): Promise<SlackStack> {
  const log = opts.log ?? silentLogger;
  const config = { ...loadConfig({ ...(opts.zone ? { MEDBILL_TIME_ZONE: opts.zone } : {}), ...(opts.practices ? { MEDBILL_PRACTICES: opts.practices } : {}) }), dbPath: opts.dbPath ?? tempDbPath() };
  const app = openHouse(config, { log, ...(opts.inboxMaxOpen ? { inboxMaxOpen: opts.inboxMaxOpen } : {}), ...(opts.now ? { now: opts.now } : {}) });
  const slack = createSlackAdapter({ config: { botToken: 'xoxb-test-0000000000', signingSecret: opts.secret, apiUrl: opts.fake.apiUrl }, engine: app.engine, inbox: app.inbox, outbound: app.outbound, log });
  await slack.start();
  const listener = slack.requestListener;
  if (!listener) throw new Error('Slack over HTTP has a request listener');
  const running = await startServer(app, { host: '127.0.0.1', port: 0, log, routes: [{ path: '/slack/events', handle: listener }] });
  return {
    app, slack, running,
    post: (body, contentType) => fetch(`${running.url}/slack/events`, { method: 'POST', headers: { 'content-type': contentType, ...slackSignedHeaders(opts.secret, body) }, body }),
    close: async () => {
      await running.close();
      await app.inbox.idle();
      app.close();
    },
  };
}
