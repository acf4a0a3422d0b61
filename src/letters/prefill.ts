/**
 * What the triage case already says, as a letter's facts and codes: the flow asks only for the rest. Values are
 * read from the case's fields and, a clause at a time, from its own words (case-notes.ts), and checked like any
 * answer.
 */
import type { CaseFacts } from '../knowledge/facts.js';
import type { TriageResult } from '../knowledge/triage.js';
import type { MedicalPayer } from '../knowledge/vocabulary.js';
import type { LetterCode } from './model.js';
import type { LetterTemplate } from './templates.js';
import { injuriesFrom, injuryFrom, procedureFrom, siteFrom } from './case-notes.js';
import { validateFactValue } from './fact-values.js';

export interface CasePrefill {
  /** Fact values the case already gives, checked like any answer. */
  values: Record<string, string>;
  /** The case's medical payer kind, when it says. */
  payerKind?: MedicalPayer;
}

const dotless = (code: string) => code.toUpperCase().replace(/\./g, '');

/** What the triage case already knows (age, payer kind, cause, how an injury happened, the teeth, a lesion's site, an AHI in the notes…), so the flow asks only for the rest. */
export function factsFromCase(template: LetterTemplate, caseFacts: Partial<CaseFacts>, today: string): CasePrefill {
  const values: Record<string, string> = {};
  const notes = [caseFacts.procedure ?? '', caseFacts.notes ?? ''].join('\n');
  const diagnoses = (caseFacts.diagnoses ?? []).map(dotless);
  for (const f of template.factsById.values()) {
    const def = f.def;
    (def.prefill ?? []).some((p, i) => {
      let raw: string | undefined;
      if ('case' in p) {
        if (p.case === 'patientAge' && caseFacts.patientAge !== undefined) {
          raw = def.type === 'duration' ? (caseFacts.patientAge >= 1 ? `${caseFacts.patientAge} years` : undefined) : String(caseFacts.patientAge);
        } else if (p.case === 'medicalPayer') raw = caseFacts.coverage?.medicalPayer;
        else if (p.case === 'cause') raw = caseFacts.cause;
        else if (p.case === 'injury') raw = injuryFrom(caseFacts.notes ?? '');
        else if (p.case === 'injuries') raw = injuriesFrom(caseFacts.notes ?? '');
        else if (p.case === 'site') raw = siteFrom(notes);
        else raw = caseFacts.procedure === undefined ? undefined : procedureFrom(caseFacts.procedure);
      } else if ('notes' in p) {
        const m = f.patterns[i]?.exec(notes);
        if (m) raw = p.value ?? m.slice(1).find((g) => g !== undefined) ?? m[0];
      } else if (diagnoses.some((d) => p.diagnoses.some((prefix) => d.startsWith(dotless(prefix))))) {
        raw = p.value;
      }
      if (raw === undefined) return false;
      const checked = validateFactValue(def, raw, today);
      if (checked.ok) values[def.id] = checked.value;
      return checked.ok;
    });
  }
  const payerKind = caseFacts.coverage?.medicalPayer;
  return { values, ...(payerKind ? { payerKind } : {}) };
}

/** The triage answer's codes as a letter lists them: CDT, CPT and HCPCS procedures, then the diagnoses. */
export function codesFromTriage(result: Pick<TriageResult, 'procedureCodes' | 'diagnosisCodes'>): { procedures: LetterCode[]; diagnoses: LetterCode[] } {
  return {
    procedures: [
      ...result.procedureCodes.cpt.map((c) => ({ system: 'CPT' as const, ...c })),
      ...result.procedureCodes.hcpcs.map((c) => ({ system: 'HCPCS' as const, ...c })),
      ...result.procedureCodes.cdt.map((c) => ({ system: 'CDT' as const, ...c })),
    ],
    diagnoses: result.diagnosisCodes.map((c) => ({ system: 'ICD-10-CM' as const, ...c })),
  };
}
