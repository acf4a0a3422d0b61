/** Slack's request signature (v0), as Slack signs what it sends: shared by the tests and the simulation. */
import { createHmac } from 'node:crypto';

/** The signature of `body` sent at `ts` (seconds). */
export const slackSignature = (secret: string, ts: number | string, body: string): string => `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;

/** The headers of a request signed at `ts` (seconds; now by default, a malformed one to test refusals). */
export function slackSignedHeaders(secret: string, body: string, ts: number | string = Math.floor(Date.now() / 1000)): Record<string, string> {
  return { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(secret, ts, body) };
}
