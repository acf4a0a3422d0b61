import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT, shared, tempDbPath } from '../helpers.js';
import { claimService, sqliteStorage } from '../support/storage.js';

const tmp = mkdtempSync(join(tmpdir(), 'medbill-cli-'));
const good = { procedure: 'D7140', cause: 'decay', coverage: { medical: true, dental: true, combinedPlan: false, medicalPayer: 'commercial' } };

describe('medbill triage --json', () => {
  it('prints exactly one TriageResult and exits 0', async () => {
    const { code, out, err } = cli(['triage', '--json', '-'], JSON.stringify(good));
    expect(code).toBe(0);
    expect(err).toBe('');
    const r = JSON.parse(out);
    expect(Object.keys(r)).toEqual(['lane', 'preauth', 'procedureCodes', 'diagnosisCodes', 'documents', 'warnings', 'rules', 'questions']);
    expect(r.lane).toBe('dental');
  });

  it('reads a file as well as standard input', async () => {
    const file = join(tmp, 'case.json');
    writeFileSync(file, JSON.stringify(good));
    expect(JSON.parse(cli(['triage', '--json', file]).out).lane).toBe('dental');
  });

  const bad: [string, string, RegExp][] = [
    ['invalid JSON', '{"procedure": "D7140",', /not valid JSON/],
    ['an unknown field', JSON.stringify({ ...good, patientName: 'x' }), /patientName/],
    ['a wrong enum', JSON.stringify({ ...good, cause: 'accident' }), /cause/],
    ['a wrong payer kind', JSON.stringify({ ...good, coverage: { medicalPayer: 'bcbs' } }), /coverage\.medicalPayer/],
    ['an empty procedure', JSON.stringify({ ...good, procedure: '  ' }), /procedure/],
    ['a 1 MB notes field', JSON.stringify({ ...good, notes: 'x'.repeat(1024 * 1024) }), /notes/],
    ['a negative age', JSON.stringify({ ...good, patientAge: -3 }), /patientAge/],
    ['a document kind that does not exist', JSON.stringify({ ...good, documentsOnHand: ['xray'] }), /documentsOnHand/],
  ];
  it.each(bad)('refuses %s with exit 2, a message naming the problem, and nothing on stdout', (_what, input, message) => {
    const { code, out, err } = cli(['triage', '--json', '-'], input);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(message);
  });

  it('says which file is missing', async () => {
    const { code, err } = cli(['triage', '--json', join(tmp, 'nope.json')]);
    expect(code).toBe(2);
    expect(err).toMatch(/file not found/);
  });
});

describe('medbill triage --jsonl', () => {
  it('answers the good lines around a bad one, in order, and exits 2', async () => {
    const input = [JSON.stringify(good), '{oops', JSON.stringify({ ...good, cause: 'cosmetic' }), JSON.stringify({ procedure: '' })].join('\n');
    const { code, out } = cli(['triage', '--jsonl', '-'], `${input}\n`);
    expect(code).toBe(2);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[0].lane).toBe('dental');
    expect(lines[1].error).toMatch(/line 2/);
    expect(lines[2].lane).toBe('patient-pay');
    expect(lines[3].error).toMatch(/line 4: procedure/);
  });
});

describe('medbill ask', () => {
  it('--json prints the facts it read and the result', async () => {
    const { code, out } = cli(['ask', '--json', 'pt broke #8 in a bike accident, has BCBS medical + Delta dental, bill medical?']);
    expect(code).toBe(0);
    const { facts, result } = JSON.parse(out);
    expect(facts.cause).toBe('trauma');
    expect(facts.coverage).toEqual({ medical: true, dental: true, medicalPayer: 'commercial', combinedPlan: false });
    expect(result.lane).toBe('medical');
    expect(result.diagnosisCodes.map((d: { code: string }) => d.code)).toContain('S02.5XXA');
  });

  it('answers needs-info with the next question when the text cannot decide', async () => {
    const { out } = cli(['ask', '--json', 'should I bill medical for the wisdom teeth on the 2pm?']);
    const { result } = JSON.parse(out);
    expect(result.lane).toBe('needs-info');
    expect(result.questions[0].field).toMatch(/coverage|cause/);
  });

  it('prints a readable answer without --json', async () => {
    const { code, out } = cli(['ask', 'biopsy of a tongue lesion, Aetna medical and Guardian dental']);
    expect(code).toBe(0);
    expect(out).toMatch(/^MEDICAL:/);
    expect(out).toMatch(/CPT +41100/);
    expect(out).toMatch(/Documents:/);
  });
});

