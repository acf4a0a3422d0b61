/**
 * The storage ports' contract, as one suite any implementation runs (SQLite today: test/unit/store/sqlite.test.ts;
 * a server database next). It talks to the ports only: no SQL, no file, nothing an implementation keeps to itself.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Storage } from '../../../src/store/storage.js';
import type { StoreWrite } from '../../../src/store/unit-of-work.js';
import type { Claim, HistoryEntry } from '../../../src/store/claim.js';
import type { SessionRow } from '../../../src/store/sessions.js';
import type { Installation } from '../../../src/store/installations.js';
import { addressKey } from '../../../src/store/address.js';

/** Opens a fresh, empty storage for one test. */
export type StorageFactory = () => Storage | Promise<Storage>;

const session = (key: string, version: number, step = 'asked'): SessionRow<unknown> => ({
  key, flow: 'triage', flowVersion: 1, state: { step, slots: {} }, history: [], version, updatedAt: 1000, expiresAt: 10_000,
});
const claim = (caseId: string, extra: Partial<Claim> = {}): Claim => ({
  caseId, payer: 'Aetna', payerKind: 'commercial', lane: 'medical', procedures: ['41100'], diagnoses: ['K14.8'], status: 'submitted',
  submittedDate: '2026-11-01', nextFollowUp: '2026-11-15', billedCents: 65000, createdAt: 1000, updatedAt: 1000, version: 1, ...extra,
});
const entry = (action: string, extra: Partial<HistoryEntry> = {}): HistoryEntry => ({ at: 1000, actor: 'test:u1', surface: 'test', action, toStatus: 'submitted', change: {}, ...extra });

