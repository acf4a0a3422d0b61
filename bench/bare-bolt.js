// A bare Bolt app that acknowledges Events API requests: the baseline for medbill's Slack figures. With
// BARE_POST=1 it also answers each message with one chat.postMessage to SLACK_API_URL (the fair anchor: what
// any Slack app that answers must do); else it only acknowledges.
// Prints its address; SLACK_SIGNING_SECRET and PORT as for medbill.
import { createServer } from 'node:http';
import { App, HTTPReceiver } from '@slack/bolt';

const quiet = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel() { return 'error'; }, setName() {} };
const receiver = new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET, endpoints: '/slack/events', logger: quiet });
// botId and botUserId given, so Bolt never calls auth.test: this app talks to nothing.
const post = process.env.BARE_POST === '1';
const app = new App({
  token: 'xoxb-bench-000000000', receiver, logger: quiet, botId: 'B0', botUserId: 'U0',
  ...(process.env.SLACK_API_URL ? { clientOptions: { slackApiUrl: process.env.SLACK_API_URL } } : {}),
});
app.event('message', async ({ event, client }) => {
  // The same answer marker medbill's reply carries, so the recording fake counts it as one answered event.
  if (post) await client.chat.postMessage({ channel: event.channel, text: 'Case C-BARE1. I have procedure: bench.' });
});
const server = createServer((req, res) => receiver.requestListener(req, res));
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`open http://127.0.0.1:${server.address().port}`));
process.once('SIGTERM', () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
