/** Plain-text rendering of answers for the terminal: what a billing person reads. */
import type { TriageResult } from './knowledge/triage.js';
import type { LookupHit } from './knowledge/lookup.js';
import type { Reply } from './engine/model.js';

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

/** A title as a heading: "Codes:", but "2 open claims, $1,392.50 outstanding." keeps its own stop. */
export const heading = (title: string): string => (/[.:?!]$/.test(title) ? title : `${title}:`);

/**
 * Replies as plain text for the command line: the message, facts as "label: value", tables in columns,
 * lists, and the things to act on (a digest's claims) as "* " lines, without the chat's buttons.
 */
export function renderRepliesText(replies: Reply[]): string {
  const lines: string[] = [];
  for (const r of replies) {
    lines.push(r.text);
    for (const part of r.parts) {
      if (part.kind === 'facts') {
        lines.push('', ...(part.title ? [heading(part.title)] : []), ...part.rows.map((row) => `  ${row.label}: ${row.value}`));
      } else if (part.kind === 'table') {
        const widths = part.columns.map((c, i) => Math.max(c.length, ...part.rows.map((row) => (row[i] ?? '').length)));
        const row = (cells: string[]) => `  ${cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c)).join('  ')}`.trimEnd();
        lines.push('', heading(part.title), row(part.columns), ...part.rows.map(row));
      } else if (part.kind === 'list') {
        lines.push('', heading(part.title), ...part.items.map((i) => `  - ${i.text}`));
      } else if (part.kind === 'item') {
        lines.push(`  * ${part.text}`);
      }
    }
  }
  return lines.join('\n');
}
