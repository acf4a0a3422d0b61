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

/**
 * A claim's key. A case has one claim, keyed by the case ID (C-7K3Q9); a medical-first case has a second one,
 * the dental claim sent after the medical plan's EOB, keyed by the case ID and -D (C-7K3Q9-D). The key is
 * the link: the dental claim of C-7K3Q9 is always C-7K3Q9-D, so nothing else needs storing to find it.
 */
export const CLAIM_KEY_SHAPE = /^C-[A-HJ-NP-Z2-9]{5}(?:-D)?$/;
/** A claim key inside a message ("C-7K3Q9-D submitted 12/2"), in any letter case. */
export const CLAIM_KEY_IN_TEXT = /\bC-[A-HJ-NP-Z2-9]{5}(?:-D)?\b/i;
/** The first claim key written in `text`, upper case, if there is one. */
export const claimKeyIn = (text: string): string | undefined => CLAIM_KEY_IN_TEXT.exec(text)?.[0].toUpperCase();

const DENTAL_SUFFIX = '-D';
/** The key of a case's dental (secondary) claim. */
export const dentalClaimKey = (caseId: string): string => `${caseId}${DENTAL_SUFFIX}`;
/** Whether a claim key is a case's dental (secondary) claim. */
export const isDentalClaimKey = (key: string): boolean => key.endsWith(DENTAL_SUFFIX);
/** The case a claim belongs to (and the key of its medical claim): C-7K3Q9 for C-7K3Q9-D. */
export const caseOfClaim = (key: string): string => (isDentalClaimKey(key) ? key.slice(0, -DENTAL_SUFFIX.length) : key);

export function newCaseId(): string {
  let id = 'C-';
  for (let i = 0; i < 5; i++) id += LETTERS[randomInt(LETTERS.length)];
  return id;
}

const CASE_CODES = LETTERS.length ** 5;

/**
 * A claim key as a small integer (C-7K3Q9 and its dental claim C-7K3Q9-D each their own, under 2^26), or
 * undefined for text that is not one: an import keeps a key for every row of its file, and a number costs no
 * string. `claimKeyOfCode` gives the key back.
 */
export function claimKeyCode(key: string): number | undefined {
  if (!CLAIM_KEY_SHAPE.test(key)) return undefined;
  let code = 0;
  for (let i = 2; i < 7; i++) code = code * LETTERS.length + LETTERS.indexOf(key.charAt(i));
  return isDentalClaimKey(key) ? code + CASE_CODES : code;
}

/** The claim key of a `claimKeyCode`. */
export function claimKeyOfCode(code: number): string {
  let id = '';
  for (let n = code % CASE_CODES, i = 0; i < 5; i++, n = Math.floor(n / LETTERS.length)) id = (LETTERS[n % LETTERS.length] ?? '') + id;
  return code >= CASE_CODES ? dentalClaimKey(`C-${id}`) : `C-${id}`;
}