describe('medbill lookup and kb', () => {
  it('finds a code dotted or undotted, with related codes', async () => {
    const dotted = cli(['lookup', 'K08.3']);
    expect(dotted.code).toBe(0);
    expect(dotted.out).toMatch(/K08\.3 +Retained dental root/);
    expect(cli(['lookup', 'k083']).out).toMatch(/K08\.3/);
    expect(cli(['lookup', 'E0486']).out).toMatch(/related: .*G47\.33/);
  });

  it('finds codes by words', async () => {
    expect(cli(['lookup', 'tongue biopsy']).out).toMatch(/41100/);
  });

  it('kb check validates knowledge/ and prints counts per code set and category', async () => {
    const { code, out } = cli(['kb', 'check']);
    expect(code).toBe(0);
    expect(out).toMatch(/CDT codes: +\d+/);
    expect(out).toMatch(/osa-appliance/);
  });

  const valid = shared('data/icd10cm/icd10cm_codes_2026.valid-codes-only.txt');
  const excerpt = shared('data/icd10cm/icd10cm_order_2026.dental-excerpt.txt');
  it.skipIf(!valid)('kb check --icd10 passes against the CMS FY2026 valid-codes list', () => {
    const { code, out } = cli(['kb', 'check', '--icd10', valid!]);
    expect(code).toBe(0);
    expect(out).toMatch(/agree with/);
  });

  it.skipIf(!excerpt)('kb check --icd10 fails on a code the official file does not have', () => {
    const file = join(tmp, 'short.txt');
    // The order-file format, with K08.3 left out and K01.1 flagged as a header.
    writeFileSync(file, '13806 K00     0 Disorders of tooth development and eruption                  Disorders of tooth development and eruption\n13900 K011    0 Impacted teeth                                               Impacted teeth\n');
    const { code, err } = cli(['kb', 'check', '--icd10', file]);
    expect(code).toBe(1);
    expect(err).toMatch(/K08\.3 is not in the order file/);
    expect(err).toMatch(/K01\.1 is billable in knowledge\/ but a header/);
  });

  it.skipIf(!excerpt || !valid)('import-icd10 makes lookup and diagnosis checks cover the imported codes', () => {
    const db = join(tmp, 'medbill.db');
    expect(cli(['kb', 'import-icd10', valid!], undefined, { MEDBILL_DB: db }).out).toMatch(/Imported 74719/);
    // R42 is valid but outside knowledge/: after the import it is known; R42.0 does not exist.
    const facts = { procedure: 'D0140', cause: 'routine', diagnoses: ['R42', 'R42.0'], coverage: { medical: true, dental: true, combinedPlan: false, medicalPayer: 'commercial' } };
    const r = JSON.parse(cli(['triage', '--json', '-'], JSON.stringify(facts), { MEDBILL_DB: db }).out);
    const messages = r.warnings.map((w: { message: string }) => w.message).join(' ');
    expect(messages).toMatch(/R42\.0 is not a valid ICD-10-CM code in the official list/);
    expect(messages).not.toMatch(/R42 is/);
    expect(cli(['lookup', 'R42'], undefined, { MEDBILL_DB: db }).out).toMatch(/R42/);
    expect(cli(['kb', 'import-icd10', excerpt!], undefined, { MEDBILL_DB: db }).out).toMatch(/order format/);
    expect(cli(['lookup', 'atrophy of the mandible'], undefined, { MEDBILL_DB: db }).out).toMatch(/K08\.2/);
  });

  it('has --help everywhere and exit 2 for an unknown command', async () => {
    for (const c of ['triage', 'ask', 'lookup', 'kb']) expect(cli([c, '--help']).out).toMatch(/Usage/);
    const { code, err } = cli(['frobnicate']);
    expect(code).toBe(2);
    expect(err).toMatch(/unknown command/);
  });

  it('reads options one way everywhere: a missing value, a repeat or a stray word is exit 2 naming it', async () => {
    const cases: [string[], RegExp][] = [
      [['letter', '--case'], /--case needs a value/],
      [['letter', '--case', '--out', 'x.docx'], /--case needs a value/],
      [['letter', '--case', 'C-AAAAA', '--case', 'C-BBBBB'], /--case is given more than once/],
      [['letter', '--case', 'C-AAAAA', 'extra'], /unexpected extra/],
      [['teams', 'package', '--out'], /--out needs a value/],
      [['teams', 'package', '--out', 'a.zip', '--out', 'b.zip'], /--out is given more than once/],
      [['claims', 'import', 'x.csv', '--payer-kind', 'medicare', '--payer-kind', 'tricare'], /--payer-kind is given more than once/],
    ];
    for (const [args, message] of cases) expect(cli(args)).toMatchObject({ code: 2, err: expect.stringMatching(message) });
  });
});

