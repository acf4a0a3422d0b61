/**
 * A case's ID, C- and five letters or digits (C-7K3Q9): the only handle a case, its claim and its letter
 * ever have. No I, L, O, 0 or 1, so an ID read aloud or copied by hand is not misread.
 */
import { randomInt } from 'node:crypto';

const LETTERS = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** Exactly a case ID. */
export const CASE_ID_SHAPE = /^C-[A-HJ-NP-Z2-9]{5}$/;
/** A case ID inside a message ("C-7K3Q9 paid $412"), in any letter case. */
export const CASE_ID_IN_TEXT = /\bC-[A-HJ-NP-Z2-9]{5}\b/i;

/** The first case ID written in `text`, as medbill writes it (upper case), if there is one. */
export const caseIdIn = (text: string): string | undefined => CASE_ID_IN_TEXT.exec(text)?.[0].toUpperCase();

export function newCaseId(): string {
  let id = 'C-';
  for (let i = 0; i < 5; i++) id += LETTERS[randomInt(LETTERS.length)];
  return id;
}
