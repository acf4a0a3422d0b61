/** Plain-text rendering of answers for the terminal: what a billing person reads. */
import type { TriageResult } from './knowledge/triage.js';
import type { LookupHit } from './knowledge/lookup.js';

export const LANE_LINE: Record<TriageResult['lane'], string> = {
  medical: 'MEDICAL: bill medical insurance first (dental, if any, secondary).',
  'medical-first': 'MEDICAL FIRST: send it to medical first (for the EOB or denial), then dental.',
  dental: 'DENTAL: bill dental insurance.',
  'patient-pay': 'PATIENT PAY: neither plan is expected to pay; quote the patient.',
  'needs-info': 'NEEDS INFO: the lane cannot be chosen yet.',
};

/** The whole answer as text; `laneLine: false` when the lane line is already shown (a chat reply's text). */
export function renderTriage(r: TriageResult, opts: { laneLine?: boolean } = {}): string {
  const out: string[] = [...(opts.laneLine === false ? [] : [LANE_LINE[r.lane]]), `Prior authorization: ${r.preauth}`];
  const laneRule = r.rules[0];
  if (laneRule) out.push('', 'Why:', ...r.rules.map((x) => `  - ${x.summary} [${x.id}]`));
  const codes = [
    ...r.procedureCodes.cdt.map((c) => `  CDT   ${c.code}  ${c.description}`),
    ...r.procedureCodes.cpt.map((c) => `  CPT   ${c.code}  ${c.description}`),
    ...r.procedureCodes.hcpcs.map((c) => `  HCPCS ${c.code}  ${c.description}`),
    ...r.diagnosisCodes.map((c) => `  ICD   ${c.code}  ${c.description}`),
  ];
  if (codes.length) out.push('', 'Codes:', ...codes);
  if (r.documents.length) out.push('', 'Documents:', ...r.documents.map((d) => `  [${d.onHand ? 'x' : ' '}] ${d.label}`));
  if (r.warnings.length) out.push('', 'Warnings:', ...r.warnings.map((w) => `  ! ${w.id}: ${w.message}`));
  if (r.questions.length) out.push('', 'Questions:', ...r.questions.map((q) => `  ? ${q.question}`));
  return out.join('\n');
}

export function renderLookup(hits: LookupHit[]): string {
  if (!hits.length) return 'No code found.';
  return hits
    .map((h) => {
      const lines = [`${h.set.toUpperCase().padEnd(7)} ${h.code}  ${h.description}${h.billable === false ? '  (header: not billable)' : ''}`];
      if (h.categories.length) lines.push(`        used for: ${h.categories.join('; ')}`);
      if (h.related.length) lines.push(`        related: ${h.related.map((r) => r.code).join(', ')}`);
      return lines.join('\n');
    })
    .join('\n');
}
