/**
 * Renders a letter of medical necessity from a template (knowledge/letters/) and a case's facts: checks each
 * fact's value (fact-values.ts), refuses a letter with a required fact missing, and puts the template's
 * paragraphs inside the fixed frame (date, addressee, the identifier placeholders, the codes, the closing and
 * signature, the enclosures). Pure and synchronous; the only bracketed gaps a draft has are
 * IDENTIFIER_PLACEHOLDERS. What the case already says is prefill.ts; a narrative is checked by narrative-check.ts.
 */
import type { MedicalPayer } from '../knowledge/vocabulary.js';
import { IDENTIFIER_PLACEHOLDERS, type LetterCode, type LetterDraft, type LetterFact, type LetterSection } from './model.js';
import type { CompiledFact, FactDef, LetterTemplate } from './templates.js';
import { answer, given, holds, missingFacts, validateFactValue } from './fact-values.js';
import { gapsIn, narrativeForLetter } from './narrative-check.js';
import { asClause, asList, lowerFirst, tidyParagraph } from './prose.js';

export class LetterError extends Error {
  override readonly name = 'LetterError';
  constructor(
    message: string,
    /** Required facts not given, in ask order. */
    readonly missing: FactDef[] = [],
    /** Values that were refused, and other problems, one sentence each. */
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

export interface RenderOptions {
  caseId: string;
  /** Fact values by fact id (as validateFactValue returns them, or raw: they are checked again). */
  values: Record<string, string | undefined>;
  /** The payer's name for the addressee line ("Aetna"); never a member ID. Default: the template's line for the payer kind. */
  payer?: string;
  payerKind: MedicalPayer;
  procedures: LetterCode[];
  diagnoses: LetterCode[];
  /** The LLM's rewrite of the narrative section; checked, and used instead of the template's paragraphs. */
  narrative?: string[];
  /** Today where the letter is written (src/today.ts), for month-year checks ("has that month passed?"). */
  today: string;
}

const DEFAULT_PAYER_LINE: Record<MedicalPayer, string> = {
  medicare: 'Medicare',
  'medicare-advantage': 'Medicare Advantage plan',
  medicaid: 'Medicaid',
  commercial: 'Health plan',
  tricare: 'TRICARE',
  other: 'Health plan',
};
const [PATIENT, DOB, MEMBER, PROVIDER, DATE] = IDENTIFIER_PLACEHOLDERS;
const CERTIFICATION = 'I certify that the information in this letter is accurate and supported by the patient\'s records, which are available on request.';

/** The value as the letter writes it: the option's text, "90 or older", a list as "a, b and c", … (yes-no: "yes"/"no"). */
function written(def: FactDef, value: string): string {
  if (def.type === 'choice') {
    const o = def.options.find((x) => x.value === value);
    return o ? (o.text ?? o.label) : value;
  }
  if (def.type === 'number' && def.capAt !== undefined && Number(value) >= def.capAt) return `${def.capAt} or older`;
  if (def.type === 'text' && def.list) return asList(value);
  return value;
}

/**
 * The fact written into its sentence. `before` is the paragraph so far: a typed answer in the middle of a
 * sentence starts in lower case when its first word is an ordinary one.
 */
function phraseOf(f: CompiledFact, value: string, before = ''): string {
  const def = f.def;
  if (def.type === 'yes-no') return value === 'yes' ? def.phrase : (def.phraseNo ?? '');
  // An age over the cap: "90 years old or older", the phrase's unit before "or older".
  if (def.type === 'number' && def.capAt !== undefined && Number(value) >= def.capAt) return `${f.phraseParts[0]}${def.capAt}${f.phraseParts[1]} or older`;
  const clause = def.type === 'text' && f.clauseParts ? asClause(value) : undefined;
  const [head, tail] = clause !== undefined && f.clauseParts ? f.clauseParts : f.phraseParts;
  const text = clause ?? written(def, value);
  const lead = before + head;
  const midSentence = def.type === 'text' && /\S/.test(lead) && !/[.!?]\s*$/.test(lead);
  return head + (midSentence ? lowerFirst(text) : text) + tail;
}

function cleanCode(c: LetterCode, kind: string): LetterCode {
  const code = String(c.code ?? '').trim();
  const description = String(c.description ?? '').replace(/\s+/g, ' ').trim();
  if (!/^[A-Z0-9][A-Z0-9.-]{0,11}$/i.test(code)) throw new LetterError(`The ${kind} code "${code.slice(0, 20)}" is not a code.`);
  if (!description || description.length > 240 || /[{}[\]]/.test(description)) throw new LetterError(`The ${kind} code ${code} needs a plain description (no brackets, at most 240 characters).`);
  return { system: c.system, code, description };
}

function cleanPayer(payer: string | undefined): string | undefined {
  if (payer === undefined) return undefined;
  const p = payer.replace(/\s+/g, ' ').trim();
  if (!p) return undefined;
  if (p.length > 80 || /[{}[\]@]/.test(p) || /\d{4,}/.test(p) || /\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{6,}\b/i.test(p)) {
    throw new LetterError('The payer line takes the payer\'s name only (no member or group ID).');
  }
  return p;
}

/** Checks and normalizes the values; throws LetterError with the missing facts and the refused values. */
function checkedValues(template: LetterTemplate, options: RenderOptions): Record<string, string> {
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (const def of template.facts) {
    const raw = answer(options.values, def.id);
    // A fact that does not apply (its `when` fails) is not written, whatever was answered.
    if (raw === undefined || !holds(def.when, values)) continue;
    const checked = validateFactValue(def, raw, options.today);
    if (checked.ok) values[def.id] = checked.value;
    else problems.push(`${def.label}: ${checked.problem}`);
  }
  const missing = missingFacts(template, values, options.payerKind).filter((f) => !given(options.values, f.id));
  if (missing.length || problems.length) {
    const parts = [
      ...(missing.length ? [`missing ${missing.map((f) => f.label).join(', ')}`] : []),
      ...problems,
    ];
    throw new LetterError(`The letter cannot be written yet: ${parts.map((p) => p.replace(/\.$/, '')).join('; ')}.`, missing, problems);
  }
  return values;
}

interface Rendered {
  sections: LetterSection[];
  narrativeIndex: number;
  used: Set<string>;
}

function renderBody(template: LetterTemplate, values: Record<string, string>, payerKind: MedicalPayer): Rendered {
  const used = new Set<string>();
  const sections: LetterSection[] = [];
  let narrativeIndex = -1;
  for (const s of template.sections) {
    if (s.payers && !s.payers.has(payerKind)) continue;
    if (!holds(s.when, values)) continue;
    const paragraphs: string[] = [];
    for (const p of s.paragraphs) {
      if (p.payers && !p.payers.has(payerKind)) continue;
      if (!holds(p.when, values)) continue;
      let out = '';
      for (const part of p.parts) {
        if (typeof part === 'string') out += part;
        else {
          // Loading guarantees the fact exists and that the paragraph shows only when it has a value.
          const f = template.factsById.get(part.ref);
          const v = values[part.ref];
          if (!f || v === undefined) throw new LetterError(`Template ${template.id}: {${part.ref}} has no value here.`);
          out += phraseOf(f, v, out);
          used.add(part.ref);
        }
      }
      out = tidyParagraph(out);
      if (out) paragraphs.push(out);
    }
    if (!paragraphs.length) continue;
    if (s.narrative) narrativeIndex = sections.length;
    sections.push({ heading: s.heading, paragraphs });
  }
  return { sections, narrativeIndex, used };
}

/**
 * The letter for a case. Throws LetterError when a required fact is missing or a value is refused (naming
 * them), or when the LLM narrative, the codes or the payer line are not acceptable. The draft's sections are
 * the letter's body (the template's sections for this payer kind and these facts, then a certification);
 * the frame (date, addressee, identifier placeholders, codes, attachments, signature) is built from the
 * draft's other fields by letterText and the .docx writer alike.
 */
export function renderLetter(template: LetterTemplate, options: RenderOptions): LetterDraft {
  const values = checkedValues(template, options);
  const procedures = options.procedures.map((c) => cleanCode(c, 'procedure'));
  const diagnoses = options.diagnoses.map((c) => cleanCode(c, 'diagnosis'));
  if (!procedures.length && !diagnoses.length) throw new LetterError('A letter needs at least one procedure or diagnosis code.');
  const payer = cleanPayer(options.payer) ?? template.addressee[options.payerKind] ?? DEFAULT_PAYER_LINE[options.payerKind];

  const body = renderBody(template, values, options.payerKind);
  let narrativeBy: LetterDraft['narrativeBy'] = 'template';
  if (options.narrative !== undefined) {
    const checked = narrativeForLetter(options.narrative);
    if ('problem' in checked) throw new LetterError(checked.problem);
    const narrative = checked.paragraphs;
    const section = body.sections[body.narrativeIndex];
    if (!section) throw new LetterError('This letter has no narrative section to replace.');
    body.sections[body.narrativeIndex] = { heading: section.heading, paragraphs: narrative };
    narrativeBy = 'llm';
  }

  const sections: LetterSection[] = [...body.sections, { heading: 'Certification', paragraphs: [CERTIFICATION] }];
  const attachments = template.attachments
    .filter((a) => (!a.payers || a.payers.has(options.payerKind)) && holds(a.when, values))
    .map((a) => a.label);

  const facts: LetterFact[] = template.facts.flatMap((f) => {
    const v = values[f.id];
    return body.used.has(f.id) && v !== undefined ? [{ id: f.id, label: f.label, value: written(f, v), ...(f.type === 'text' && f.names ? { names: f.names } : {}) }] : [];
  });

  const draft: LetterDraft = {
    caseId: options.caseId,
    templateId: template.id,
    templateVersion: template.version,
    title: template.title,
    payer,
    ...(template.onFile.has(options.payerKind) ? { onFile: true } : {}),
    sections,
    procedures,
    diagnoses,
    attachments,
    facts,
    narrativeBy,
  };
  // A template that passed loading cannot leave a gap; this guards the guarantee, not the input.
  const gaps = [draft.title, payer, ...sections.flatMap((s) => [s.heading, ...s.paragraphs]), ...attachments].flatMap(gapsIn);
  if (gaps[0] !== undefined) throw new LetterError(`The letter would have a gap (${gaps[0].slice(0, 40)}).`);
  return draft;
}

/** The template's own narrative paragraphs for these facts: what the optional LLM is given to rewrite. */
export function templateNarrative(template: LetterTemplate, options: Pick<RenderOptions, 'values' | 'payerKind' | 'today'>): string[] {
  const values = checkedValues(template, { ...options, caseId: '', procedures: [], diagnoses: [] });
  const body = renderBody(template, values, options.payerKind);
  return body.sections[body.narrativeIndex]?.paragraphs ?? [];
}

/**
 * The letter as plain text: what chat shows and what the .docx holds, in the same order: title, date,
 * addressee, the identifier line, the sections (the template's, then the certification), the codes, the
 * attachments, the closing and the signature.
 */
/**
 * The letter's addressee and subject lines: the same in the text and the .docx. A statement kept on file is
 * addressed to no reviewer: it goes to the payer only when the payer asks for the records.
 */
export const addresseeLine = (draft: LetterDraft): string =>
  draft.onFile
    ? `Statement of medical necessity, kept on file; sent to ${draft.payer ?? 'the payer'} on request`
    : `To: ${draft.payer ?? 'Health plan'} medical review`;
export const REGARDING_LINE = `Re: ${PATIENT}, ${DOB}, ${MEMBER}`;

export function letterText(draft: LetterDraft): string {
  const codeLine = (kind: string) => (c: LetterCode) => `${kind}: ${c.system} ${c.code} – ${c.description}`;
  const blocks: string[] = [
    draft.title,
    DATE,
    `${addresseeLine(draft)}\n${REGARDING_LINE}`,
  ];
  for (const s of draft.sections) blocks.push([...(s.heading ? [s.heading] : []), s.paragraphs.join('\n\n')].join('\n'));
  const codes = [...draft.procedures.map(codeLine('Procedure')), ...draft.diagnoses.map(codeLine('Diagnosis'))];
  if (codes.length) blocks.push(['Procedure and diagnosis codes', ...codes].join('\n'));
  if (draft.attachments.length) blocks.push(['Attachments', ...draft.attachments.map((a) => `- ${a}`)].join('\n'));
  blocks.push('Sincerely,', PROVIDER);
  return `${blocks.join('\n\n')}\n`;
}
