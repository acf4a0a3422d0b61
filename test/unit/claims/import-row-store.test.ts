/** What an import keeps for every row of its file (src/claims/row-store.ts, import-plan.ts, claimKeyCode): compact, and the same answers as a Map of objects. */
import { describe, expect, it } from 'vitest';
import { claimKeyCode, claimKeyOfCode, newCaseId } from '../../../src/case-id.js';
import { IntColumn, LinesByText } from '../../../src/claims/row-store.js';
import { AddedRows } from '../../../src/claims/import-plan.js';

describe('claimKeyCode', () => {
  it('gives each claim key its own number, and the key back', () => {
    const keys = ['C-AAAAA', 'C-99999', 'C-7K3Q9', 'C-7K3Q9-D', 'C-AAAAA-D', ...Array.from({ length: 200 }, newCaseId)];
    const codes = keys.map((k) => claimKeyCode(k));
    expect(codes.every((c) => c !== undefined && Number.isInteger(c) && c >= 0 && c < 2 ** 31)).toBe(true);
    expect(new Set(codes).size).toBe(new Set(keys).size);
    expect(codes.map((c) => claimKeyOfCode(c ?? -1))).toEqual(keys);
    expect(claimKeyCode('C-7K3Q9')).not.toBe(claimKeyCode('C-7K3Q9-D'));
  });

  it('is undefined for text that is not a claim key', () => {
    for (const text of ['C-7K3Q', 'C-7K3Q0', 'c-7k3q9', 'C-7K3Q9-X', 'X-7K3Q9', '']) expect(claimKeyCode(text)).toBeUndefined();
  });
});

describe('LinesByText', () => {
  it('finds a text in any letter case, with its line, also past many rows', () => {
    const t = new LinesByText();
    for (let i = 0; i < 5000; i++) t.set(`CLM-${i}`, `clm-${i}`, i + 2);
    expect(t.get('clm-0')).toBe(2);
    expect(t.get('clm-4999')).toBe(5001);
    expect(t.get('clm-5000')).toBeUndefined();
    t.set('Réf-É', 'réf-é', 9000);
    expect(t.get('réf-é')).toBe(9000);
  });

  it('tells apart two texts with the same hash', () => {
    // FNV-1a gives these two the same 32 bits.
    const t = new LinesByText();
    t.set('CLM-1079599', 'clm-1079599', 2);
    expect(t.get('clm-1262382')).toBeUndefined();
    t.set('CLM-1262382', 'clm-1262382', 3);
    expect([t.get('clm-1079599'), t.get('clm-1262382')]).toEqual([2, 3]);
  });
});

describe('IntColumn', () => {
  it('keeps every number pushed, past its first size', () => {
    const c = new IntColumn();
    for (let i = 0; i < 3000; i++) c.push(i * 7);
    expect([c.length, c.at(0), c.at(1024), c.at(2999)]).toEqual([3000, 0, 7168, 20993]);
  });
});

describe("an import plan's new rows", () => {
  it('are listed in line order, with the claims added at the end after their line, and case ids that are not claim keys kept as they are', () => {
    const rows = new AddedRows((s) => `(${s})`);
    rows.add(2, 'C-7K3Q9', 'A-1', 'submitted');
    rows.add(3, 'C-TEST', undefined, 'draft');
    rows.add(5, 'C-7K3Q8', 'A-3', 'paid');
    rows.addAfter({ line: 3, caseId: 'C-TEST-D', what: 'dental' });
    rows.addAfter({ line: 5, caseId: 'C-7K3Q8-D', what: 'dental' });
    expect(rows.length).toBe(5);
    expect([...rows]).toEqual([
      { line: 2, caseId: 'C-7K3Q9', reference: 'A-1', what: '(submitted)' },
      { line: 3, caseId: 'C-TEST', what: '(draft)' },
      { line: 3, caseId: 'C-TEST-D', what: 'dental' },
      { line: 5, caseId: 'C-7K3Q8', reference: 'A-3', what: '(paid)' },
      { line: 5, caseId: 'C-7K3Q8-D', what: 'dental' },
    ]);
  });
});
