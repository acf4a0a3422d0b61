// A bare Bolt app that only acknowledges Events API requests: the baseline for medbill's Slack figures.
// Prints its address; SLACK_SIGNING_SECRET and PORT as for medbill.
import { createServer } from 'node:http';
import { App, HTTPReceiver } from '@slack/bolt';

const quiet = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel() { return 'error'; }, setName() {} };
const receiver = new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET, endpoints: '/slack/events', logger: quiet });
// botId and botUserId given, so Bolt never calls auth.test: this app talks to nothing.
const app = new App({ token: 'xoxb-bench-000000000', receiver, logger: quiet, botId: 'B0', botUserId: 'U0' });
app.event('message', async () => {});
const server = createServer((req, res) => receiver.requestListener(req, res));
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`open http://127.0.0.1:${server.address().port}`));
process.once('SIGTERM', () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
