import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledge, DEFAULT_KNOWLEDGE_DIR } from '../../../src/knowledge/load.js';
import { codeSetOf, normalizeIcd10 } from '../../../src/knowledge/codes.js';
import { parseIcd10File } from '../../../src/knowledge/icd10-file.js';
import { findTeeth, hasPhrase, compilePhrase, tokenize } from '../../../src/knowledge/text.js';
import { kn, shared } from '../../helpers.js';

function brokenCopy(file: string, edit: (json: Record<string, unknown>) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'medbill-kb-'));
  cpSync(DEFAULT_KNOWLEDGE_DIR, dir, { recursive: true });
  const path = join(dir, file);
  const json = JSON.parse(readFileSync(path, 'utf8'));
  edit(json);
  writeFileSync(path, JSON.stringify(json));
  return dir;
}

describe('knowledge/ loading', () => {
  it('has the 15 categories of domain.md and a general fallback, each entry with a source', () => {
    expect(kn.categories.length).toBeGreaterThanOrEqual(16);
    for (const c of kn.categories) for (const r of c.lanes) expect(r.source.every((s) => kn.sources.has(s))).toBe(true);
  });

  it('names the file and the entry of a broken edit: a wrong enum', () => {
    const dir = brokenCopy('categories/04-extraction.json', (j) => { (j.lanes as { lane: string }[])[2]!.lane = 'medicalish'; });
    expect(() => loadKnowledge(dir)).toThrow(/categories\/04-extraction\.json.*lanes\[2\] \(EXT-LANE-MEDICARE-FRACTURE\)\.lane/s);
  });

  it('names the file and the entry of a broken edit: a source that does not exist', () => {
    const dir = brokenCopy('codes/cdt.json', (j) => { (j.codes as { source: string[] }[])[0]!.source = ['NOPE']; });
    expect(() => loadKnowledge(dir)).toThrow(/codes\/cdt\.json D0120: source "NOPE"/);
  });

  it('refuses a header code as a suggested diagnosis, and an undefined signal', () => {
    const dir = brokenCopy('categories/02-biopsy.json', (j) => {
      (j.diagnoses as { code: string }[])[0]!.code = 'K08';
      (j.lanes as { when: Record<string, unknown> }[])[0]!.when.signals = ['made-up'];
    });
    const err = (() => { try { loadKnowledge(dir); } catch (e) { return (e as Error).message; } return ''; })();
    expect(err).toMatch(/diagnoses K08: is a header/);
    expect(err).toMatch(/signal "made-up" is not defined/);
  });

  it('refuses invalid JSON with the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'medbill-kb-'));
    cpSync(DEFAULT_KNOWLEDGE_DIR, dir, { recursive: true });
    writeFileSync(join(dir, 'signals.json'), '{ "signals": [');
    expect(() => loadKnowledge(dir)).toThrow(/knowledge\/signals\.json: is not valid JSON/);
  });
});

describe('codes and words', () => {
  it('normalizes dotted and undotted ICD-10-CM codes and tells sets apart', () => {
    expect(normalizeIcd10('k083')).toBe('K08.3');
    expect(normalizeIcd10('S025XXA')).toBe('S02.5XXA');
    expect(normalizeIcd10('R42')).toBe('R42');
    expect(codeSetOf('D7240')).toBe('cdt');
    expect(codeSetOf('41100')).toBe('cpt');
    expect(codeSetOf('E0486')).toBe('hcpcs');
    expect(codeSetOf('D10.1')).toBe('icd10cm');
    expect(codeSetOf('hello')).toBeUndefined();
  });
  it('matches phrases with endings, in order, and not after a negation', () => {
    expect(hasPhrase(tokenize('tooth was knocked out'), compilePhrase('knock out'))).toBe(true);
    expect(hasPhrase(tokenize('no facial swelling'), compilePhrase('facial swelling'))).toBe(false);
    expect(hasPhrase(tokenize('oral surgery'), compilePhrase('or'))).toBe(false);
  });
  it('finds tooth numbers', () => {
    expect(findTeeth('#8 and #9, tooth 30, #A')).toEqual(expect.arrayContaining(['8', '9', '30', 'A']));
    expect(findTeeth('#45')).toEqual([]);
  });
  it('parses the CMS fixed-width order file and the valid-codes list', () => {
    const order = parseIcd10File('13908 K083    1 Retained dental root                                         Retained dental root\n13899 K08     0 Other disorders of teeth and supporting structures           Other disorders of teeth and supporting structures\n');
    expect(order.format).toBe('order');
    expect(order.entries).toEqual([{ code: 'K08.3', title: 'Retained dental root', billable: true }, { code: 'K08', title: 'Other disorders of teeth and supporting structures', billable: false }]);
    expect(parseIcd10File('A000\nK083\n').entries[1]).toEqual({ code: 'K08.3', title: '', billable: true });
    expect(() => parseIcd10File('')).toThrow(/empty/);
  });
  const excerpt = shared('data/icd10cm/icd10cm_order_2026.dental-excerpt.txt');
  it.skipIf(!excerpt)('reads the real CMS excerpt: K08.3 billable, K08 a header', () => {
    const { entries } = parseIcd10File(readFileSync(excerpt!, 'utf8'));
    expect(entries).toHaveLength(581);
    expect(entries.find((e) => e.code === 'K08.3')!.billable).toBe(true);
    expect(entries.find((e) => e.code === 'K08')!.billable).toBe(false);
    // Every code in knowledge/ that the excerpt covers carries the excerpt's official title.
    for (const e of entries) { const k = kn.icd10.get(e.code); if (k) expect(k.title).toBe(e.title); }
  });
});
