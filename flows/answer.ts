/**
 * A triage answer as generic reply parts, the same on every surface. The reply's own text leads with the
 * lane in plain words (reply-text.ts LANE_LINE); then prior authorization and the codes, then documents,
 * warnings and questions, and the rules with their sources folded below. No raw ids ("medical-first",
 * "not-required", "other-liable-payer"): words a billing person uses.
 */
import type { ListItem, ReplyPart } from '../src/engine/model.js';
import type { TriageResult } from '../src/knowledge/triage.js';

const PREAUTH: Record<TriageResult['preauth'], string> = {
  required: 'Required: get the approval before treatment',
  likely: 'Likely needed: ask the plan before treatment',
  rarely: 'Rarely needed',
  'not-required': 'Not required',
  unknown: 'Depends on the plan: ask it',
};

/** "Title (seed …); Title <https://…>" → one item per source, with its link where it has one. */
function sources(text: string): ListItem[] {
  return text.split(/;\s+/).filter(Boolean).map((s) => {
    const m = /^(.*?)\s*<(https?:\/\/[^>\s]+)>\s*$/.exec(s);
    return m ? { text: m[1] ?? s, link: m[2] ?? '' } : { text: s };
  });
}

export function answerParts(caseId: string, r: TriageResult): ReplyPart[] {
  const codes: ListItem[] = [
    ...r.procedureCodes.cdt.map((c) => ({ text: `CDT ${c.code}: ${c.description}` })),
    ...r.procedureCodes.cpt.map((c) => ({ text: `CPT ${c.code}: ${c.description}` })),
    ...r.procedureCodes.hcpcs.map((c) => ({ text: `HCPCS ${c.code}: ${c.description}` })),
    ...r.diagnosisCodes.map((c) => ({ text: `ICD-10-CM ${c.code}: ${c.description}` })),
  ];
  const parts: ReplyPart[] = [
    { kind: 'facts', rows: [{ label: 'Prior authorization', value: PREAUTH[r.preauth] }, { label: 'Case', value: caseId }] },
  ];
  if (codes.length) parts.push({ kind: 'list', title: 'Codes', items: codes });
  if (r.documents.length) parts.push({ kind: 'list', title: 'Documents for the medical claim', items: r.documents.map((d) => ({ text: `${d.label}: ${d.onHand ? 'on hand' : 'needed'}` })) });
  if (r.warnings.length) parts.push({ kind: 'list', title: 'Warnings', items: r.warnings.map((w) => ({ text: w.message })) });
  if (r.questions.length) parts.push({ kind: 'list', title: 'Questions that would change or firm up the answer', items: r.questions.map((q) => ({ text: q.question })) });
  if (r.rules.length) {
    parts.push({ kind: 'list', title: 'Why', items: r.rules.map((x) => ({ text: x.summary })), folded: true });
    const seen = new Set<string>();
    const cited = r.rules.flatMap((x) => sources(x.source)).filter((s) => !seen.has(s.text) && seen.add(s.text));
    parts.push({ kind: 'list', title: 'Sources', items: cited, folded: true });
  }
  return parts;
}
