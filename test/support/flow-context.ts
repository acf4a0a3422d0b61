/** A flow context for driving flows directly, without the engine: an in-memory database, a fixed day in Chicago. */
import { flows } from '../../flows/index.js';
import type { FlowContext } from '../../flows/context.js';
import { CodeIndex } from '../../src/knowledge/lookup.js';
import { NO_DIRECTORY } from '../../src/knowledge/evidence.js';
import { openDb } from '../../src/store/db.js';
import { ClaimService } from '../../src/claims/service.js';
import { DigestStore } from '../../src/store/digest.js';
import { LetterService } from '../../src/letters/service.js';
import { kn } from '../helpers.js';
import { shelf } from './house.js';

export function flowContext(): FlowContext {
  const db = openDb(':memory:');
  return {
    kn, codes: new CodeIndex(kn), directory: NO_DIRECTORY, newCaseId: () => 'C-TEST1', help: (lead) => flows.help(lead),
    claims: new ClaimService(db, shelf.claims), digests: new DigestStore(db), letters: new LetterService(db, shelf.letters),
    today: () => '2026-12-02', zone: 'America/Chicago', now: () => Date.parse('2026-12-02T15:00:00Z'), caseFile: () => undefined,
  };
}
