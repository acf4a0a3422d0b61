/** The dialog engine against a real SQLite file: sessions, ordering, expiry, bad input, failures, privacy. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { putSession, sqliteStorage } from '../../support/storage.js';
import type { SqliteStorage } from '../../../src/store/sqlite/index.js';
import { openEngine } from '../../support/house.js';
import { MAX_TEXT_CHARS } from '../../../src/engine/model.js';
import { reply, type Input, type Reply, type Turn } from '../../../src/engine/model.js';
import { triageFlow } from '../../../flows/triage.js';
import type { FlowState } from '../../../src/engine/flow.js';
import type { SessionRow } from '../../../src/store/sessions.js';
import { run, tempDbPath } from '../../helpers.js';
import { createLogger, type Logger } from '../../../src/log.js';

const opened: SqliteStorage[] = [];
afterEach(async () => {
  while (opened.length) await opened.pop()!.close();
  vi.restoreAllMocks();
});

function setup(opts: { path?: string; now?: () => number; ttlMs?: number; log?: Logger } = {}) {
  const path = opts.path ?? tempDbPath();
  const db = sqliteStorage(path);
  opened.push(db);
  const engine = openEngine(db, { ...(opts.now ? { now: opts.now } : {}), ...(opts.ttlMs ? { sessionTtlMs: opts.ttlMs } : {}), ...(opts.log ? { log: opts.log } : {}) });
  const as = (user: string) => (input: Input | string): Promise<Reply[]> =>
    engine.handle({ platform: 'test', user, conversation: 'dm', direct: true, input: typeof input === 'string' ? { kind: 'text', text: input } : input } satisfies Turn);
  const sessions = {
    get: (key: string) => db.sessions.get<FlowState>(key),
    put: (row: SessionRow<FlowState>) => putSession(db, row),
  };
  return { path, db, engine, say: as('u1'), as, sessions };
}

const texts = (replies: Reply[]) => replies.map((r) => r.text).join('\n');
const choice = (replies: Reply[], label: string) => {
  for (const r of replies) for (const p of r.parts) if (p.kind === 'choices') for (const c of p.choices) if (c.label === label) return c.value;
  throw new Error(`no button ${label} in ${texts(replies)}`);
};
const lanes = (replies: Reply[]) => replies.flatMap((r) => r.parts.flatMap((p) => (p.kind === 'triage' ? [p.result.lane] : [])));
const sessionKey = 'test::dm:u1';

describe('sessions', () => {
  it('keeps a case\'s facts beyond the conversation, by case ID, also after a restart', async () => {
    const first = setup();
    const replies = await first.say('pt broke #8 in a bike accident, BCBS medical + Delta dental separate plans');
    const caseId = /Case (C-[A-Z0-9]{5})/.exec(texts(replies))![1]!;
    await first.say('cancel'); // the conversation ends; the case stays
    const again = setup({ path: first.path });
    const file = (await again.engine.caseFile(caseId));
    expect(file).toMatchObject({ caseId, lane: 'medical', facts: { coverage: { medical: true, dental: true, combinedPlan: false } } });
    expect(String(file?.facts.notes)).toContain('bike accident');
  });

  it('validates a stored state against its flow: a state that does not fit starts over, politely', async () => {
    const { say, sessions } = setup();
    await say('should I bill medical for the wisdom teeth?');
    const row = (await sessions.get(sessionKey))!;
    // A state written by an older build, or damaged: facts of the wrong type.
    await sessions.put({ ...row, state: { ...row.state, slots: { facts: { procedure: 42 }, asked: 'many' } } });
    const replies = await say('One combined plan');
    expect(texts(replies)).toMatch(/medbill was updated since your last message, so that question starts again/);
    expect((await sessions.get(sessionKey))?.state.slots).not.toMatchObject({ asked: 'many' });
  });

  it('keeps one session per person: two people in one conversation do not share answers', async () => {
    const { as } = setup();
    await as('ann')('should I bill medical for the wisdom teeth?');
    const bob = await as('bob')('One combined plan');
    expect(lanes(bob)).toEqual([]); // Bob has no open question: his words start something of his own
    const ann = await as('ann')('One combined plan');
    expect(texts(ann)).toMatch(/one combined/i);
  });

  it('applies two turns that arrive together one after the other, never interleaved', async () => {
    const { say, sessions } = setup();
    const first = await say('should I bill medical for the wisdom teeth?');
    const [a, b] = await Promise.all([say({ kind: 'button', value: choice(first, 'Medical + dental, separate plans') }), say('Commercial')]);
    expect(texts(a)).toMatch(/what kind of medical plan/i); // the button was applied first…
    expect(texts(b)).toMatch(/why is it needed/i); // …and the typed answer saw its result
    const row = (await sessions.get(sessionKey))!;
    expect(row.version).toBe(3);
    expect(row.state.slots).toMatchObject({ facts: { coverage: { medical: true, dental: true, combinedPlan: false, medicalPayer: 'commercial' } } });
  });

  it('resumes after the database is closed and opened again, as after a restart', async () => {
    const first = setup();
    await first.say('should I bill medical for the wisdom teeth?');
    await first.db.close();
    opened.pop();
    const second = setup({ path: first.path });
    const replies = await second.say('One combined plan');
    expect(texts(replies)).not.toMatch(/expired|ended/i);
    expect(texts(replies)).toMatch(/one combined medical and dental plan/i);
    expect(lanes(replies)).toEqual(['medical-first']);
    expect((await second.sessions.get(sessionKey))!.state.step).toBe('answer');
  });

  it('expires a quiet session and answers the stale question with a friendly restart', async () => {
    let now = 1_000_000;
    const { say, sessions } = setup({ now: () => now, ttlMs: 60_000 });
    const first = await say('should I bill medical for the wisdom teeth?');
    now += 61_000;
    const replies = await say({ kind: 'button', value: choice(first, 'One combined plan') });
    expect(texts(replies)).toMatch(/expired after 1 minutes without an answer, so I started over/);
    expect(texts(replies)).toMatch(/what procedure is it/i);
    expect((await sessions.get(sessionKey))!.state.step).toBe('procedure');
  });

  it("drops expired sessions from the database when medbill starts, every practice's", async () => {
    let now = 5_000_000;
    const first = setup({ now: () => now, ttlMs: 60_000 });
    await first.say('should I bill medical for the wisdom teeth?');
    expect((await first.sessions.get(sessionKey))).toBeDefined();
    // A practice whose people stopped writing: nothing of it is read again to drop its sessions lazily.
    const quiet = first.db.practice('slack:T9');
    const stored = await first.sessions.get(sessionKey);
    if (!stored) throw new Error('no session stored');
    expect(await quiet.unitOfWork.commit([{ kind: 'session.put', row: stored, expectedVersion: undefined }])).toBe(true);
    now += 61_000;
    const second = setup({ path: first.path, now: () => now, ttlMs: 60_000 });
    await second.engine.ready(); // started: its start-up reads and writes are done
    expect((await second.sessions.get(sessionKey))).toBeUndefined();
    expect(await second.db.practice('slack:T9').sessions.get(sessionKey)).toBeUndefined();
  });

  it("screens a message before the platform is acknowledged without reading the practice's settings, unless the pending question names products", async () => {
    const { db, engine, say } = setup();
    await say('should I bill medical for the wisdom teeth?'); // triage asks its next question
    const reads = vi.spyOn(db.practice('default').settings, 'get');
    const screened = await engine.screen({ kind: 'text', text: 'one combined plan' }, { platform: 'test', user: 'u1', conversation: 'dm' });
    expect(screened).toMatchObject({ input: { kind: 'text', text: 'one combined plan' } });
    expect(reads).not.toHaveBeenCalled(); // one database read fewer on the way to the acknowledgement
  });

  it('restarts politely when a flow changed shape since the session was stored', async () => {
    const { say, sessions } = setup();
    await say('should I bill medical for the wisdom teeth?');
    const row = (await sessions.get(sessionKey))!;
    await sessions.put({ ...row, flowVersion: row.flowVersion + 99 });
    expect(texts(await say('One combined plan'))).toMatch(/medbill was updated/);
  });
});

describe('bad input', () => {
  it('answers an empty message with the current question, changing nothing', async () => {
    const { say, sessions } = setup();
    await say('should I bill medical for the wisdom teeth?');
    const before = (await sessions.get(sessionKey))!;
    const replies = await say('   ');
    expect(texts(replies)).toMatch(/empty message[\s\S]*which insurance/i);
    expect((await sessions.get(sessionKey))!.state).toEqual(before.state);
  });

  it('refuses a 100 KB message with a clear reply and keeps the session intact', async () => {
    const { say, sessions } = setup();
    await say('should I bill medical for the wisdom teeth?');
    const before = (await sessions.get(sessionKey))!;
    const replies = await say('x'.repeat(100 * 1024));
    expect(texts(replies)).toMatch(new RegExp(`too long.*102,400 characters.*limit is ${MAX_TEXT_CHARS.toLocaleString('en-US')}`));
    expect((await sessions.get(sessionKey))).toEqual(before);
  });

  it('reads a pasted SOAP note of 15,000 characters, its identifiers left out of everything it keeps (issue 21 §4)', async () => {
    const { say, path } = setup();
    const filler = 'Pt reports intermittent pain, worse with chewing, no fever. Perio charting WNL except as noted. '.repeat(150);
    const note = `S: pt Jane Doelander DOB 04/12/1961 reports swelling LL. ${filler} O: #19 periapical abscess with facial swelling, pano shows PARL. A: K04.7. P: I&D and extraction #19. Cigna medical only.`;
    expect(note.length).toBeGreaterThan(14_000);
    expect(note.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
    const replies = await say(note);
    expect(texts(replies)).not.toMatch(/too long/);
    expect(lanes(replies).length + replies.filter((r) => /Case C-/.test(r.text)).length).toBeGreaterThan(0);
    expect(texts(replies)).not.toMatch(/Doelander|1961/);
    const stored = ['', '-wal'].map((end) => (existsSync(path + end) ? readFileSync(path + end).toString('latin1') : '')).join('');
    expect(stored).not.toMatch(/Doelander|04\/12\/1961/);
  });

  it('answers unknown and malformed button values without touching the session', async () => {
    const { say, sessions } = setup();
    await say('should I bill medical for the wisdom teeth?');
    const before = (await sessions.get(sessionKey))!.state;
    for (const value of ['triage:coverage:platinum', 'nonsense', 'go:billing', 'triage:procedure:D7240', 'x'.repeat(500)]) {
      const replies = await say({ kind: 'button', value });
      expect(texts(replies)).toMatch(/don't recognise that button|earlier question|has ended/);
      expect((await sessions.get(sessionKey))!.state).toEqual(before);
    }
  });

  it('rejects forged form fields and re-shows the form', async () => {
    const { say, sessions } = setup();
    const answer = await say('D7240 impacted #17 with a cyst, Aetna medical + Delta dental, separate plans');
    const form = await say({ kind: 'button', value: choice(answer, 'Check the fee') });
    expect(form.some((r) => r.parts.some((p) => p.kind === 'form'))).toBe(true);
    const forged = await say({ kind: 'form', form: 'fee', values: { fee: '900', cashFee: '650', lane: 'medical' } });
    expect(texts(forged)).toMatch(/fee form did not fit.*lane/i);
    const notNumbers = await say({ kind: 'form', form: 'fee', values: { fee: 'lots', cashFee: '650' } });
    expect(texts(notNumbers)).toMatch(/fee form did not fit.*fee/i);
    expect((await sessions.get(sessionKey))!.state.step).toBe('fee');
    const ok = await say({ kind: 'form', form: 'fee', values: { fee: '900', cashFee: '650' } });
    expect(ok.flatMap((r) => r.parts).find((p) => p.kind === 'triage')).toMatchObject({ result: { warnings: expect.arrayContaining([expect.objectContaining({ id: 'fee-above-cash-fee' })]) } });
  });

  it('rolls back a turn whose flow fails, says so, and keeps the session as it was', async () => {
    const lines: string[] = [];
    const { say, sessions } = setup({ log: createLogger('info', (l) => lines.push(l)) });
    await say('should I bill medical for the wisdom teeth?');
    const before = (await sessions.get(sessionKey))!;
    vi.spyOn(triageFlow, 'handle').mockImplementationOnce(() => {
      throw new TypeError('cannot read One combined plan');
    });
    const replies = await say('One combined plan');
    expect(texts(replies)).toMatch(/something went wrong on my side.*nothing was changed/i);
    expect((await sessions.get(sessionKey))).toEqual(before);
    const failure = lines.map((l) => JSON.parse(l)).find((l) => l.event === 'turn-failed');
    expect(failure).toMatchObject({ level: 'error', error: 'TypeError' });
    expect(JSON.stringify(failure)).not.toMatch(/combined/); // the log has the error's class and place, not its words
    expect(texts(await say('One combined plan'))).toMatch(/one combined/i); // and the next try works
  });
});

describe('privacy', () => {
  it('stores no identifier anywhere in the database files, and never repeats one', async () => {
    const { say, path, db } = setup();
    const secrets = ['Jane', 'Smith', '04/12/1961', 'XKQ123456789', '555-201-3344', 'jane@example.com'];
    const replies = [
      ...(await say('pt Jane Smith DOB 04/12/1961, member ID XKQ123456789, ext #17 abscess w/ facial swelling, Cigna medical only')),
      ...(await say('call 555-201-3344 or jane@example.com')),
    ];
    expect(texts(replies)).toMatch(/does not need patient identifiers/);
    for (const s of secrets) expect(JSON.stringify(replies)).not.toContain(s);
    db.db.pragma('wal_checkpoint(FULL)');
    const files = readdirSync(dirname(path)).map((f) => readFileSync(join(dirname(path), f)).toString('latin1'));
    for (const s of secrets) for (const f of files) expect(f).not.toContain(s);
  });

  it('logs turns without their words', async () => {
    const lines: string[] = [];
    const db = sqliteStorage(tempDbPath());
    opened.push(db);
    const engine = openEngine(db, { log: createLogger('debug', (l) => lines.push(l)) });
    await engine.handle({ platform: 'test', user: 'u9', conversation: 'dm', direct: true, input: { kind: 'text', text: 'pt Jane Smith, abscess on #30, Aetna medical only' } });
    expect(lines.length).toBeGreaterThan(0);
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: 'turn', platform: 'test', input: 'text' });
    expect(lines.join('')).not.toMatch(/Jane|Smith|abscess|#30|Aetna/);
  });

  it('marks replies that carry case details direct-only, and help as shareable', async () => {
    const { say } = setup();
    expect((await say('help')).every((r) => r.privacy === 'any')).toBe(true);
    const answer = await say('pt broke #8 in a bike accident, has BCBS medical + Delta dental');
    expect(answer.filter((r) => r.parts.some((p) => p.kind === 'triage')).every((r) => r.privacy === 'direct-only')).toBe(true);
  });

  it('marks a case answer or a document direct-only even when the flow did not', async () => {
    const result = run({ procedure: 'biopsy' });
    expect(reply('x', [{ kind: 'triage', caseId: 'C-1', procedure: 'biopsy', result }]).privacy).toBe('direct-only');
    expect(reply('x', [{ kind: 'document', title: 't', filename: 'f', body: 'b' }]).privacy).toBe('direct-only');
    expect(reply('x', [{ kind: 'choices', choices: [] }]).privacy).toBe('any');
    expect(reply('x', [], 'direct-only').privacy).toBe('direct-only');
  });
});

describe('a Medicaid child (issue 21)', () => {
  it('is asked how the state runs the dental benefit, with buttons and typed answers in those words', async () => {
    const { say } = setup();
    const first = await say('wisdom teeth extraction for a 12 year old on Medicaid');
    expect(texts(first)).toMatch(/Medicaid dental benefit part of the Medicaid health plan \(dental carved in\), or a separate Medicaid dental program or dental plan\?/);
    expect(texts(first)).not.toMatch(/one combined plan, or two separate plans/);
    choice(first, 'Part of the Medicaid health plan');
    choice(first, 'Separate dental program or plan');
    // Typed in the words of the question: carved out is the separate program, and the case moves on.
    const next = texts(await say('carved out'));
    expect(next).not.toMatch(/carved in\), or a separate/);
    expect(next).toMatch(/Noted insurance: medical and dental, separate plans \(Medicaid\)\.\nWhy is it needed\?/);
  });
});
