/** "Find a code": by number (dotted or not) or by words, across CDT, CPT, HCPCS and ICD-10-CM, with related codes. */
import { z } from 'zod';
import { choicesFor, stateSchema, type Outcome } from '../src/engine/flow.js';
import { type Flow, type FlowContext } from './context.js';
import { reply, type Reply } from '../src/engine/model.js';
import type { CodeSet } from '../src/knowledge/vocabulary.js';
import { codeSetOf } from '../src/knowledge/codes.js';

const MAX_HITS = 12;

const SET_WORDS: [RegExp, CodeSet[]][] = [
  [/\bcdt\b/i, ['cdt']],
  [/\bcpt\b/i, ['cpt']],
  [/\bhcpcs\b/i, ['hcpcs']],
  [/\b(?:icd(?:-?10)?(?:-?cm)?|dx|diagnos[ie]s)\b/i, ['icd10cm']],
];
/** "whats the cpt code for a", "which icd for", "code for the": the question around what is looked up. */
const QUESTION = /^\s*(?:(?:what(?:'?s| is| are)|which)\s+(?:is\s+)?(?:the\s+)?)?(?:(?:cdt|cpt|hcpcs|icd(?:-?10)?(?:-?cm)?|dx|diagnosis|procedure)(?:\s+codes?)?|codes?)\s+(?:for|of)\b(?:\s+(?:a|an|the))?[:\s]*/i;
/** "biopsy of tongue lesion cpt", "tongue biopsy cpt code?": the set asked for at the end. */
const TRAILING_SET = /\s*\b(?:cdt|cpt|hcpcs|icd(?:-?10)?(?:-?cm)?)(?:\s+codes?)?\s*[?.!]?\s*$/i;

/** What a lookup asks: the words (or code) to find, and the code sets it names, if any. */
export function readLookup(text: string): { query: string; sets: CodeSet[] } {
  const sets = SET_WORDS.flatMap(([re, s]) => (re.test(text) ? s : []));
  const query = text.replace(QUESTION, '').replace(TRAILING_SET, '').replace(/[?!]+\s*$/, '').trim();
  return { query, sets };
}

function results(ctx: FlowContext, text: string): Outcome {
  const { query, sets } = readLookup(text);
  const hits = ctx.codes.search(query, MAX_HITS, sets);
  if (!hits.length) {
    // The query is not repeated: it is free text, and what medbill did not understand is exactly what it cannot vouch for.
    return { state: { step: 'query', slots: {} }, replies: [reply('I could not find a code for that wording. Try other words or a code, e.g. "impacted tooth" or "K01.1".')] };
  }
  const rows = hits.map((h) => [
    h.set.toUpperCase(), h.code,
    `${h.description}${h.billable === false ? ' (header: not billable, use a longer code)' : ''}${h.categories.length ? `. Used for: ${h.categories.join('; ')}` : ''}`,
  ]);
  const only = hits.length === 1 ? hits[0] : undefined;
  const related = only?.related ?? [];
  // A title names only a code the tables know, never the words as typed.
  const exact = hits.find((h) => h.code.replace('.', '').toUpperCase() === query.trim().replace('.', '').toUpperCase());
  const parts: Reply['parts'] = [{ kind: 'table', title: exact ? `Codes for ${exact.code}` : 'Matching codes', columns: ['Set', 'Code', 'What it is'], rows }];
  if (related.length) {
    parts.push({ kind: 'facts', title: 'Related codes', rows: related.map((r) => ({ label: `${r.set.toUpperCase()} ${r.code}`, value: r.description })) });
    parts.push({ kind: 'choices', choices: choicesFor('lookup', 'results', related.slice(0, 5).map((r) => ({ label: `Look up ${r.code}`, value: r.code }))) });
  }
  return { state: { step: 'results', slots: {} }, replies: [reply(`${hits.length} code${hits.length > 1 ? 's' : ''} found.`, parts)] };
}

/** A message that is only a code ("D7240", "what is K08.3?"): the code, else undefined. */
export function bareCode(text: string): string | undefined {
  const bare = text.trim().replace(/[?.!]+$/, '').replace(/^what(?:'s| is)\s+/i, '');
  return /^\S+$/.test(bare) && codeSetOf(bare) ? bare : undefined;
}

const ask: Reply = reply('Which code? Type a code (D7240, 41100, E0486, K08.3) or words ("impacted tooth").');

export const lookupFlow: Flow = {
  id: 'lookup',
  version: 1,
  title: 'Look up a code',
  commands: [
    /^\s*\/?(?:look ?up|find(?: a)? code|search)\b[:\s]*/i,
    // A question about a code: "whats the cpt for a tongue biopsy", "icd code for impacted teeth", "code for D7240",
    // or words that end with the set asked for ("biopsy of tongue lesion cpt"). The whole message is the seed.
    new RegExp(`^(?=${QUESTION.source})`, 'i'),
    /^(?=[^?.!]{3,80}\b(?:cdt|cpt|hcpcs|icd(?:-?10)?(?:-?cm)?)(?:\s+codes?)?\s*[?.!]?\s*$)/i,
  ],
  menu: { label: 'Look up a code', example: '"lookup impacted tooth" or "lookup K08.3"', words: ['lookup'], inChannels: true },
  stateSchema: stateSchema(['query', 'results'], z.object({})),
  examples: ['look up a code', 'find a code', 'what is the code for', 'which icd code', 'code for a procedure', 'what does this code mean'],
  // A code on its own is a lookup ("what is D7240?").
  recognise: (_ctx, text) => {
    const code = bareCode(text);
    return code ? { text: code } : undefined;
  },
  // A message that only resembled "look up a code" is not itself the query: ask for it.
  start: (ctx, seed) => (seed.text?.trim() && !seed.resembled ? results(ctx, seed.text.trim()) : { state: { step: 'query', slots: {} }, replies: [ask] }),
  handle(ctx, st, input) {
    if (input.kind === 'button' && input.step === 'results' && st.step === 'results') return results(ctx, input.value);
    if (input.kind === 'text' && st.step === 'query') return results(ctx, input.text);
    if (input.kind === 'text') return { state: st, replies: [], unhandled: true };
    return { state: st, replies: [reply("That button is not part of this lookup. Type a code or words to look up.")] };
  },
  prompt: (_ctx, st) => (st.step === 'query' ? [ask] : [reply('Type "lookup" and a code or words to look up another.')]),
  why: () => 'Looking a code up shows its plain-language meaning, whether an ICD-10-CM code is billable, and the codes used with it.',
};
