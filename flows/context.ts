/**
 * What medbill's flows work with beside the engine's own turn context: the services the composition root
 * builds once (src/root/back-office.ts) and the engine passes through to every flow without knowing their types.
 */
import type { Flow as EngineFlow, FlowContext as EngineFlowContext } from '../src/engine/flow.js';
import type { Knowledge } from '../src/knowledge/load.js';
import type { CodeIndex } from '../src/knowledge/lookup.js';
import type { CodeDirectory } from '../src/knowledge/evidence.js';
import type { ClaimService } from '../src/claims/service.js';
import type { DigestStore } from '../src/store/digest.js';
import type { ClaimReportStore } from '../src/store/claim-reports.js';
import type { LetterService } from '../src/letters/service.js';

/** A plain object (it is spread into each turn's context). */
export interface Services {
  kn: Knowledge;
  codes: CodeIndex;
  directory: CodeDirectory;
  /** Claims: flows plan changes while deciding and hand them back as planned writes (see Outcome.writes). */
  claims: ClaimService;
  /** The daily digest's channels and schedules. */
  digests: DigestStore;
  /** Every claim, for the claims report. */
  reports: ClaimReportStore;
  /** Letters of medical necessity: templates, drafts by case ID, rendering. */
  letters: LetterService;
}

export type FlowContext = EngineFlowContext<Services>;
export type Flow = EngineFlow<Services>;
