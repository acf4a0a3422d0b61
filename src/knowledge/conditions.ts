/** Evaluates the `when` conditions of knowledge/ entries against one concrete reading of a case. */
import type { Condition } from './schema.js';
import type { Cause, CoverageKind, Lane, MedicalPayer, ProcedureCodeSet } from './vocabulary.js';

export interface Context {
  cause: Cause;
  /** Undefined when the case does not say enough to know it. */
  coverage?: CoverageKind;
  payer?: MedicalPayer;
  age?: number;
  signals: ReadonlySet<string>;
  /** Known only once the lane is decided (documents, codes, warnings, questions). */
  lane?: Lane;
  /** Code sets for which no code was chosen (known after code selection, for questions). */
  emptyCodeSets?: ReadonlySet<ProcedureCodeSet>;
}

export function holds(when: Condition | undefined, ctx: Context): boolean {
  if (!when) return true;
  if (when.coverage && (!ctx.coverage || !when.coverage.includes(ctx.coverage))) return false;
  if (when.payer && (!ctx.payer || !when.payer.includes(ctx.payer))) return false;
  if (when.notPayer && ctx.payer && when.notPayer.includes(ctx.payer)) return false;
  if (when.cause && !when.cause.includes(ctx.cause)) return false;
  if (when.signals && !when.signals.every((s) => ctx.signals.has(s))) return false;
  if (when.anySignals && !when.anySignals.some((s) => ctx.signals.has(s))) return false;
  if (when.notSignals && when.notSignals.some((s) => ctx.signals.has(s))) return false;
  if (when.minAge !== undefined && (ctx.age === undefined || ctx.age < when.minAge)) return false;
  if (when.maxAge !== undefined && (ctx.age === undefined || ctx.age > when.maxAge)) return false;
  if (when.lane && (!ctx.lane || !when.lane.includes(ctx.lane))) return false;
  if (when.noCodes && !ctx.emptyCodeSets?.has(when.noCodes)) return false;
  return true;
}
