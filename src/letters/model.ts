/**
 * A letter of medical necessity as medbill builds it: from a template in knowledge/letters/ and the case's
 * facts (clinical, never identifying), into sections of paragraphs. The office fills in who the patient and
 * the provider are in its own system: the identifier placeholders below are the only gaps a letter has.
 */
import type { ProperNameKind } from '../privacy/scrubber.js';

/** The only bracketed gaps a finished draft may contain: the office fills them in its own system. */
export const IDENTIFIER_PLACEHOLDERS = ['[PATIENT NAME]', '[DATE OF BIRTH]', '[MEMBER ID]', '[PROVIDER NAME, CREDENTIALS, NPI]', '[DATE]'] as const;

/** One fact a letter states, as the template names it, with the value as it will be written. */
export interface LetterFact {
  /** The template's id for it, e.g. "ahi". */
  id: string;
  /** What it is, in words, e.g. "Apnea-hypopnea index (events per hour)". */
  label: string;
  /** As written in the letter, e.g. "24". */
  value: string;
  /**
   * The answer names a product, a lab or a drug (the template's `names`): its capitalised words passed the
   * identifier scrubber only as that answer, so the optional LLM is sent it only if it passes as any text.
   */
  names?: ProperNameKind;
}

export interface LetterCode { system: 'CPT' | 'HCPCS' | 'CDT' | 'ICD-10-CM'; code: string; description: string }

export interface LetterSection {
  heading: string;
  paragraphs: string[];
}

/** A rendered letter: what the text and the .docx are both made from. */
export interface LetterDraft {
  caseId: string;
  /** The template it came from (knowledge/letters/<id>.json) and its version. */
  templateId: string;
  templateVersion: number;
  /** e.g. "Letter of medical necessity: oral appliance for obstructive sleep apnea". */
  title: string;
  /** Payer line, e.g. "Medicare (DME MAC)" or "Aetna"; never a member ID. */
  payer?: string;
  /** A statement of medical necessity kept in the record and sent on the payer's request, not a request for coverage. */
  onFile?: boolean;
  sections: LetterSection[];
  procedures: LetterCode[];
  diagnoses: LetterCode[];
  /** What goes with the letter, in words ("Sleep study report", "Clinical notes (SOAP)"). */
  attachments: string[];
  /** The facts the letter states, so a check (and the LLM check) can compare against them. */
  facts: LetterFact[];
  /** Who wrote the narrative paragraphs: the template, or the optional LLM (checked against the facts). */
  narrativeBy: 'template' | 'llm';
}
