// One medbill replica's inbox on a shared database (a postgres:// URL, or a SQLite file), for
// test/integration/replicas.test.ts (it imports the build in dist/). Usage, with an IPC channel (child_process.fork):
//   node inbox-worker.js <database url or file> <out file> <replica id> <lease ms> <now|later> <turn ms>
// `later`: the inbox registers its platform (and so starts resuming events) only on { register: true }.
// A turn takes up to <turn ms>, at random.
// It runs the real House (engine, inbox, unit of work) with one small flow, "tally": each message ("zz…") is
// appended to the person's session, so a turn applied twice shows as its code twice. Each delivery appends
// "<event id> <replica id>" to the out file (one write with O_APPEND, so lines from processes do not mix and
// survive a SIGKILL). Messages in: { accept: { id, user, text } } → { acked: id, outcome }; { stop: true }.
import { appendFileSync } from 'node:fs';
import { z } from 'zod';
import { openPostgresStorage } from '../../dist/src/store/postgres/index.js';
import { openSqliteStorage } from '../../dist/src/store/sqlite/index.js';
import { House } from '../../dist/src/root/house.js';
import { FlowRegistry } from '../../dist/src/engine/registry.js';
import { stateSchema } from '../../dist/src/engine/flow.js';
import { reply } from '../../dist/src/engine/model.js';

const [url, out, owner, leaseMs, later, turnMs] = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const CODE = /^zz[a-z]+$/;

const tally = {
  id: 'tally', version: 1, title: 'Tally', commands: [], examples: [],
  stateSchema: stateSchema(['counting'], z.object({ seen: z.array(z.string()) })),
  recognise: (_ctx, text) => (CODE.test(text) ? { text } : undefined),
  // A turn takes a while (an LLM letter takes seconds): widen the window in which a replica dies mid-turn.
  start: async (_ctx, seed) => {
    await sleep(Math.random() * Number(turnMs));
    return { state: { step: 'counting', slots: { seen: [seed.text ?? ''] } }, replies: [reply(`tallied ${seed.text}`)] };
  },
  handle: async (_ctx, state, input) => {
    if (input.kind !== 'text' || !CODE.test(input.text)) return { state, replies: [], unhandled: true };
    await sleep(Math.random() * Number(turnMs));
    return { state: { ...state, slots: { seen: [...state.slots.seen, input.text] } }, replies: [reply(`tallied ${input.text}`)] };
  },
  prompt: () => [],
  why: () => '',
};

const storage = url.startsWith('postgres') ? openPostgresStorage(url, { maxConnections: 4 }) : openSqliteStorage(url);
await storage.opened?.();
const house = new House(storage, { flows: new FlowRegistry([tally]), inboxLeaseMs: Number(leaseMs), replicaId: owner });
const inbox = house.inbox; // built now (the engine, its word lists), so registering later is quick
await house.engine.ready();
const register = () => inbox.register('test', async (_replies, route) => {
  await sleep(Math.random() * 5); // a platform call
  appendFileSync(out, `${route.id} ${owner}\n`);
});
if (later !== 'later') await register();

process.on('message', (m) => {
  if (m.register) void register().then(() => process.send({ registered: true }));
  if (m.accept) {
    const e = m.accept;
    const turn = { eventId: e.id, platform: 'test', user: e.user, conversation: 'dm', direct: true, input: { kind: 'text', text: e.text } };
    void house.inbox.accept(turn, { id: e.id }).then(
      (outcome) => process.send({ acked: e.id, outcome }),
      (err) => process.send({ acked: e.id, outcome: `error ${err.message}` }),
    );
  }
  if (m.stop) {
    void house.inbox.idle().then(() => house.close()).then(() => {
      process.send({ stopped: true });
      process.disconnect();
    });
  }
});
process.send({ ready: true });
