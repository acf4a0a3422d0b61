import { describe, expect, it } from 'vitest';
import { CaseFactsSchema } from '../src/knowledge/facts.js';
import { cli, readLines, run, score, shared } from './helpers.js';

const samplePath = shared('cases/sample.jsonl');
const cases = samplePath ? readLines(samplePath).map((l) => JSON.parse(l)) : [];

describe.skipIf(!samplePath)('published sample cases (shared/cases/sample.jsonl)', () => {
  it.each(cases.map((c) => [c.id, c]))('%s is fully right', (_id, c) => {
    expect(score(run(c.facts), c.expect)).toEqual([]);
  });

  it('are answered the same through `medbill triage --jsonl`, in order', () => {
    const { code, out } = cli(['triage', '--jsonl', '-'], cases.map((c) => JSON.stringify(c.facts)).join('\n'));
    expect(code).toBe(0);
    const results = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(results).toHaveLength(cases.length);
    results.forEach((r, i) => expect(score(r, cases[i].expect)).toEqual([]));
  });
});

// The expert audit's regression cases (issue 22). A case that gives a date of service needs CaseFacts.serviceDate
// (the ICD-10-CM code set by fiscal year), which lands separately: until the schema knows it, such a case is skipped.
const auditPath = shared('cases/audit.jsonl');
const audit = auditPath ? readLines(auditPath).map((l) => JSON.parse(l)) : [];
const knowsServiceDate = 'serviceDate' in CaseFactsSchema.shape;
const runnable = (c: { facts: Record<string, unknown> }) => knowsServiceDate || !('serviceDate' in c.facts);
if (auditPath && !audit.every(runnable)) console.log('skipped: audit cases with a serviceDate (CaseFacts has no serviceDate yet)');

// Cases known wrong until they are fixed (it.fails turns red when such a case starts to pass, and then it leaves this
// list). a09 (intraoral sialolithotomy 42330) and a10 (definitive obturator 21080) were fixed by issue 22 section 3.
const OPEN: Record<string, string> = {};

describe.skipIf(!auditPath)('expert audit cases (shared/cases/audit.jsonl)', () => {
  const open = audit.filter((c) => runnable(c) && OPEN[c.id]);
  it.each(audit.filter((c) => runnable(c) && !OPEN[c.id]).map((c) => [c.id, c]))('%s is fully right', (_id, c) => {
    expect(score(run(c.facts), c.expect)).toEqual([]);
  });
  if (open.length) {
    it.fails.each(open.map((c) => [c.id, OPEN[c.id], c]))('%s is still open: %s', (_id, _why, c) => {
      expect(score(run(c.facts), c.expect)).toEqual([]);
    });
  }
});
