import { describe, expect, it } from 'vitest';
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
