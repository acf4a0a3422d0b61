/** A flow context for driving flows directly, without the engine: in-memory storage, a fixed day in Chicago. */
import { flows } from '../../flows/index.js';
import type { FlowContext } from '../../flows/context.js';
import { CodeIndex } from '../../src/knowledge/lookup.js';
import { NO_DIRECTORY } from '../../src/knowledge/evidence.js';
import { claimService, letterService, sqliteStorage } from './storage.js';
import { kn } from '../helpers.js';

export function flowContext(): FlowContext {
  const storage = sqliteStorage();
  return {
    kn, codes: new CodeIndex(kn), directory: NO_DIRECTORY, newCaseId: () => 'C-TEST1', help: (lead) => flows.help(lead),
    claims: claimService(storage), digests: storage.digests, reports: storage.claimReports, letters: letterService(storage),
    today: () => '2026-12-02', zone: 'America/Chicago', now: () => Date.parse('2026-12-02T15:00:00Z'), caseFile: async () => undefined,
  };
}
