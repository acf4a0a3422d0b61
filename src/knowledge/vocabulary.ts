/**
 * The fixed vocabulary of the triage contract (shared/contracts/triage.md).
 * Everything that is checked from outside uses exactly these strings.
 */
export const CAUSES = [
  'trauma', 'infection', 'pathology', 'impaction', 'sleep-apnea', 'tmj', 'congenital', 'systemic-condition',
  'medical-clearance', 'decay', 'routine', 'cosmetic', 'unknown',
] as const;
export type Cause = (typeof CAUSES)[number];

export const MEDICAL_PAYERS = ['medicare', 'medicare-advantage', 'medicaid', 'commercial', 'tricare', 'other'] as const;
export type MedicalPayer = (typeof MEDICAL_PAYERS)[number];

export const LANES = ['medical', 'medical-first', 'dental', 'patient-pay', 'needs-info'] as const;
export type Lane = (typeof LANES)[number];

export const PREAUTH_LEVELS = ['required', 'likely', 'rarely', 'not-required', 'unknown'] as const;
export type Preauth = (typeof PREAUTH_LEVELS)[number];

export const DOCUMENT_KINDS = [
  'clinical-notes', 'imaging', 'photos', 'letter-of-medical-necessity', 'referral', 'physician-order',
  'sleep-study', 'pathology-report', 'operative-report', 'prior-authorization', 'accident-details',
  'treatment-history', 'medical-history', 'primary-eob',
] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export const WARNING_IDS = [
  'fee-above-cash-fee', 'preauth-missing', 'credentialing', 'cbct-accreditation', 'dme-enrollment',
  'documentation-gap', 'unverified-diagnosis', 'low-roi', 'other-liable-payer',
] as const;
export type WarningId = (typeof WARNING_IDS)[number];

/** How the patient's plans combine; derived from `coverage` (see situation.ts). */
export const COVERAGE_KINDS = ['combined', 'separate', 'medical-only', 'dental-only', 'none'] as const;
export type CoverageKind = (typeof COVERAGE_KINDS)[number];

export const CODE_SETS = ['cdt', 'cpt', 'hcpcs', 'icd10cm'] as const;
export type CodeSet = (typeof CODE_SETS)[number];
export type ProcedureCodeSet = Exclude<CodeSet, 'icd10cm'>;

export const CONFIDENCE_LEVELS = ['verified', 'secondary'] as const;
export type Confidence = (typeof CONFIDENCE_LEVELS)[number];

/** Lanes in which a medical claim is filed, so the medical payer's paperwork matters. */
export const MEDICAL_LANES: readonly Lane[] = ['medical', 'medical-first'];

/**
 * Who a claim goes to: the medical payer kinds of the triage contract, the insurers that pay before the health
 * plan for an injury (auto no-fault or med-pay, workers' compensation, a liability insurer), and the dental plan a
 * medical-first case bills after the medical plan's EOB, each with its own filing and appeal limits in
 * knowledge/followup.json.
 */
export const CLAIM_PAYER_KINDS = [...MEDICAL_PAYERS, 'auto', 'workers-comp', 'liability', 'dental'] as const;
export type ClaimPayerKind = (typeof CLAIM_PAYER_KINDS)[number];

/** Claim adjustment group codes: contractual, patient responsibility, other, payer-initiated. */
export const DENIAL_GROUPS = ['CO', 'PR', 'OA', 'PI'] as const;
export type DenialGroup = (typeof DENIAL_GROUPS)[number];
