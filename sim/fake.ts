/**
 * Slack, faked on loopback in a process of its own (test/support/slack-api-fake.js): the OAuth authorize page,
 * oauth.v2.access issuing a distinct bot token per workspace, and the Web API, recording every call with the
 * token it carried. Its own process, so recording does not slow the simulated Slack's requests down.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './root.js';

export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  token?: string;
  failed?: boolean;
  rateLimited?: boolean;
  at: number;
}

export interface SlackFake {
  apiUrl: string;
  authorizeUrl: string;
  /** Every call so far, and the workspace of each bot token issued. */
  record(): Promise<{ calls: RecordedCall[]; tokens: Record<string, string> }>;
  /** How many Web API calls have come so far (cheap: for waiting until quiet). */
  callCount(): Promise<number>;
  stop(): void;
}

/** `client`: the app's OAuth credentials, for workspaces to install it; without, one bot token of any value is accepted. */
export async function startSlackFake(client: { id: string; secret: string } | undefined): Promise<SlackFake> {
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'test/support/slack-api-fake.js')], {
    env: { ...process.env, SLACK_FAKE_KEEP_CALLS: '1', SLACK_FAKE_CLIENT_SECRET: client?.secret ?? '' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  // It must not outlive the simulation, however that ends.
  const stop = () => { child.kill('SIGTERM'); };
  process.once('exit', stop);
  const urls = await new Promise<{ api: string; authorize: string }>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += String(d);
      const api = /api (\S+)/.exec(out)?.[1];
      const authorize = /authorize (\S+)/.exec(out)?.[1];
      if (api && (authorize || !client)) resolve({ api, authorize: authorize ?? '' });
    });
    child.once('exit', (code) => reject(new Error(`the Slack fake exited (${code}): ${out}`)));
  });
  const base = urls.api.replace(/\/api\/$/, '');
  return {
    apiUrl: urls.api,
    authorizeUrl: urls.authorize,
    record: async () => (await (await fetch(`${base}/_calls`)).json()) as { calls: RecordedCall[]; tokens: Record<string, string> },
    callCount: async () => {
      const { total } = (await (await fetch(`${base}/_count`)).json()) as { total: number };
      return total;
    },
    stop: () => {
      process.off('exit', stop);
      stop();
    },
  };
}
