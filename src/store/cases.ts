/**
 * The cases port: the cases each person has been answered on, newest first (the case id, the procedure as
 * recognised, the lane) and the case's facts (no identifiers: they were scrubbed before any flow saw them),
 * so that a letter or a claim can refer to the case by its ID after the conversation has ended. Cases are
 * recorded and forgotten with a turn, through the unit of work.
 */

export interface CaseSummary { caseId: string; procedure: string; lane: string; updatedAt: number }
export interface CaseFile extends CaseSummary { owner: string; facts: Record<string, unknown> }
/** A case to record: facts left out keep the ones stored. */
export type CaseInput = CaseSummary & { facts?: Record<string, unknown> };

export interface CaseStore {
  /** A case by its ID, with its facts; undefined when medbill never answered it. */
  get(caseId: string): Promise<CaseFile | undefined>;
  /** This person's cases, newest first. */
  recent(owner: string, limit?: number): Promise<CaseSummary[]>;
}