describe('options the command line does not know', () => {
  // Each was read as text, or dropped, or refused without naming it.
  const cases: [string[], string][] = [
    [['lookup', '--foo', 'K08.3'], '--foo'],
    [['ask', '--jsn', 'hi'], '--jsn'],
    [['ask', '-j', 'pt broke #8'], '-j'],
    [['triage', '--jsnl', '-'], '--jsnl'],
    [['kb', 'check', '--icd11', 'x.txt'], '--icd11'],
    [['kb', 'import-icd10', '--forse', 'x.txt'], '--forse'],
    [['claims', 'import', 'x.csv', '--dryrun'], '--dryrun'],
    [['claims', 'export', '--all'], '--all'],
    [['letter', '--case', 'C-AAAAA', '--docx', 'x'], '--docx'],
    [['teams', 'package', '--force'], '--force'],
    [['report', '--cvs'], '--cvs'],
    [['chat', '--scrpt', 'x.txt'], '--scrpt'],
    [['chat', '--script', 'x.txt', '--verbose'], '--verbose'],
    [['serve', '--port', '3000'], '--port'],
    [['today', '--all'], '--all'],
    [['digest', '--preview', '--chanel', 'slack:C0BILLING'], '--chanel'],
  ];
  it.each(cases)('medbill %j: exit 2 naming the option, nothing on standard output', (args, option) => {
    const { code, out, err } = cli(args);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain(`unknown option ${option} `);
  });

  it('reads what follows -- as text, never as options', async () => {
    const { code, out } = cli(['ask', '--json', '--', '--not-an-option pt broke #8 in a bike accident, BCBS medical + Delta dental']);
    expect(code).toBe(0);
    expect(JSON.parse(out).result.lane).toBe('medical');
    expect(cli(['lookup', '--', 'K08.3']).out).toMatch(/K08\.3/);
  });
});

