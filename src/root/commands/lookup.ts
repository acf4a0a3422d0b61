/** `medbill lookup`: codes across CDT, CPT, HCPCS and ICD-10-CM by code or by words, with their related codes. */
import { loadKnowledge } from '../../knowledge/load.js';
import { CodeIndex } from '../../knowledge/lookup.js';
import { renderLookup } from '../../reply-text.js';
import { positionals, UsageError } from '../../command-line.js';
import { withDirectory } from '../directory.js';
import type { Command } from './command.js';

export const lookupCommand: Command = {
  name: 'lookup',
  usage: [
    'medbill lookup "words or code"   find CDT, CPT, HCPCS and ICD-10-CM codes with their related codes',
  ],
  help: `Usage: medbill lookup "words or code"
  Exact by code in any set (K083 or K08.3), or by words. Uses the imported ICD-10-CM list when there is one.`,
  run(args, io) {
    const kn = loadKnowledge();
    const query = positionals('lookup', args).join(' ').trim();
    if (!query) throw new UsageError('lookup needs words or a code');
    return withDirectory(io, (_dir, _today, icd10) => {
      // Built here, not from the back office: a lookup needs the codes only, not the claims and letters.
      const hits = new CodeIndex(kn, icd10).search(query);
      io.out(renderLookup(hits));
      return hits.length ? 0 : 1;
    });
  },
};
