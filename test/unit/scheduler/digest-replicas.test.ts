/**
 * The daily digest across replicas (issue 25): two schedulers, each on its own connections to one PostgreSQL
 * database, with one clock, post each channel's digest once and whole (every part, none twice), also when the
 * process holding a run's lease stops in the middle of its post.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { addressKey, type ChannelAddress } from '../../../src/store/address.js';
import { openPostgresStorage, type PostgresStorage } from '../../../src/store/postgres/index.js';
import { DigestScheduler, runKeyOf, type PostedPart } from '../../../src/scheduler/digest-scheduler.js';
import { describePostgres, freshDatabaseUrl } from '../../support/postgres.js';
import { ROOT, tempDbPath } from '../../helpers.js';

const utc = (iso: string) => Date.parse(`${iso}Z`);
const PARTS = 3;
const LEASE_MS = 120_000;
const chan = (i: number): ChannelAddress => ({ platform: 'slack', tenant: 'T1', channel: `C${i}` });
const ZONES = ['America/Chicago', 'America/New_York', 'America/Denver', 'America/Los_Angeles', 'America/Phoenix', 'UTC'];
const LOCAL_AT_14Z: Record<string, string> = { 'America/Chicago': '08:00', 'America/New_York': '09:00', 'America/Denver': '07:00', 'America/Los_Angeles': '06:00', 'America/Phoenix': '07:00', UTC: '14:00' };

/** One chat platform both processes post to; a channel there cannot be read back (as on Teams): findPosted finds nothing. */
class Platform {
  posts: { runKey: string; part: number; owner: string }[] = [];
}

const opened: PostgresStorage[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()?.close();
});

async function replicas(channels: number, url?: string): Promise<[PostgresStorage, PostgresStorage]> {
  url ??= await freshDatabaseUrl();
  const a = openPostgresStorage(url, { maxConnections: 4 });
  const b = openPostgresStorage(url, { maxConnections: 4 });
  opened.push(a, b);
  await Promise.all([a.opened(), b.opened()]);
  for (let i = 0; i < channels; i++) {
    const zone = ZONES[i % ZONES.length] ?? 'UTC';
    await a.digests.setChannel({ address: chan(i), localTime: LOCAL_AT_14Z[zone] ?? '14:00', zone, weekdays: [1, 2, 3, 4, 5, 6, 7] }, 0);
  }
  return [a, b];
}

/** A scheduler posting PARTS messages per digest, each recorded as it goes out; `dies` says where its process stops. */
function scheduler(storage: PostgresStorage, owner: string, clock: { t: number }, platform: Platform, dies?: (runKey: string, part: number) => boolean) {
  return new DigestScheduler({
    store: storage.digests, owner, now: () => clock.t, leaseMs: LEASE_MS,
    publish: async (_target, _date, runKey, posted, onPart) => {
      let first: string | undefined;
      for (let part = 1; part <= PARTS; part++) {
        if (posted.some((p) => p.part === part)) continue;
        if (dies?.(runKey, part)) await new Promise<never>(() => {}); // the process stopped here: nothing more of it happens
        await new Promise((r) => setTimeout(r, Math.random() * 3)); // the other process runs meanwhile
        const messageId = `${owner}-${runKey}-${part}`;
        platform.posts.push({ runKey, part, owner });
        await onPart({ part, of: PARTS, messageId });
        first ??= messageId;
      }
      return first ? { messageId: first } : {};
    },
    findPosted: async (): Promise<PostedPart[]> => [],
  });
}

/** Each run's parts, in the order they were posted. */
const partsByRun = (p: Platform) => {
  const runs = new Map<string, number[]>();
  for (const x of p.posts) runs.set(x.runKey, [...(runs.get(x.runKey) ?? []), x.part]);
  return runs;
};

describePostgres('the digest across replicas on one PostgreSQL', () => {
  it('two schedulers with one clock, ticking together, post each channel\'s digest once and whole', async () => {
    const [sa, sb] = await replicas(12);
    const clock = { t: utc('2026-02-10T13:59:00') };
    const platform = new Platform();
    const a = scheduler(sa, 'A', clock, platform);
    const b = scheduler(sb, 'B', clock, platform);
    for (; clock.t < utc('2026-02-10T14:10'); clock.t += 30_000) await Promise.all([a.tick(), b.tick()]);
    const runs = partsByRun(platform);
    expect(runs.size).toBe(12);
    for (const parts of runs.values()) expect(parts.slice().sort()).toEqual([1, 2, 3]);
    for (let i = 0; i < 12; i++) expect((await sa.digests.run(addressKey(chan(i)), '2026-02-10'))?.sentAt).toBeDefined();
  });

  it('when the holder stops in the middle of a post, the other posts only the parts missing, once its lease has run out', async () => {
    const [sa, sb] = await replicas(6);
    const clock = { t: utc('2026-02-10T14:00:05') };
    const platform = new Platform();
    // A takes every run and stops after part 1 of the even channels' posts (a process killed there).
    const a = scheduler(sa, 'A', clock, platform, (runKey, part) => part === 2 && /:C[024]:/.test(runKey));
    const b = scheduler(sb, 'B', clock, platform);
    void a.tick(); // never settles: A's process is gone mid-post
    for (let i = 0; i < 200 && platform.posts.length < 3 * 1 + 3 * 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(platform.posts.filter((p) => p.owner === 'A')).toHaveLength(3 + 3 * 3);
    for (; clock.t < utc('2026-02-10T14:01:55'); clock.t += 10_000) await b.tick(); // within A's lease: B waits
    expect(platform.posts.filter((p) => p.owner === 'B')).toEqual([]);
    for (; clock.t < utc('2026-02-10T14:10'); clock.t += 10_000) await b.tick();
    const runs = partsByRun(platform);
    for (const [runKey, parts] of runs) expect(parts, runKey).toEqual([1, 2, 3]); // whole, each part once, in order
    expect(platform.posts.filter((p) => p.owner === 'B').map((p) => p.part).sort()).toEqual([2, 2, 2, 3, 3, 3]); // only the missing ones
    for (let i = 0; i < 6; i++) expect((await sb.digests.run(addressKey(chan(i)), '2026-02-10'))?.sentAt).toBeDefined();
  });

  it('three real processes racing at the same instant post each channel\'s digest once', async (ctx) => {
    const worker = `${ROOT}/test/support/digest-worker.js`;
    if (!existsSync(`${ROOT}/dist/src/store/postgres/index.js`)) {
      console.log('skipped: dist/ is not built (run npx tsc -p tsconfig.build.json, or npm test)');
      ctx.skip();
      return;
    }
    const url = await freshDatabaseUrl();
    await replicas(8, url);
    const out = `${tempDbPath()}.posts`;
    writeFileSync(out, '');
    const realStart = Date.now() + 1500; // time for all three to load, also on a busy machine
    const fakeStart = utc('2026-02-10T14:00:00') - 300; // they tick 300 ms before the digests are due, then race
    const runs = ['W1', 'W2', 'W3'].map((owner) => new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [worker, url, out, owner, String(fakeStart), String(realStart), '1500']);
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.on('exit', (code) => resolve({ code, stderr }));
    }));
    for (const r of await Promise.all(runs)) expect(r.code, r.stderr).toBe(0);
    const posted = readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')[0]);
    expect(posted.sort()).toEqual(Array.from({ length: 8 }, (_, i) => runKeyOf(addressKey(chan(i)), '2026-02-10')).sort());
  }, 30_000);
});
