import { describe, expect, it } from 'vitest';
import { scrubIdentifiers } from '../src/engine/privacy.js';

describe('scrubIdentifiers', () => {
  const identifiers: [string, string, string][] = [
    ['pt Jane Smith needs ext #17', 'name', 'Jane Smith'],
    ['patient John A. Doe has BCBS', 'name', 'John A. Doe'],
    ['Mrs. Garcia called about her claim', 'name', 'Garcia'],
    ['her name is Ann Lee', 'name', 'Ann Lee'],
    ['DOB 04/12/1961', 'date', '04/12/1961'],
    ['born March 3, 1958', 'date', '1958'],
    ['seen 2026-11-02 for pain', 'date', '2026-11-02'],
    ['SSN 123-45-6789', 'ssn', '123-45-6789'],
    ['call her at (555) 201-3344', 'phone', '201-3344'],
    ['email jane.doe@example.com', 'email', 'jane.doe@example.com'],
    ['member ID XKQ123456789', 'member-id', 'XKQ123456789'],
    ['MBI 1EG4TE5MK73', 'member-id', '1EG4TE5MK73'],
    ['MRN 0048213', 'record-number', '0048213'],
  ];
  it.each(identifiers)('removes %s (%s) without repeating it', (text, kind, secret) => {
    const s = scrubIdentifiers(text);
    expect(s.found).toContain(kind);
    expect(s.text).not.toContain(secret);
  });

  const clinical = [
    'pt broke #8 in a bike accident, has BCBS medical + Delta dental, bill medical?',
    'D7240 #17 and #32, K01.1, 3rd molars, 19 yo',
    'moderate OSA, AHI 24, CPAP intolerant, Medicare Advantage',
    'fee $900, cash fee $650, Aetna medical and MetLife dental',
    'Patient has Cigna medical only; abscess with facial swelling for 3 days',
    'S02.5XXA and S03.2XXA after a fall, pano and CBCT on file',
  ];
  it.each(clinical)('leaves clinical text alone: %s', (text) => {
    expect(scrubIdentifiers(text)).toEqual({ text, found: [] });
  });
});
