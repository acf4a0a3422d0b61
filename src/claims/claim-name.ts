/**
 * A claim as people name it: medbill's case ID with the practice's own claim number beside it, "C-7K3Q9
 * (A1005)", so whoever knows the claim by the number in the PM system recognises it (issue 24 §2). The
 * practice's claim number is its internal key for the claim, not a patient's: it may be shown wherever the
 * case ID is (a DM, the billing channel, the digest).
 */
export const claimName = (c: { caseId: string; reference?: string }): string => (c.reference ? `${c.caseId} (${c.reference})` : c.caseId);
