/**
 * Slack's requests as Slack sends them, signed with the app's signing secret: an Events API app_mention
 * (JSON), and a block_actions payload for a button pressed on a message (a form with a `payload` field).
 * Sending follows Slack's rules for events: not acknowledged within 3 seconds, or answered with a 5xx, and it
 * is sent again with x-slack-retry-num and x-slack-retry-reason (newly signed, the same event_id). Slack
 * gives up after 3 retries; the simulation keeps trying a while longer, so that every event ends up
 * acknowledged and the checks can hold the bot to all of them. A press is not retried by Slack; one that got no
 * acknowledgement is sent again as the very same request (its signature is its key), as a proxy's replay would be.
 */
import { slackSignature as sign } from '../test/support/slack-signing.js';
import type { SimEvent } from './plan.js';

export interface Sent { acked: boolean; attempts: number; ackMs: number[] }

export function eventBody(e: SimEvent, botUser: string): { body: string; contentType: string } {
  if (e.kind === 'press') {
    const payload = {
      type: 'block_actions', team: { id: e.team, domain: e.team.toLowerCase() }, user: { id: e.user, username: 'biller', name: 'biller', team_id: e.team },
      api_app_id: 'ASIM', token: 'x', trigger_id: `${e.id}.trigger`, response_url: 'http://127.0.0.1:9/unused',
      container: { type: 'message', message_ts: e.threadTs, channel_id: e.channel, is_ephemeral: false },
      channel: { id: e.channel, name: 'billing' }, message: { type: 'message', ts: e.threadTs, text: 'What can medbill do?', user: botUser },
      actions: [{ type: 'button', action_id: 'medbill_button_help_0', block_id: 'help', text: { type: 'plain_text', text: 'Help' }, value: e.text, action_ts: e.threadTs }],
    };
    return { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), contentType: 'application/x-www-form-urlencoded' };
  }
  const body = {
    token: 'x', team_id: e.team, api_app_id: 'ASIM', type: 'event_callback', event_id: e.id, event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: e.team, user_id: botUser, is_bot: true, is_enterprise_install: false }],
    event: { type: 'app_mention', user: e.user, text: `<@${botUser}> ${e.text}`, ts: e.threadTs, channel: e.channel, event_ts: e.threadTs, team: e.team },
  };
  return { body: JSON.stringify(body), contentType: 'application/json' };
}

/** Sends one event until it is acknowledged (HTTP 200), at most `maxAttempts` times; the time of each 200. */
export async function send(url: string, secret: string, e: SimEvent, botUser: string, maxAttempts = 12): Promise<Sent> {
  const { body, contentType } = eventBody(e, botUser);
  const firstTs = Math.floor(Date.now() / 1000);
  let reason = '';
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    // An event's retry is signed anew; a press is replayed exactly.
    const ts = e.kind === 'press' ? firstTs : Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = { 'content-type': contentType, 'x-slack-request-timestamp': String(ts), 'x-slack-signature': sign(secret, ts, body) };
    if (attempt > 0 && e.kind !== 'press') Object.assign(headers, { 'x-slack-retry-num': String(attempt), 'x-slack-retry-reason': reason });
    const t0 = performance.now();
    try {
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(3000) });
      await res.arrayBuffer();
      if (res.status === 200) return { acked: true, attempts: attempt + 1, ackMs: [performance.now() - t0] };
      if (res.status < 500) throw new Error(`${e.id}: ${url} answered ${res.status}`);
      reason = 'http_error';
    } catch (err) {
      if (err instanceof Error && err.message.startsWith(`${e.id}:`)) throw err;
      reason = (err as Error).name === 'TimeoutError' ? 'http_timeout' : 'connection_failed';
    }
    await new Promise((r) => setTimeout(r, Math.min(2000, 250 * 2 ** attempt)));
  }
  return { acked: false, attempts: maxAttempts, ackMs: [] };
}