describe('medbill --version, today and digest --preview', () => {
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

  it('--version prints the package version', async () => {
    expect(cli(['--version'])).toMatchObject({ code: 0, out: `medbill ${version}\n`, err: '' });
  });

  it('lists them in the help', async () => {
    const help = cli(['--help']).out;
    for (const line of ['medbill --version', 'medbill today', 'medbill digest --preview [--channel']) expect(help).toContain(line);
    expect(cli(['today', '--help']).out).toMatch(/^Usage: medbill today/);
    expect(cli(['digest', '--help']).out).toMatch(/^Usage: medbill digest --preview/);
  });

  /** A database with two submitted claims whose follow-ups are long overdue (whatever today is, after 2026-02). */
  async function practiceDb() {
    const path = tempDbPath('medbill-cli-today-');
    const db = sqliteStorage(path);
    const claims = claimService(db, () => Date.parse('2026-01-20T15:00:00Z'));
    for (const [caseId, payer, payerKind, billedCents] of [['C-7K3Q9', 'Aetna', 'commercial', 41250], ['C-8M4R2', 'Medicare Part B', 'medicare', 98000]] as const) {
      const plan = (await claims.draft({ caseId, payer, payerKind, lane: 'medical', procedures: ['D7240'], diagnoses: ['K01.1'], billedCents, serviceDate: '2026-01-02', submittedDate: '2026-01-05' }, { who: 'test', surface: 'test' }));
      if (!plan.ok || !(await claims.commit(plan))) throw new Error('seeding the claim failed');
    }
    // A digest set in chat ("digest here 7:30 America/Denver" in a Teams channel) is a configured channel too.
    await db.digests.setChannel({ address: { platform: 'teams', tenant: 'T0PRAC', channel: '19:billing@thread.tacv2' }, localTime: '07:30', zone: 'America/Denver', weekdays: [1, 2, 3, 4, 5] }, 0);
    await db.close();
    return path;
  }

  it('today prints what is due, as typing "today" shows it, from MEDBILL_DB', async () => {
    const env = { MEDBILL_DB: await practiceDb(), MEDBILL_TIME_ZONE: 'America/Chicago' };
    const { code, out, err } = cli(['today'], undefined, env);
    expect(err).toBe('');
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^Claims for \w{3} \w{3} \d{1,2}, \d{4}: 2 to act on\.$/);
    expect(out).toMatch(/^2 open claims, \$1,392\.50 outstanding\.\n {2}- Overdue follow-ups: 2 \(\$1,392\.50\)$/m);
    expect(out).toContain('Overdue follow-ups (2):');
    expect(out).toMatch(/^ {2}\* C-7K3Q9 · Aetna · D7240 · \$412\.50 · \d+ days since submission · follow-up was due Mon Jan 19, 2026$/m);
    expect(out).toMatch(/^ {2}\* C-8M4R2 · Medicare Part B · D7240 · \$980 · /m);
    expect(out).not.toMatch(/Followed up|Snooze/); // the chat's buttons are not printed
  });

  it('today with no database says nothing is due, and creates none', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'medbill-cli-none-')), 'medbill.db');
    const { code, out } = cli(['today'], undefined, { MEDBILL_DB: path });
    expect(code).toBe(0);
    expect(out).toMatch(/^Claims for .*: nothing is due today\. 0 open claims, \$0 outstanding\.\n$/);
    expect(existsSync(path)).toBe(false);
  });

  it('digest --preview prints the digest as it would be posted, for a configured channel too', async () => {
    const env = { MEDBILL_DB: await practiceDb(), MEDBILL_TIME_ZONE: 'America/Chicago', MEDBILL_DIGEST: 'slack:C0BILLING 8:00 America/Chicago' };
    const today = cli(['today'], undefined, env);
    const preview = cli(['digest', '--preview'], undefined, env);
    expect(preview.code).toBe(0);
    expect(preview.out).toBe(today.out);
    expect(preview.err).toMatch(/not posted/);
    const slack = cli(['digest', '--preview', '--channel', 'slack:C0BILLING'], undefined, env);
    expect(slack.code).toBe(0);
    expect(slack.out).toBe(today.out);
    expect(slack.err).toContain('slack:C0BILLING (08:00 America/Chicago, weekdays)');
    const teams = cli(['digest', '--preview', '--channel=teams:T0PRAC/19:billing@thread.tacv2'], undefined, env);
    expect(teams.code).toBe(0);
    expect(teams.out).toMatch(/^Claims for .*: 2 to act on\./);
    expect(teams.err).toContain('(07:30 America/Denver, weekdays)');
  });

  it('digest refuses a channel that gets no digest, and needs --preview', async () => {
    const env = { MEDBILL_DB: await practiceDb(), MEDBILL_DIGEST: 'slack:C0BILLING 8:00 America/Chicago' };
    const unknown = cli(['digest', '--preview', '--channel', 'slack:C0OTHER'], undefined, env);
    expect(unknown).toMatchObject({ code: 2, out: '' });
    expect(unknown.err).toMatch(/slack:C0OTHER gets no digest \(these do: slack:C0BILLING, teams:T0PRAC\/19:billing@thread\.tacv2/);
    expect(cli(['digest'], undefined, env)).toMatchObject({ code: 2, err: expect.stringMatching(/--preview/) });
    expect(cli(['digest', '--channel', 'slack:C0BILLING'], undefined, env)).toMatchObject({ code: 2, err: expect.stringMatching(/--preview/) });
  });
});

describe('the command list (src/root/commands/)', () => {
  it('loads each command by the name its module gives, once in the list, with its usage and help', async () => {
    const { commands } = await import('../../src/root/commands/index.js');
    const loaded = await Promise.all(commands.map((c) => c.load()));
    expect(loaded.map((c) => c.name)).toEqual(commands.map((c) => c.name));
    expect(new Set(commands.map((c) => c.name)).size).toBe(commands.length);
    for (const c of loaded) {
      expect(c.usage.length, c.name).toBeGreaterThan(0);
      expect(c.usage[0], c.name).toMatch(new RegExp(`^medbill ${c.name}\\b`));
      expect(c.help, c.name).toMatch(/^Usage: medbill /);
    }
  });
});