export function storageSuite(name: string, open: StorageFactory): void {
  describe(`storage ports: ${name}`, () => {
    const opened: Storage[] = [];
    afterEach(async () => {
      while (opened.length) await opened.pop()?.close();
    });
    const fresh = async () => {
      const s = await open();
      opened.push(s);
      return s;
    };

    describe('the unit of work', () => {
      it('writes a session only at the version read, and nothing of a commit whose conditional write meets a changed row', async () => {
        const s = await fresh();
        expect(await s.unitOfWork.commit([{ kind: 'session.put', row: session('k', 1), expectedVersion: undefined }])).toBe(true);
        // A second "first write" of the same session conflicts: someone wrote it meanwhile.
        expect(await s.unitOfWork.commit([{ kind: 'session.put', row: session('k', 1, 'other'), expectedVersion: undefined }])).toBe(false);
        expect(await s.unitOfWork.commit([{ kind: 'session.put', row: session('k', 2, 'next'), expectedVersion: 1 }])).toBe(true);
        // All or nothing: the case recorded before the stale session write is rolled back with it.
        const stale: StoreWrite[] = [
          { kind: 'case.record', owner: 'k', record: { caseId: 'C-RLBK2', procedure: 'biopsy', lane: 'medical', updatedAt: 5 } },
          { kind: 'session.put', row: session('k', 2, 'stale'), expectedVersion: 1 },
        ];
        expect(await s.unitOfWork.commit(stale)).toBe(false);
        expect(await s.cases.get('C-RLBK2')).toBeUndefined();
        expect((await s.sessions.get<{ step: string }>('k'))?.state.step).toBe('next');
        expect(await s.unitOfWork.commit([{ kind: 'session.delete', key: 'k', expectedVersion: 1 }])).toBe(false);
        expect(await s.unitOfWork.commit([{ kind: 'session.delete', key: 'k', expectedVersion: 2 }])).toBe(true);
        expect(await s.sessions.get('k')).toBeUndefined();
        expect(await s.unitOfWork.commit([])).toBe(true);
      });

      it('rolls everything back and throws when a write fails for another reason', async () => {
        const s = await fresh();
        const bad: StoreWrite[] = [
          { kind: 'case.record', owner: 'k', record: { caseId: 'C-THRW2', procedure: 'biopsy', lane: 'medical', updatedAt: 5 } },
          { kind: 'digest.set-channel', channel: { address: { platform: 'slack', channel: 'C1' }, localTime: '25:00', zone: 'UTC', weekdays: [1] }, at: 1 },
        ];
        await expect(s.unitOfWork.commit(bad)).rejects.toThrow(RangeError);
        expect(await s.cases.get('C-THRW2')).toBeUndefined();
      });

      it('written in batches: every batch lands at commit, none at rollback, none after a conflict or a failure', async () => {
        const s = await fresh();
        const created = (id: string): StoreWrite => ({ kind: 'claim.change', after: claim(id), entry: entry('created'), expectedVersion: undefined });
        // A new claim and a change on it right after, in one batch (an import's row), then another batch.
        const denied = claim('C-BTCA2', { status: 'denied', deniedDate: '2026-11-20', version: 2 });
        const committed = await s.unitOfWork.begin();
        expect(await committed.write([created('C-BTCA2'), { kind: 'claim.change', after: denied, entry: entry('denied', { fromStatus: 'submitted', toStatus: 'denied' }), expectedVersion: 1 }])).toBe(true);
        expect(await committed.write([created('C-BTCB2')])).toBe(true);
        await committed.commit();
        expect(await s.claims.get('C-BTCA2')).toEqual(denied);
        expect((await s.claims.history('C-BTCA2')).map((h) => h.action)).toEqual(['created', 'denied']);
        expect(await s.claims.get('C-BTCB2')).toBeDefined();

        const dropped = await s.unitOfWork.begin();
        expect(await dropped.write([created('C-BTCC2')])).toBe(true);
        await dropped.rollback();
        expect(await s.claims.get('C-BTCC2')).toBeUndefined();

        // A conflict in a later batch takes the earlier batches with it; rollback after it does nothing.
        const conflicted = await s.unitOfWork.begin();
        expect(await conflicted.write([created('C-BTCD2')])).toBe(true);
        expect(await conflicted.write([created('C-BTCA2')])).toBe(false);
        await conflicted.rollback();
        expect(await s.claims.get('C-BTCD2')).toBeUndefined();

        const failed = await s.unitOfWork.begin();
        expect(await failed.write([created('C-BTCE2')])).toBe(true);
        await expect(failed.write([{ kind: 'digest.set-channel', channel: { address: { platform: 'slack', channel: 'C1' }, localTime: '25:00', zone: 'UTC', weekdays: [1] }, at: 1 }])).rejects.toThrow(RangeError);
        await failed.rollback();
        expect(await s.claims.get('C-BTCE2')).toBeUndefined();
        // The storage takes ordinary commits again.
        expect(await s.unitOfWork.commit([created('C-BTCF2')])).toBe(true);
      });
    });

    it('claims: found by case id or by claim number in any letter case, each once', async () => {
      const s = await fresh();
      expect(await s.claims.hasClaims()).toBe(false);
      const add = (c: Claim): StoreWrite => ({ kind: 'claim.change', after: c, entry: entry('created'), expectedVersion: undefined });
      expect(await s.unitOfWork.commit([add(claim('C-FNDA2', { reference: 'CLM-1' })), add(claim('C-FNDB2', { reference: 'Réf-2' })), add(claim('C-FNDC2'))])).toBe(true);
      const ids = async (caseIds: string[], references: string[]) => (await s.claims.find({ caseIds, references })).map((c) => c.caseId).sort();
      expect(await ids(['C-FNDC2', 'C-NONE2'], ['clm-1', 'réf-2', 'clm-9'])).toEqual(['C-FNDA2', 'C-FNDB2', 'C-FNDC2']);
      expect(await ids(['C-FNDA2'], ['clm-1'])).toEqual(['C-FNDA2']);
      expect(await ids([], [])).toEqual([]);
      expect([await s.claims.hasClaims(), await s.practice('other').claims.hasClaims()]).toEqual([true, false]);
      expect((await s.claims.find({ caseIds: ['C-FNDA2'], references: [] }))[0]).toMatchObject({ caseId: 'C-FNDA2', reference: 'CLM-1', status: 'submitted' });
    });

    it("sessions: drops the expired ones, every practice's, from any view", async () => {
      const s = await fresh();
      const quiet = s.practice('slack:T9'); // a practice whose people stopped writing
      await s.unitOfWork.commit([{ kind: 'session.put', row: { ...session('old', 1), expiresAt: 50 }, expectedVersion: undefined }, { kind: 'session.put', row: session('new', 1), expectedVersion: undefined }]);
      await quiet.unitOfWork.commit([{ kind: 'session.put', row: { ...session('old', 1), expiresAt: 60 }, expectedVersion: undefined }, { kind: 'session.put', row: session('new', 1), expectedVersion: undefined }]);
      expect(await s.purgeExpiredSessions(100)).toBe(2);
      for (const view of [s, quiet]) {
        expect(await view.sessions.get('old')).toBeUndefined();
        expect(await view.sessions.get('new')).toMatchObject({ key: 'new', version: 1, state: { step: 'asked' } });
      }
      expect(await quiet.purgeExpiredSessions(100)).toBe(0);
    });

    it("cases: newest first per person, facts kept when a later record has none, and another person's case never forgotten", async () => {
      const s = await fresh();
      await s.unitOfWork.commit([
        { kind: 'case.record', owner: 'ann', record: { caseId: 'C-ANNA2', procedure: 'biopsy', lane: 'medical', updatedAt: 1, facts: { procedure: 'biopsy' } } },
        { kind: 'case.record', owner: 'ann', record: { caseId: 'C-ANNB2', procedure: 'wisdom teeth', lane: 'dental', updatedAt: 2 } },
        { kind: 'case.record', owner: 'ann', record: { caseId: 'C-ANNA2', procedure: 'biopsy', lane: 'medical-first', updatedAt: 3 } },
        { kind: 'case.forget', owner: 'bob', caseId: 'C-ANNB2' },
      ]);
      expect((await s.cases.recent('ann')).map((c) => c.caseId)).toEqual(['C-ANNA2', 'C-ANNB2']);
      expect(await s.cases.get('C-ANNA2')).toEqual({ caseId: 'C-ANNA2', owner: 'ann', procedure: 'biopsy', lane: 'medical-first', updatedAt: 3, facts: { procedure: 'biopsy' } });
      await s.unitOfWork.commit([{ kind: 'case.forget', owner: 'ann', caseId: 'C-ANNB2' }]);
      expect(await s.cases.get('C-ANNB2')).toBeUndefined();
    });

    it('the inbox: one row per event id, in arrival order, answered with the turn and kept as done', async () => {
      const s = await fresh();
      const a = { owner: 'A', until: 1000 };
      const first = await s.inbox.add({ eventId: 'e1', sessionKey: 'k', turn: '{}', route: '{}' }, 1, a);
      const second = await s.inbox.add({ eventId: 'e2', sessionKey: 'k', turn: '{}', route: '{}' }, 2, a);
      expect(first).toBeTypeOf('number');
      expect(second).toBeGreaterThan(first ?? Infinity);
      expect(await s.inbox.add({ eventId: 'e1', sessionKey: 'k', turn: '{}', route: '{}' }, 3, a)).toBeUndefined();
      expect(await s.inbox.countOpen()).toBe(2);
      expect(await s.unitOfWork.commit([{ kind: 'inbox.answered', seq: first ?? 0, replies: '[]', at: 4, owner: 'A', until: 1000 }])).toBe(true);
      expect((await s.inbox.open()).map((r) => [r.eventId, r.status, r.replies])).toEqual([['e1', 'answered', '[]'], ['e2', 'pending', null]]);
      expect(await s.inbox.markDone(first ?? 0, 5, 'A')).toBe(true);
      expect(await s.inbox.countOpen()).toBe(1);
      expect(await s.inbox.add({ eventId: 'e1', sessionKey: 'k', turn: '{}', route: '{}' }, 6, a)).toBeUndefined(); // a done id is still recognised
      expect(await s.inbox.prune(6)).toBe(1);
      expect(await s.inbox.add({ eventId: 'e1', sessionKey: 'k', turn: '{}', route: '{}' }, 7, a)).toBeTypeOf('number');
    });

    it('the inbox: a row is answered and marked done only by the process holding it, and taken over once its lease ran out', async () => {
      const s = await fresh();
      const seq = (await s.inbox.add({ eventId: 'e1', sessionKey: 'test:t:dm:u1', turn: '{}', route: '{}' }, 0, { owner: 'A', until: 100 })) ?? -1;
      const answer = (owner: string) => s.unitOfWork.commit([
        { kind: 'case.record', owner: 'u1', record: { caseId: `C-${owner}LSE2`, procedure: 'biopsy', lane: 'medical', updatedAt: 5 } },
        { kind: 'inbox.answered', seq, replies: `["${owner}"]`, at: 5, owner, until: 1000 },
      ]);
      expect(await s.inbox.claim({ owner: 'B', until: 1050 }, 50, { platforms: ['test'], limit: 10 })).toEqual([]); // A's lease runs
      expect(await s.inbox.hold(seq, { owner: 'B', until: 1050 })).toBeUndefined();
      const taken = await s.inbox.claim({ owner: 'B', until: 1150 }, 150, { platforms: ['test'], limit: 10 });
      expect(taken.map((r) => [r.seq, r.eventId, r.status])).toEqual([[seq, 'e1', 'pending']]);
      // A comes back late: its answer is refused with everything of its turn, and it cannot mark the row done.
      expect(await answer('A')).toBe(false);
      expect(await s.cases.get('C-ALSE2')).toBeUndefined();
      expect(await s.inbox.markDone(seq, 160, 'A')).toBe(false);
      expect(await s.inbox.hold(seq, { owner: 'B', until: 1200 })).toEqual({ status: 'pending', replies: null });
      expect(await answer('B')).toBe(true);
      expect(await answer('B')).toBe(false); // once
      expect(await s.inbox.hold(seq, { owner: 'B', until: 1300 })).toEqual({ status: 'answered', replies: '["B"]' });
      expect(await s.inbox.claim({ owner: 'A', until: 2000 }, 1000, { platforms: ['test'], limit: 10 })).toEqual([]); // renewed by the hold
      expect(await s.inbox.renew({ owner: 'B', until: 5000 }, [seq, seq + 1])).toBe(1);
      expect(await s.inbox.renew({ owner: 'A', until: 5000 }, [seq])).toBe(0);
      expect(await s.inbox.claim({ owner: 'A', until: 6000 }, 4000, { platforms: ['test'], limit: 10 })).toEqual([]);
      expect(await s.inbox.markDone(seq, 170, 'B')).toBe(true);
      expect(await s.inbox.hold(seq, { owner: 'B', until: 1300 })).toBeUndefined();
      expect(await s.inbox.renew({ owner: 'B', until: 6000 }, [seq])).toBe(0);
      expect(await s.inbox.claim({ owner: 'A', until: 99_999 }, 99_000, { platforms: ['test'], limit: 10 })).toEqual([]); // done is never claimed
    });

    it('the inbox: a claim takes free rows of the platforms asked, oldest first, up to its limit; its owner\'s own at once when asked; released rows at once', async () => {
      const s = await fresh();
      const add = (id: string, key: string, owner: string, until: number) => s.inbox.add({ eventId: id, sessionKey: key, turn: '{}', route: '{}' }, 0, { owner, until });
      await add('s1', 'slack:T1:C1:U1', 'dead', 10);
      await add('t1', 'teams:x:c:u', 'dead', 10);
      await add('s2', 'slack:T1:C1:U2', 'dead', 10);
      await add('s3', 'slack:T1:C1:U3', 'dead', 10);
      await add('w1', 'web::web:u', 'me', 500);
      const ids = (rows: { eventId: string }[]) => rows.map((r) => r.eventId);
      expect(ids(await s.inbox.claim({ owner: 'B', until: 200 }, 100, { platforms: ['slack'], limit: 2 }))).toEqual(['s1', 's2']);
      expect(ids(await s.inbox.claim({ owner: 'C', until: 200 }, 100, { platforms: ['slack', 'teams'], limit: 10 }))).toEqual(['t1', 's3']);
      expect(await s.inbox.claim({ owner: 'C', until: 200 }, 100, { platforms: ['web'], limit: 10 })).toEqual([]);
      expect(ids(await s.inbox.claim({ owner: 'me', until: 700 }, 100, { platforms: ['web'], limit: 10, mine: 'me' }))).toEqual(['w1']);
      const [s1] = await s.inbox.open();
      await s.inbox.release('B', [s1?.seq ?? -1]);
      expect(ids(await s.inbox.claim({ owner: 'D', until: 300 }, 150, { platforms: ['slack'], limit: 10 }))).toEqual(['s1']);
      expect(await s.inbox.claim({ owner: 'D', until: 300 }, 150, { platforms: [], limit: 10 })).toEqual([]);
    });

    it('the inbox: two owners claiming at once never get the same row', async () => {
      const s = await fresh();
      const all: number[] = [];
      for (let i = 0; i < 60; i++) all.push((await s.inbox.add({ eventId: `e${i}`, sessionKey: `test:t:dm:u${i % 7}`, turn: '{}', route: '{}' }, 0, { owner: 'dead', until: 10 })) ?? -1);
      const claims = Array.from({ length: 16 }, (_, i) => s.inbox.claim({ owner: i % 2 ? 'A' : 'B', until: 10_000 }, 100, { platforms: ['test'], limit: 5 }).then((rows) => rows.map((r) => `${i % 2 ? 'A' : 'B'}:${r.seq}`)));
      const got = (await Promise.all(claims)).flat();
      const seqs = got.map((g) => g.split(':')[1]);
      expect(new Set(seqs).size).toBe(seqs.length); // no row twice, neither within one owner nor across
      expect(await s.inbox.renew({ owner: 'A', until: 20_000 }, all) + await s.inbox.renew({ owner: 'B', until: 20_000 }, all)).toBe(seqs.length);
      // A row skipped while another claim had it locked is free to the next one: none is lost.
      const rest = (await s.inbox.claim({ owner: 'C', until: 10_000 }, 100, { platforms: ['test'], limit: 100 })).map((r) => String(r.seq));
      expect(new Set([...seqs, ...rest]).size).toBe(60);
    });

    it('references: kept by address, replaced, listed by platform', async () => {
      const s = await fresh();
      const a = addressKey({ platform: 'slack', user: 'U1' });
      await s.references.put(a, 'slack', { dm: 'D1' }, 1);
      await s.references.put(a, 'slack', { dm: 'D2' }, 2);
      await s.references.put(addressKey({ platform: 'teams', user: 'U1' }), 'teams', { url: 'x' }, 2);
      expect(await s.references.get(a)).toEqual({ dm: 'D2' });
      expect(await s.references.list('slack')).toEqual([{ address: a, ref: { dm: 'D2' } }]);
      expect(await s.references.get('nowhere')).toBeUndefined();
    });

    it('claims: a new claim once, changes only at the version read, with their history', async () => {
      const s = await fresh();
      const write = (c: Claim, expectedVersion: number | undefined, e: HistoryEntry): Promise<boolean> => s.unitOfWork.commit([{ kind: 'claim.change', after: c, entry: e, expectedVersion }]);
      expect(await write(claim('C-CLMA2'), undefined, entry('created'))).toBe(true);
      expect(await write(claim('C-CLMA2'), undefined, entry('created'))).toBe(false);
      const denied = claim('C-CLMA2', { status: 'denied', denial: { group: 'CO', carc: '50' }, deniedDate: '2026-11-20', appealDeadline: '2027-05-19', version: 2 });
      expect(await write(denied, 1, entry('denied', { fromStatus: 'submitted', toStatus: 'denied', change: { status: 'denied' }, before: { status: 'submitted' } }))).toBe(true);
      expect(await write({ ...denied, version: 3 }, 1, entry('paid'))).toBe(false);
      expect(await s.claims.get('C-CLMA2')).toEqual(denied);
      expect((await s.claims.history('C-CLMA2')).map((h) => h.action)).toEqual(['created', 'denied']);
      expect(await s.claims.lastEntry('C-CLMA2')).toMatchObject({ caseId: 'C-CLMA2', action: 'denied', fromStatus: 'submitted', before: { status: 'submitted' } });
      expect(await s.claims.lastEntryBy('test:u1')).toMatchObject({ caseId: 'C-CLMA2', action: 'denied' });
      expect(await s.claims.lastEntryBy('nobody')).toBeUndefined();
    });

    it("claims: the digest's sections with their counts and amounts, the open claims next follow-up first", async () => {
      const s = await fresh();
      const writes: StoreWrite[] = [
        claim('C-OVRD2', { nextFollowUp: '2026-11-20' }),
        claim('C-TDAY2', { nextFollowUp: '2026-12-02', billedCents: 1000, paidCents: 400 }),
        claim('C-LATR2', { nextFollowUp: '2026-12-20' }),
        claim('C-APPL2', { status: 'denied', deniedDate: '2026-11-01', appealDeadline: '2026-12-10', nextFollowUp: '2026-11-08' }),
        claim('C-DRFT2', { status: 'draft', submittedDate: undefined, nextFollowUp: undefined, serviceDate: '2026-11-01' }),
        claim('C-PAID2', { status: 'paid', nextFollowUp: undefined, paidCents: 65000 }),
      ].map((c) => ({ kind: 'claim.change', after: c, entry: entry('created'), expectedVersion: undefined }));
      expect(await s.unitOfWork.commit(writes)).toBe(true);
      const due = await s.claims.due({ today: '2026-12-02', until: '2026-12-16', authUntil: '2026-12-16', unsubmittedBefore: '2026-11-25', limit: 5 });
      expect(due.sections.overdue.items.map((i) => i.caseId)).toEqual(['C-OVRD2']); // the denied claim is listed under appeals only
      expect(due.sections.today).toMatchObject({ count: 1, cents: 600, items: [{ caseId: 'C-TDAY2', date: '2026-12-02' }] });
      expect(due.sections.appeals).toMatchObject({ count: 1, items: [{ caseId: 'C-APPL2', date: '2026-12-10' }] });
      expect(due.sections.unsubmitted.items.map((i) => i.caseId)).toEqual(['C-DRFT2']);
      expect(due.sections.records.count).toBe(0);
      expect(due.open).toEqual({ count: 5, cents: 4 * 65000 + 600 });
      expect((await s.claims.openClaims(10)).map((c) => c.caseId)).toEqual(['C-APPL2', 'C-OVRD2', 'C-TDAY2', 'C-LATR2', 'C-DRFT2']);
    });

    it("claims: by the practice's claim number, in any letter case, each claim that has it; the digest's items carry it", async () => {
      const s = await fresh();
      const writes: StoreWrite[] = [
        claim('C-REFA2', { reference: 'A1005', nextFollowUp: '2026-11-20' }),
        claim('C-REFB2', { reference: 'a-77' }),
        claim('C-REFC2', { reference: 'A-77' }),
        claim('C-NONE2'),
      ].map((c) => ({ kind: 'claim.change', after: c, entry: entry('created'), expectedVersion: undefined }));
      expect(await s.unitOfWork.commit(writes)).toBe(true);
      expect((await s.claims.byReference('A1005')).map((c) => c.caseId)).toEqual(['C-REFA2']);
      expect((await s.claims.byReference('a1005'))[0]).toEqual(await s.claims.get('C-REFA2'));
      expect((await s.claims.byReference(' A1005 ')).map((c) => c.caseId)).toEqual(['C-REFA2']);
      // A number two claims share is answered with both, so the caller can say so instead of picking one.
      expect((await s.claims.byReference('A-77')).map((c) => c.caseId)).toEqual(['C-REFB2', 'C-REFC2']);
      expect(await s.claims.byReference('A1006')).toEqual([]);
      expect(await s.claims.byReference('')).toEqual([]);
      const due = await s.claims.due({ today: '2026-12-02', until: '2026-12-16', authUntil: '2026-12-16', unsubmittedBefore: '2026-11-25', limit: 5 });
      expect(due.sections.overdue.items.find((i) => i.caseId === 'C-REFA2')).toMatchObject({ reference: 'A1005', date: '2026-11-20' });
      expect(due.sections.overdue.items.find((i) => i.caseId === 'C-NONE2')).not.toHaveProperty('reference');
    });

    it('claims: a dental claim adds nothing to the open amount while its medical claim is open (the same money)', async () => {
      const s = await fresh();
      const window = { today: '2026-12-02', until: '2026-12-16', authUntil: '2026-12-16', unsubmittedBefore: '2026-11-25', limit: 5 };
      const medical = claim('C-DUPA2', { lane: 'medical-first', status: 'denied', billedCents: 65000 });
      const dental = claim('C-DUPA2-D', { lane: 'medical-first', payerKind: 'dental', status: 'draft', billedCents: 65000 });
      const other = claim('C-DUPB2', { billedCents: 10000, paidCents: 2500 });
      const create = (c: Claim): StoreWrite => ({ kind: 'claim.change', after: c, entry: entry('created'), expectedVersion: undefined });
      expect(await s.unitOfWork.commit([create(medical), create(dental), create(other)])).toBe(true);
      expect((await s.claims.due(window)).open).toEqual({ count: 3, cents: 65000 + 7500 });
      // The medical claim written off: the dental claim's balance is what is left to collect.
      const closed = { ...medical, status: 'written-off' as const, version: 2 };
      expect(await s.unitOfWork.commit([{ kind: 'claim.change', after: closed, entry: entry('written-off', { toStatus: 'written-off' }), expectedVersion: 1 }])).toBe(true);
      expect((await s.claims.due(window)).open).toEqual({ count: 2, cents: 65000 + 7500 });
    });

    it('claim reports: every claim once, the export oldest first, across pages', async () => {
      const s = await fresh();
      const n = 2_345; // more than one page of any sensible size
      const ids = Array.from({ length: n }, (_, i) => `C-${'ABCDEFGHJKMNPQRSTUVWXYZ23456789'[i % 31] ?? 'A'}${String(i).padStart(4, '2').replace(/[01]/g, 'Z')}`);
      const unique = [...new Set(ids)];
      const writes: StoreWrite[] = unique.map((id, i) => ({ kind: 'claim.change', after: claim(id, { createdAt: 1000 + (i % 7), billedCents: 100 }), entry: entry(i % 3 ? 'created' : 'records-requested'), expectedVersion: undefined }));
      expect(await s.unitOfWork.commit(writes)).toBe(true);
      let billed = 0;
      let records = 0;
      let rows = 0;
      for await (const page of s.claimReports.scan()) {
        for (const r of page) {
          rows++;
          billed += r[6];
          records += r[15];
        }
      }
      expect(rows).toBe(unique.length);
      expect(billed).toBe(unique.length * 100);
      expect(records).toBe(unique.filter((_, i) => i % 3 === 0).length);
      const exported: string[] = [];
      for await (const r of s.claimReports.exportRows()) exported.push(r.case_id);
      const expected = unique.map((id, i) => ({ id, created: 1000 + (i % 7) })).sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((x) => x.id);
      expect(exported).toEqual(expected);
    });

    it('claim reports: the claims not submitted yet, by date of service (none last), with their claim numbers', async () => {
      const s = await fresh();
      const writes: StoreWrite[] = [
        claim('C-SUBM3', { reference: 'A1', serviceDate: '2026-10-01' }),
        claim('C-DRFTB', { status: 'draft', submittedDate: undefined, nextFollowUp: undefined }),
        claim('C-DRFTC', { status: 'draft', reference: 'A1005', payer: 'Medicare', payerKind: 'medicare', category: 'biopsy', submittedDate: undefined, nextFollowUp: undefined, serviceDate: '2026-11-01', billedCents: undefined }),
        claim('C-DRFTA', { status: 'draft', submittedDate: undefined, nextFollowUp: undefined, serviceDate: '2026-11-20', createdAt: 2000 }),
        claim('C-CLSD3', { status: 'closed', submittedDate: undefined, nextFollowUp: undefined, serviceDate: '2026-09-01' }),
      ].map((c) => ({ kind: 'claim.change', after: c, entry: entry('created'), expectedVersion: undefined }));
      expect(await s.unitOfWork.commit(writes)).toBe(true);
      expect(await s.claimReports.notSubmitted()).toEqual([
        { caseId: 'C-DRFTC', reference: 'A1005', payer: 'Medicare', payerKind: 'medicare', category: 'biopsy', billedCents: 0, serviceDate: '2026-11-01', createdAt: 1000 },
        { caseId: 'C-DRFTA', reference: null, payer: 'Aetna', payerKind: 'commercial', category: null, billedCents: 65000, serviceDate: '2026-11-20', createdAt: 2000 },
        { caseId: 'C-DRFTB', reference: null, payer: 'Aetna', payerKind: 'commercial', category: null, billedCents: 65000, serviceDate: null, createdAt: 1000 },
      ]);
    });

    it('digests: a channel without its thread; one owner per run, taken over after its lease, never once sent', async () => {
      const s = await fresh();
      const set = await s.digests.setChannel({ address: { platform: 'slack', tenant: 'T1', channel: 'C1', thread: '1.2' }, localTime: '08:00', zone: 'America/Chicago', weekdays: [5, 1, 1] }, 10);
      expect(set).toEqual({ key: 'slack:T1:channel:C1', target: { platform: 'slack', tenant: 'T1', channel: 'C1' }, localTime: '08:00', zone: 'America/Chicago', weekdays: [1, 5], updatedAt: 10 });
      await expect(s.digests.setChannel({ address: { platform: 'slack', channel: 'C2' }, localTime: '8:00', zone: 'UTC', weekdays: [1] }, 0)).rejects.toThrow(RangeError);
      await s.unitOfWork.commit([{ kind: 'digest.set-channel', channel: { address: { platform: 'slack', channel: 'C0' }, localTime: '09:00', zone: 'UTC', weekdays: [7] }, at: 20 }]);
      expect((await s.digests.channels()).map((c) => c.key)).toEqual(['slack::channel:C0', 'slack:T1:channel:C1']);
      await s.unitOfWork.commit([{ kind: 'digest.remove-channel', address: { platform: 'slack', channel: 'C0' } }]);
      expect(await s.digests.channel({ platform: 'slack', channel: 'C0' })).toBeUndefined();
      expect(await s.digests.removeChannel({ platform: 'slack', tenant: 'T1', channel: 'C1' })).toBe(true);
      expect(await s.digests.removeChannel({ platform: 'slack', tenant: 'T1', channel: 'C1' })).toBe(false);
      const k = 'slack:T1:channel:C1';
      expect(await s.digests.claim(k, '2026-02-10', 'A', 1000, 0)).toBe(true);
      expect(await s.digests.claim(k, '2026-02-10', 'B', 2000, 1000)).toBe(false); // the lease ends strictly before now
      expect(await s.digests.claim(k, '2026-02-10', 'B', 2001, 1001)).toBe(true);
      expect(await s.digests.markSent(k, '2026-02-10', 'A', 'mA', 1100)).toBe(false);
      expect(await s.digests.markSent(k, '2026-02-10', 'B', 'mB', 1100)).toBe(true);
      expect(await s.digests.markSent(k, '2026-02-10', 'B', 'mB2', 1200)).toBe(false);
      expect(await s.digests.run(k, '2026-02-10')).toEqual({ key: k, localDate: '2026-02-10', owner: 'B', leaseUntil: 2001, sentAt: 1100, messageId: 'mB' });
      expect(await s.digests.claim(k, '2026-02-10', 'C', 99_999, 50_000)).toBe(false);
      // Parts as they went out: kept once each (the first record of a part stands), in part order.
      await s.digests.recordPart(k, '2026-02-10', { part: 2, of: 2, messageId: 'm2' }, 1150);
      await s.digests.recordPart(k, '2026-02-10', { part: 1, of: 2, messageId: 'm1' }, 1160);
      await s.digests.recordPart(k, '2026-02-10', { part: 1, of: 2, messageId: 'm1-again' }, 1170);
      await s.digests.recordPart(k, '2026-02-11', { part: 1, of: 1, messageId: 'n1' }, 1180);
      expect(await s.digests.parts(k, '2026-02-10')).toEqual([{ part: 1, of: 2, messageId: 'm1' }, { part: 2, of: 2, messageId: 'm2' }]);
      expect(await s.digests.parts(k, '2026-02-09')).toEqual([]);
      expect(await s.purgeDigestRuns('2026-02-11')).toBe(1);
      expect(await s.digests.run(k, '2026-02-10')).toBeUndefined();
      expect(await s.digests.parts(k, '2026-02-10')).toEqual([]);
      expect(await s.digests.parts(k, '2026-02-11')).toEqual([{ part: 1, of: 1, messageId: 'n1' }]);
    });

    it('held things: by token and kind, for their owner, until they expire; taken once', async () => {
      const s = await fresh();
      const file = { kind: 'file', bytes: Buffer.from('PK\u0003\u0004docx'), name: 'LMN-C-HLDA2.docx', mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', owner: 'u1', until: 2000 };
      await s.held.hold('t-file', file, 1000);
      await s.held.hold('t-pic', { kind: 'picture', bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47]), mediaType: 'image/png', until: 5000 }, 1000);
      expect(await s.held.get('t-file', 'file', 'u1', 1500)).toEqual(file);
      expect(await s.held.get('t-file', 'file', 'u2', 1500)).toBeUndefined(); // someone else's
      expect(await s.held.get('t-file', 'picture', 'u1', 1500)).toBeUndefined(); // another kind
      expect(await s.held.get('t-file', 'file', 'u1', 2000)).toBeUndefined(); // expired
      expect((await s.held.get('t-pic', 'picture', undefined, 4999))?.bytes).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      expect(await s.held.take('t-file', 'file', 'u2', 1500)).toBeUndefined();
      expect(await s.held.take('t-file', 'file', 'u1', 1500)).toEqual(file);
      expect(await s.held.take('t-file', 'file', 'u1', 1500)).toBeUndefined();
      // Holding drops what has expired.
      await s.held.hold('t-new', { kind: 'picture', bytes: Buffer.from('x'), until: 9000 }, 6000);
      expect(await s.held.get('t-pic', 'picture', undefined, 0)).toBeUndefined();
      expect(await s.held.get('nope', 'picture', undefined, 0)).toBeUndefined();
    });

    it('installations: put replaces by key, an org install serves every team of its enterprise, delete removes it', async () => {
      const s = await fresh();
      const t1: Installation = { key: 'T1', teamId: 'T1', isEnterpriseInstall: false, botUserId: 'UB1', botId: 'B1', appId: 'A1', scopes: ['chat:write', 'commands'], installedAt: 1000, sealedBotToken: 'v1:k:iv:tag:one' };
      const org: Installation = { key: 'E1', enterpriseId: 'E1', isEnterpriseInstall: true, botUserId: 'UBE', appId: 'A1', scopes: ['chat:write'], installedAt: 2000, sealedBotToken: 'v1:k:iv:tag:org' };
      // A team of enterprise E2 that installed on its own (not org-wide).
      const t3: Installation = { key: 'T3', teamId: 'T3', enterpriseId: 'E2', isEnterpriseInstall: false, botUserId: 'UB3', appId: 'A1', scopes: [], installedAt: 3000, sealedBotToken: 'v1:k:iv:tag:three' };
      for (const i of [t1, org, t3]) await s.installations.put(i);
      expect(await s.installations.get('T1')).toEqual(t1);
      expect(await s.installations.find({ teamId: 'T1' })).toEqual(t1);
      expect(await s.installations.find({ teamId: 'T9', enterpriseId: 'E1', isEnterpriseInstall: true })).toEqual(org);
      expect(await s.installations.find({ teamId: 'T9', enterpriseId: 'E1' })).toEqual(org); // a team of E1 without its own install
      expect(await s.installations.find({ teamId: 'T3', enterpriseId: 'E2' })).toEqual(t3);
      expect(await s.installations.find({ teamId: 'T4', enterpriseId: 'E2' })).toBeUndefined(); // E2 has no org install
      expect(await s.installations.find({ teamId: 'E1' })).toBeUndefined(); // a team id never finds an org row by accident
      expect(await s.installations.find({})).toBeUndefined();
      const reinstalled = { ...t1, scopes: ['chat:write'], installedAt: 4000, sealedBotToken: 'v1:k:iv:tag:new' };
      await s.installations.put(reinstalled);
      expect(await s.installations.get('T1')).toEqual(reinstalled);
      expect(await s.installations.delete('T1')).toBe(true);
      expect(await s.installations.delete('T1')).toBe(false);
      expect(await s.installations.find({ teamId: 'T1' })).toBeUndefined();
      expect(await s.installations.get('E1')).toEqual(org);
    });

    it('letters: one draft per case, replaced, with the turn or alone', async () => {
      const s = await fresh();
      const letter = { caseId: 'C-LTRA2', templateId: 'osa', templateVersion: 1, facts: { ahi: '24' }, owner: 'k', updatedAt: 1 };
      await s.unitOfWork.commit([{ kind: 'letter.save', letter }]);
      expect(await s.letters.get('C-LTRA2')).toEqual(letter);
      await s.letters.put({ ...letter, facts: { ahi: '30' }, narrative: ['A paragraph.'], updatedAt: 2 });
      expect(await s.letters.get('C-LTRA2')).toEqual({ ...letter, facts: { ahi: '30' }, narrative: ['A paragraph.'], updatedAt: 2 });
      expect(await s.letters.get('C-NONE2')).toBeUndefined();
    });

    it('the ICD-10-CM table: replaced whole, read by code and by words, and as a view for the pure code', async () => {
      const s = await fresh();
      expect(await s.icd10.info()).toBeUndefined();
      expect(await s.icd10.view()).toBeUndefined();
      await s.icd10.replace([{ code: 'X99.9', title: 'Old', billable: true }], 'old.txt', 'order');
      const info = await s.icd10.replace([
        { code: 'K08.3', title: 'Retained dental root', billable: true },
        { code: 'K08', title: 'Other disorders of teeth and supporting structures', billable: false },
        { code: 'R42', title: '', billable: true },
      ], 'codes.txt', 'order');
      expect(info).toMatchObject({ file: 'codes.txt', format: 'order', count: 3 });
      expect(await s.icd10.info()).toEqual(info);
      expect(await s.icd10.get('X99.9')).toBeUndefined();
      expect(await s.icd10.get('K08.3')).toEqual({ code: 'K08.3', title: 'Retained dental root', billable: true });
      expect((await s.icd10.search(['retain', 'root'], 5)).map((c) => c.code)).toEqual(['K08.3']);
      expect((await s.icd10.search(['teeth'], 5)).map((c) => c.code)).toEqual(['K08']);
      expect(await s.icd10.search(['***'], 5)).toEqual([]);
      const view = await s.icd10.view();
      expect(view?.get('R42')).toEqual({ code: 'R42', title: 'ICD-10-CM code (the imported file has no title)', billable: true });
      expect(view?.lookupIcd10('K08.3')).toMatchObject({ code: 'K08.3', title: 'Retained dental root', billable: true });
      expect(view?.search(['dental'], 5).map((c) => c.code)).toEqual(['K08.3']);
    });

    describe('practices', () => {
      it('keeps each practice\'s sessions, cases, claims, history, letters and references out of another\'s sight', async () => {
        const root = await fresh();
        expect(root.practiceId).toBe('default');
        const a = root.practice('slack:T1');
        const b = root.practice('slack:T2');
        expect(root.practice('slack:T1')).toBe(a); // cached: one view per practice
        const letter = { caseId: 'C-SAME2', templateId: 'osa', templateVersion: 1, facts: { ahi: '24' }, owner: 'k', updatedAt: 1 };
        expect(await a.unitOfWork.commit([
          { kind: 'session.put', row: session('k', 1), expectedVersion: undefined },
          { kind: 'case.record', owner: 'k', record: { caseId: 'C-SAME2', procedure: 'biopsy', lane: 'medical', updatedAt: 5 } },
          { kind: 'claim.change', after: claim('C-SAME2', { reference: 'A1005' }), entry: entry('created', { actor: 'slack:U1' }), expectedVersion: undefined },
          { kind: 'letter.save', letter },
        ])).toBe(true);
        await a.references.put('slack:T1:channel:C1', 'slack', { address: 'x' }, 1);
        for (const other of [b, root]) {
          expect(await other.sessions.get('k')).toBeUndefined();
          expect(await other.cases.get('C-SAME2')).toBeUndefined();
          expect(await other.cases.recent('k')).toEqual([]);
          expect(await other.claims.get('C-SAME2')).toBeUndefined();
          expect(await other.claims.byReference('a1005')).toEqual([]);
          expect(await other.claims.find({ caseIds: ['C-SAME2'], references: ['a1005'] })).toEqual([]);
          expect(await other.claims.history('C-SAME2')).toEqual([]);
          expect(await other.claims.lastEntry('C-SAME2')).toBeUndefined();
          expect(await other.claims.lastEntryBy('slack:U1')).toBeUndefined();
          expect(await other.claims.openClaims(10)).toEqual([]);
          expect((await other.claims.due({ today: '2026-12-01', until: '2027-01-01', authUntil: '2027-01-01', unsubmittedBefore: '2026-12-01', limit: 5 })).open.count).toBe(0);
          expect(await other.letters.get('C-SAME2')).toBeUndefined();
          expect(await other.references.get('slack:T1:channel:C1')).toBeUndefined();
          expect(await other.references.list('slack')).toEqual([]);
          const rows = [];
          for await (const page of other.claimReports.scan()) rows.push(...page);
          expect(rows).toEqual([]);
        }
        expect((await a.claims.due({ today: '2026-12-01', until: '2027-01-01', authUntil: '2027-01-01', unsubmittedBefore: '2026-12-01', limit: 5 })).open.count).toBe(1);
        expect(await a.letters.get('C-SAME2')).toEqual(letter);
        expect((await a.sessions.get('k'))?.version).toBe(1);
      });

      it('has the same case ID in two practices independently, and a claim update from one never touches the other\'s', async () => {
        const root = await fresh();
        const a = root.practice('slack:T1');
        const b = root.practice('slack:T2');
        const created = (who: Storage, extra: Partial<Claim>) => who.unitOfWork.commit([{ kind: 'claim.change', after: claim('C-TWIN2', extra), entry: entry('created'), expectedVersion: undefined }]);
        expect(await created(a, { payer: 'Aetna' })).toBe(true);
        expect(await created(b, { payer: 'Cigna' })).toBe(true); // not a conflict: B has no C-TWIN2 yet
        expect(await created(b, { payer: 'Cigna' })).toBe(false); // now it has
        // B marks its C-TWIN2 paid at version 1: A's claim, also at version 1, stays as it was.
        expect(await b.unitOfWork.commit([{ kind: 'claim.change', after: claim('C-TWIN2', { payer: 'Cigna', status: 'paid', paidCents: 65000, version: 2 }), entry: entry('paid', { toStatus: 'paid' }), expectedVersion: 1 }])).toBe(true);
        expect(await a.claims.get('C-TWIN2')).toMatchObject({ payer: 'Aetna', status: 'submitted', version: 1 });
        expect(await b.claims.get('C-TWIN2')).toMatchObject({ payer: 'Cigna', status: 'paid', version: 2 });
        expect((await a.claims.history('C-TWIN2')).map((h) => h.action)).toEqual(['created']);
        expect((await b.claims.history('C-TWIN2')).map((h) => h.action)).toEqual(['created', 'paid']);
        // Cases and letters too: one per case ID per practice.
        await a.unitOfWork.commit([{ kind: 'case.record', owner: 'k', record: { caseId: 'C-TWIN2', procedure: 'biopsy', lane: 'medical', updatedAt: 5 } }]);
        await b.unitOfWork.commit([{ kind: 'case.record', owner: 'k', record: { caseId: 'C-TWIN2', procedure: 'implant', lane: 'dental', updatedAt: 6 } }]);
        expect((await a.cases.get('C-TWIN2'))?.procedure).toBe('biopsy');
        expect((await b.cases.get('C-TWIN2'))?.procedure).toBe('implant');
      });

      it('keeps digest channels, runs and parts, held things and settings per practice; lists the practices with digests', async () => {
        const root = await fresh();
        const a = root.practice('slack:T1');
        const b = root.practice('slack:T2');
        const address = { platform: 'slack', tenant: 'T1', channel: 'C1' };
        const k = addressKey(address);
        await a.unitOfWork.commit([{ kind: 'digest.set-channel', channel: { address, localTime: '08:00', zone: 'America/Chicago', weekdays: [1, 2, 3, 4, 5] }, at: 1 }]);
        expect(await b.digests.channel(address)).toBeUndefined();
        expect(await b.digests.channels()).toEqual([]);
        expect(await b.digests.removeChannel(address)).toBe(false);
        expect((await a.digests.channels()).map((c) => c.key)).toEqual([k]);
        expect(await root.digestPractices()).toEqual(['slack:T1']);
        expect(await b.digestPractices()).toEqual(['slack:T1']); // deployment-wide, from any view
        expect(await a.digests.claim(k, '2026-12-07', 'p1', 100, 1)).toBe(true);
        expect(await b.digests.run(k, '2026-12-07')).toBeUndefined();
        expect(await b.digests.claim(k, '2026-12-07', 'p2', 100, 1)).toBe(true); // its own run, not A's
        expect(await b.digests.markSent(k, '2026-12-07', 'p1', 'm', 2)).toBe(false);
        await a.digests.recordPart(k, '2026-12-07', { part: 1, of: 1, messageId: 'm1' }, 2);
        expect(await b.digests.parts(k, '2026-12-07')).toEqual([]);
        // Purging is deployment-wide: B's old run, and A's, from any view (A keeps its channel, B has none).
        expect(await b.purgeDigestRuns('2026-12-07')).toBe(0);
        expect(await b.purgeDigestRuns('2027-01-01')).toBe(2);
        expect(await a.digests.run(k, '2026-12-07')).toBeUndefined();
        expect(await a.digests.parts(k, '2026-12-07')).toEqual([]);
        await a.held.hold('tok', { kind: 'file', bytes: Buffer.from('x'), until: 9000 }, 1);
        expect(await b.held.get('tok', 'file', undefined, 2)).toBeUndefined();
        expect(await b.held.take('tok', 'file', undefined, 2)).toBeUndefined();
        expect(await a.held.get('tok', 'file', undefined, 2)).toMatchObject({ kind: 'file' });
        // Expired things go whichever practice holds next: A's file, past its time, once B holds a picture.
        await b.held.hold('tok-b', { kind: 'picture', bytes: Buffer.from('y'), until: 20_000 }, 9500);
        expect(await a.held.get('tok', 'file', undefined, 0)).toBeUndefined();
        expect(await b.held.get('tok-b', 'picture', undefined, 9600)).toMatchObject({ kind: 'picture' });
        expect(await a.settings.get()).toBeUndefined();
        await a.settings.put({ zone: 'America/Chicago', followUp: { first: 21 }, appeal: { commercial: 120 } }, 5);
        expect(await a.settings.get()).toEqual({ settings: { zone: 'America/Chicago', followUp: { first: 21 }, appeal: { commercial: 120 } }, updatedAt: 5 });
        expect(await b.settings.get()).toBeUndefined();
        expect(await root.settings.get()).toBeUndefined();
      });

      it('refuses a malformed practice id', async () => {
        const root = await fresh();
        for (const bad of ['', 'a b', 'x'.repeat(101), "t1'; DROP TABLE claims"]) expect(() => root.practice(bad)).toThrow(/practice id/);
      });

      it('records on an inbox row the practice it was accepted for, and keeps one queue for the deployment', async () => {
        const root = await fresh();
        const seq = await root.practice('slack:T1').inbox.add({ eventId: 'slack:T1:Ev1', sessionKey: 'k', turn: '{}', route: '{}' }, 1, { owner: 'p1', until: 100 });
        expect(seq).toBeDefined();
        expect(await root.practice('slack:T2').inbox.add({ eventId: 'slack:T1:Ev1', sessionKey: 'k', turn: '{}', route: '{}' }, 2, { owner: 'p1', until: 100 })).toBeUndefined();
        expect((await root.inbox.open()).map((r) => r.eventId)).toEqual(['slack:T1:Ev1']);
      });
    });
  });
}
