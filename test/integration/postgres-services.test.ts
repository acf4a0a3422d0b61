/**
 * The services over both stores: the same claims, written through the claim service with the same clock on
 * SQLite and on PostgreSQL, give the same digest, the same report and the same CSV export, byte for byte.
 */
import { afterEach, expect, it } from 'vitest';
import { describePostgres, freshPostgresStorage } from '../support/postgres.js';
import { claimService } from '../support/storage.js';
import { shelf } from '../support/house.js';
import { openSqliteStorage } from '../../src/store/sqlite/index.js';
import type { Storage } from '../../src/store/storage.js';
import type { ClaimChange } from '../../src/claims/service.js';
import { buildDigest } from '../../src/claims/digest.js';
import { buildReport, categoryNames, claimsCsv } from '../../src/reports/claims-report.js';

const opened: Storage[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()?.close();
});

/** A seeded stream of numbers in [0, 1): the same claims on both stores, and on every run. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

const PAYERS = [['Aetna', 'commercial'], ['Medicare', 'medicare'], ['Humana Gold', 'medicare-advantage'], ['State Medicaid', 'medicaid']] as const;
const CATEGORIES = ['biopsy', 'sleep-apnea', 'trauma', undefined];
const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);

/** 240 claims through the service, each moved a few times; what was refused is refused on both. */
async function fill(storage: Storage): Promise<number> {
  const random = seeded(7);
  const now = { t: Date.UTC(2026, 10, 1) };
  const service = claimService(storage, () => now.t);
  let commits = 0;
  for (let i = 0; i < 240; i++) {
    now.t += 60_000;
    const caseId = `C-${String(i).padStart(4, '0').replace(/[01]/g, (d) => (d === '0' ? 'Q' : 'R'))}Z`;
    const [payer, payerKind] = PAYERS[Math.floor(random() * PAYERS.length)] ?? PAYERS[0];
    const category = CATEGORIES[Math.floor(random() * CATEGORIES.length)];
    const served = Math.floor(random() * 300);
    const draft = await service.draft({
      caseId, payer, payerKind, lane: 'medical', procedures: ['41100'], diagnoses: ['K14.8'], billedCents: 10_000 + Math.floor(random() * 90_000),
      serviceDate: day(served), ...(random() < 0.8 ? { submittedDate: day(served + 3) } : {}), ...(category ? { category } : {}),
      ...(i % 5 === 0 ? { reference: `A${1000 + i}` } : {}),
    }, { who: 'test:u1', surface: 'test' });
    if (!draft.ok) throw new Error(draft.problem);
    if (await service.commit(draft)) commits++;
    for (let step = 0; step < 3; step++) {
      now.t += 60_000;
      const when = day(served + 10 + step * 15);
      const roll = random();
      const change: ClaimChange = roll < 0.25 ? { kind: 'paid', date: when, amountCents: 5_000 + Math.floor(random() * 50_000), partial: random() < 0.3 }
        : roll < 0.5 ? { kind: 'denied', date: when, denial: { group: 'CO', carc: random() < 0.5 ? '50' : '16' } }
          : roll < 0.65 ? { kind: 'records-requested', date: when, due: day(served + 40) }
            : roll < 0.8 ? { kind: 'appealed', date: when }
              : { kind: 'followed-up', date: when };
      const plan = await service.plan(caseId, change, { who: `test:u${step}`, surface: 'test' });
      if (plan.ok && (await service.commit(plan))) commits++;
    }
  }
  return commits;
}

describePostgres('the services on PostgreSQL and on SQLite', () => {
  it('give the same digest, report and export from the same claims', async () => {
    const sqlite = openSqliteStorage(':memory:');
    const postgres = await freshPostgresStorage();
    opened.push(sqlite, postgres);
    const [a, b] = [await fill(sqlite), await fill(postgres)];
    expect(a).toBe(b);
    expect(a).toBeGreaterThan(400);
    const policy = shelf.claims().policy;
    // Days some claim is due on (a follow-up date, an appeal deadline), where the sections' bounds matter.
    const open = await sqlite.claims.openClaims(1000);
    const dueDays = [...new Set(open.flatMap((c) => [c.nextFollowUp, c.appealDeadline, c.recordsDue]).filter((d): d is string => d !== undefined))].sort();
    expect(dueDays.length).toBeGreaterThan(10);
    for (const date of [dueDays[0] ?? '', dueDays[Math.floor(dueDays.length / 3)] ?? '', dueDays[Math.floor(dueDays.length / 2)] ?? '', '2026-11-30']) {
      const digest = await buildDigest(postgres.claims, date, policy);
      expect(digest, date).toEqual(await buildDigest(sqlite.claims, date, policy));
      expect(digest.open.count).toBeGreaterThan(0);
    }
    const names = categoryNames(shelf.knowledge());
    expect(await buildReport(postgres.claimReports, '2026-11-30', 'America/Chicago', names, policy))
      .toEqual(await buildReport(sqlite.claimReports, '2026-11-30', 'America/Chicago', names, policy));
    const csv = async (s: Storage) => {
      const lines: string[] = [];
      for await (const line of claimsCsv(s.claimReports)) lines.push(line);
      return lines;
    };
    const exported = await csv(postgres);
    expect(exported).toHaveLength(241);
    expect(exported).toEqual(await csv(sqlite));
  });
});
