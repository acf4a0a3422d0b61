/**
 * A practice's claim policy: knowledge/followup.json with the practice's settings over it, used by that
 * practice's claim service (src/root/back-office.ts) and by no other practice's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteStorage } from '../../support/storage.js';
import { backOffice, shelf } from '../../support/house.js';
import { practicePolicy } from '../../../src/claims/practice-policy.js';
import type { SqliteStorage } from '../../../src/store/sqlite/index.js';

const opened: SqliteStorage[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()?.close();
});

const ACTOR = { who: 'test', surface: 'test' };
const claim = { caseId: 'C-PLCY2', payer: 'Aetna', payerKind: 'commercial' as const, lane: 'medical' as const, procedures: ['41100'], diagnoses: ['K14.8'], billedCents: 65000, submittedDate: '2026-11-02' };

describe('a practice\'s claim policy', () => {
  it('lays the practice\'s follow-up days and appeal windows over followup.json, saying so in the basis', () => {
    const base = shelf.claims().policy;
    expect(practicePolicy(base, undefined)).toBe(base);
    const p = practicePolicy(base, { followUp: { first: 21 }, appeal: { commercial: 120, nonsense: 3 } });
    expect(p.followUp.firstAfterSubmissionDays.value).toBe(21);
    expect(p.followUp.firstAfterSubmissionDays.basis).toMatch(/^21 days, set for this practice \(knowledge\/followup\.json says 14/);
    expect(p.followUp.repeatEveryDays).toEqual(base.followUp.repeatEveryDays);
    expect(p.appealDeadlines.commercial.days).toBe(120);
    expect(p.appealDeadlines.medicare).toEqual(base.appealDeadlines.medicare);
    expect(base.appealDeadlines.commercial.days).toBe(180); // followup.json's own is untouched
  });

  it('dates one practice\'s claims by its settings and another\'s by followup.json', async () => {
    const db = sqliteStorage();
    opened.push(db);
    const office = backOffice(db);
    const t1 = office.practiceOffice('slack:T1');
    const t2 = office.practiceOffice('slack:T2');
    expect(office.practiceOffice('slack:T1')).toBe(t1);
    await db.practice('slack:T1').settings.put({ followUp: { first: 21 }, appeal: { commercial: 120 } }, 1);
    await Promise.all([t1.ready(), t2.ready()]);
    for (const o of [t1, t2]) {
      const plan = await o.claims.draft(claim, ACTOR);
      if (!plan.ok || !(await o.claims.commit(plan))) throw new Error('seed failed');
      const denied = await o.claims.apply('C-PLCY2', { kind: 'denied', date: '2026-11-30', denial: { group: 'CO', carc: '50' } }, ACTOR);
      if (!denied.ok) throw new Error(denied.problem);
    }
    expect(await t1.claims.get('C-PLCY2')).toMatchObject({ appealDeadline: '2027-03-30' }); // 120 days
    expect(await t2.claims.get('C-PLCY2')).toMatchObject({ appealDeadline: '2027-05-29' }); // followup.json's 180
    for (const o of [t1, t2]) {
      const plan = await o.claims.draft({ ...claim, caseId: 'C-PLCY3' }, ACTOR);
      if (!plan.ok || !(await o.claims.commit(plan))) throw new Error('seed failed');
    }
    expect(await t1.claims.get('C-PLCY3')).toMatchObject({ nextFollowUp: '2026-11-23' }); // 21 days
    expect(await t2.claims.get('C-PLCY3')).toMatchObject({ nextFollowUp: '2026-11-16' }); // followup.json's 14
  });
});
