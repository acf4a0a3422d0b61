/**
 * Routine answers name their CDT codes where the words say which (issue 21 §4): the exam by its kind, the
 * cleaning by the patient's dentition (an adult's D1110, a child's D1120); where they do not (a teenager's
 * cleaning, "a crown"), no code is guessed.
 */
import { describe, expect, it } from 'vitest';
import { extractFacts } from '../../../src/knowledge/extract.js';
import { parseCaseFacts } from '../../../src/knowledge/facts.js';
import { kn, run } from '../../helpers.js';

const cdt = (message: string) => {
  const r = run(parseCaseFacts(extractFacts(message, kn).facts));
  return { lane: r.lane, codes: r.procedureCodes.cdt.map((c) => c.code) };
};

describe('routine dental codes', () => {
  it.each([
    ['adult pt needs a prophy and a periodic exam, has Delta dental only', ['D0120', 'D1110']],
    ['45 yo, cleaning and comprehensive exam, MetLife dental', ['D0150', 'D1110']],
    ['8 yo needs a cleaning and a recall exam, Delta dental', ['D0120', 'D1120']],
    ['child pt, prophy, Delta dental only', ['D1120']],
    ['limited exam for a chipped filling, Guardian dental', ['D0140']],
  ])('"%s" → %j', (message, codes) => {
    const r = cdt(message);
    expect(r.lane).toBe('dental');
    expect(r.codes).toEqual(codes);
  });

  it.each([
    ['15 yo needs a cleaning, Delta dental', []],
    ['pt needs a crown on #30, Delta dental', []],
  ])('guesses no code for "%s"', (message, codes) => {
    expect(cdt(message).codes).toEqual(codes);
  });
});

describe('sedation with an extraction', () => {
  // IV sedation said with wisdom teeth is billed with them, per 15 minutes (issue 21 §2); D9239/D9243 since CDT 2018.
  const codes = (message: string) => run(parseCaseFacts(extractFacts(message, kn).facts)).procedureCodes.cdt.map((c) => c.code);
  it('adds the IV sedation codes when the message says IV sedation', () => {
    expect(codes('impacted wisdom teeth with IV sedation, Aetna medical and Delta dental')).toEqual(expect.arrayContaining(['D9239', 'D9243']));
  });
  it('adds none when sedation is not said, or is said not to be used', () => {
    expect(codes('impacted wisdom teeth, Aetna medical and Delta dental')).not.toEqual(expect.arrayContaining(['D9239']));
    expect(codes('impacted wisdom teeth, no IV sedation, local only, Aetna medical and Delta dental')).not.toEqual(expect.arrayContaining(['D9239']));
  });
});
