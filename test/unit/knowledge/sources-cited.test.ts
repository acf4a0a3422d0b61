/**
 * An answer cites the sources behind the rules that fired, and of those only the ones that speak to the
 * case's payer: a Medicare manual or modifier article is not a source for a BCBS answer (issue 21 §4).
 */
import { describe, expect, it } from 'vitest';
import { kn, run } from '../../helpers.js';
import type { CaseFacts } from '../../../src/knowledge/facts.js';

const MEDICARE_ONLY = [...kn.sources.values()].filter((s) => s.payers && !s.payers.includes('commercial'));
const cited = (facts: CaseFacts) => run(facts).rules.map((r) => r.source).join('; ');

describe('sources an answer cites', () => {
  it('knows which sources are one payer\'s', () => {
    expect(MEDICARE_ONLY.map((s) => s.id)).toEqual(expect.arrayContaining(['ADA-NEWS-2025-KX', 'LCD-L33611', 'CFR-411-15-I', 'TRICARE-ADJUNCTIVE']));
  });

  it('cites no Medicare or TRICARE source on a commercial answer whose rules have others', () => {
    const trauma: CaseFacts = { procedure: 'D7140 extraction', cause: 'trauma', notes: 'fractured #8 in a bike accident', coverage: { medical: true, dental: true, combinedPlan: false, medicalPayer: 'commercial' } };
    const text = cited(trauma);
    for (const s of MEDICARE_ONLY.filter((x) => x.id !== 'MSP-HHS')) expect(text, s.id).not.toContain(s.title);
  });

  it('cites Medicare\'s own sources on a Medicare answer', () => {
    const osa: CaseFacts = { procedure: 'E0486 oral appliance', cause: 'sleep-apnea', diagnoses: ['G47.33'], notes: 'home sleep test AHI 24, CPAP intolerant', coverage: { medical: true, dental: false, medicalPayer: 'medicare' } };
    expect(cited(osa)).toContain('L33611');
  });
});
