/** Code lookup: what a question asks for (its code set, its words), and the order the codes come in. */
import { describe, expect, it } from 'vitest';
import { CodeIndex } from '../../../src/knowledge/lookup.js';
import { readLookup } from '../../../flows/lookup.js';
import { kn } from '../../helpers.js';

const codes = new CodeIndex(kn);
const top = (text: string, n = 2) => {
  const { query, sets } = readLookup(text);
  return codes.search(query, 12, sets).slice(0, n).map((h) => h.code);
};

describe('lookup', () => {
  it.each([
    ['whats the cpt for a tongue biopsy', { query: 'tongue biopsy', sets: ['cpt'] }],
    ['biopsy of tongue lesion cpt', { query: 'biopsy of tongue lesion', sets: ['cpt'] }],
    ['icd code for impacted teeth?', { query: 'impacted teeth', sets: ['icd10cm'] }],
    ['tongue biopsy cpt code?', { query: 'tongue biopsy', sets: ['cpt'] }],
    ['K08.3', { query: 'K08.3', sets: [] }],
  ])('reads "%s"', (text, expected) => {
    expect(readLookup(text)).toEqual(expected);
  });

  it('lists the asked set first, and the procedure\'s own code before its neighbours', () => {
    expect(top('whats the cpt for a tongue biopsy')).toEqual(['41100', '41105']);
    expect(top('biopsy of tongue lesion cpt')).toEqual(['41100', '41105']);
    expect(top('cdt code for a tongue biopsy', 1)[0]).toMatch(/^D72/);
    expect(top('icd code for impacted teeth', 1)).toEqual(['K01.1']);
  });

  it('still finds an exact code in any set', () => {
    expect(top('lookup D7240'.replace('lookup ', ''), 1)).toEqual(['D7240']);
    expect(top('41100', 1)).toEqual(['41100']);
  });
});
