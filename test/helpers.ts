import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { loadKnowledge } from '../src/knowledge/load.js';
import { triage, type TriageResult } from '../src/knowledge/triage.js';
import type { CaseFacts } from '../src/knowledge/facts.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const SHARED = resolve(ROOT, '..', 'shared');
export const kn = loadKnowledge();

/** shared/ is beside the project in development and CI, but not part of it: tests that need it say why they skip. */
export function shared(path: string): string | undefined {
  const full = resolve(SHARED, path);
  if (existsSync(full)) return full;
  console.log(`skipped: ${full} is not present (shared/ is not part of the project)`);
  return undefined;
}

/**
 * The date the tests' triage takes for "today" (the date of service of a case without one): fixed, never the
 * clock's. In FY2027; tests about the code set of a date give their own serviceDate.
 */
export const TEST_TODAY = '2026-12-07';

export function run(facts: CaseFacts): TriageResult {
  return triage(facts, kn, { today: TEST_TODAY });
}

export const allCodes = (r: TriageResult) => [...r.procedureCodes.cdt, ...r.procedureCodes.cpt, ...r.procedureCodes.hcpcs, ...r.diagnosisCodes].map((c) => c.code);
export const warningIds = (r: TriageResult) => r.warnings.map((w) => w.id);
export const docKinds = (r: TriageResult) => r.documents.map((d) => d.kind);

export interface Expect { lane: string; laneAlso?: string[]; preauth?: string[]; mustDocuments?: string[]; mustCodes?: string[]; mustWarnings?: string[]; mustNotWarnings?: string[] }

/** The published scoring rules of shared/cases/README.md: every failed check, or none. */
export function score(r: TriageResult, e: Expect): string[] {
  const bad: string[] = [];
  if (r.lane !== e.lane && !(e.laneAlso ?? []).includes(r.lane)) bad.push(`lane ${r.lane}, expected ${e.lane}`);
  if (e.preauth?.length && !e.preauth.includes(r.preauth)) bad.push(`preauth ${r.preauth}, expected one of ${e.preauth}`);
  for (const d of e.mustDocuments ?? []) if (!docKinds(r).includes(d as never)) bad.push(`missing document ${d}`);
  for (const c of e.mustCodes ?? []) if (!allCodes(r).includes(c)) bad.push(`missing code ${c}`);
  for (const w of e.mustWarnings ?? []) if (!warningIds(r).includes(w as never)) bad.push(`missing warning ${w}`);
  for (const w of e.mustNotWarnings ?? []) if (warningIds(r).includes(w as never)) bad.push(`unexpected warning ${w}`);
  return bad;
}

export function cli(args: string[], input?: string, env: Record<string, string> = {}) {
  const res = spawnSync(process.execPath, [resolve(ROOT, 'bin/medbill.js'), ...args], {
    input, encoding: 'utf8', env: { ...process.env, MEDBILL_DB: ':memory:', ...env }, maxBuffer: 64 * 1024 * 1024,
  });
  return { code: res.status, out: res.stdout, err: res.stderr };
}

export function readLines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean);
}

/** A fresh database file in a temp folder (a file, not :memory:, so WAL and reopening are real). */
export function tempDbPath(prefix = 'medbill-test-'): string {
  return join(mkdtempSync(join(tmpdir(), prefix)), 'medbill.db');
}
