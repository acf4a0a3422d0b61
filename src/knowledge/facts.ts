import { z } from 'zod';
import { CAUSES, DOCUMENT_KINDS, MEDICAL_PAYERS } from './vocabulary.js';
import { describeZodError } from '../zod-message.js';
import { isIsoDate } from '../calendar.js';

/** Generous limits: far above any real case, low enough that a runaway input is refused, not processed. */
export const LIMITS = {
  procedureChars: 500,
  notesChars: 20_000,
  diagnoses: 12, // a CMS-1500 carries at most 12 diagnoses (item 21, A–L)
  money: 10_000_000,
} as const;

const money = z.number().finite().nonnegative().max(LIMITS.money);

/** CaseFacts, exactly as the triage contract defines it. Unknown fields are errors. */
export const CaseFactsSchema = z.strictObject({
  procedure: z.string().trim().min(1, 'must not be empty').max(LIMITS.procedureChars),
  cause: z.enum(CAUSES).optional(),
  diagnoses: z.array(z.string().trim().min(1).max(12)).max(LIMITS.diagnoses).optional(),
  notes: z.string().max(LIMITS.notesChars).optional(),
  coverage: z
    .strictObject({
      medical: z.boolean().optional(),
      dental: z.boolean().optional(),
      combinedPlan: z.boolean().optional(),
      medicalPayer: z.enum(MEDICAL_PAYERS).optional(),
    })
    .optional(),
  patientAge: z.number().int().min(0).max(130).optional(),
  documentsOnHand: z.array(z.enum(DOCUMENT_KINDS)).optional(),
  fee: money.optional(),
  cashFee: money.optional(),
  /**
   * The date of service (planned or done), YYYY-MM-DD: it chooses the ICD-10-CM code set of that fiscal year
   * (October 1 to September 30). Absent: today in the practice's time zone.
   */
  serviceDate: z.string().refine(isIsoDate, 'must be a date written YYYY-MM-DD, e.g. 2026-10-01').optional(),
});
export type CaseFacts = z.infer<typeof CaseFactsSchema>;

export class InvalidFactsError extends Error {
  override readonly name = 'InvalidFactsError';
}

export function parseCaseFacts(input: unknown): CaseFacts {
  const parsed = CaseFactsSchema.safeParse(input);
  if (!parsed.success) throw new InvalidFactsError(describeZodError(parsed.error));
  return parsed.data;
}
