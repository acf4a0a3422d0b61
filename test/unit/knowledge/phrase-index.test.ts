// The phrase index finds, from a text's own words, exactly what trying every phrase of the knowledge base finds:
// the signals and categories a message raises must not change because they are looked up by first word.
import { describe, expect, it } from 'vitest';
import { kn } from '../../helpers.js';
import { hasPhrase, PhraseIndex, tokenize, type Phrase, type Tokens } from '../../../src/knowledge/text.js';

/** Trying every phrase of every owner: what the index replaces. */
function everyPhrase<Owner>(owners: (readonly [Owner, readonly Phrase[]])[], tokens: Tokens): Map<Owner, number> {
  const found = new Map<Owner, number>();
  for (const [owner, phrases] of owners) {
    let best = 0;
    for (const phrase of phrases) if (phrase.length > best && hasPhrase(tokens, phrase)) best = phrase.length;
    if (best > 0) found.set(owner, best);
  }
  return found;
}

const signals = kn.signals.map((s) => [s.id, s.compiledPhrases] as const);
const categories = kn.categories.map((c) => [c, c.phrases] as const);
const every = [...signals.flatMap(([, p]) => p), ...categories.flatMap(([, p]) => p)].map((p) => p.join(' '));
// Each phrase alone, negated, and inside a message with others (with endings: "swelled", "extractions").
const texts = [
  ...every,
  ...every.map((p) => `no ${p}`),
  ...every.map((p, i) => `pt has ${p}ed and ${every[(i * 7) % every.length] ?? ''}s, not ${every[(i * 13) % every.length] ?? ''}; ${p} #14`),
  'pt broke #8 in a bike accident, BCBS medical + Delta dental',
  'denies swelling, fever, trismus. Needs surgical extraction of impacted #32 for a cyst',
];

describe('PhraseIndex', () => {
  it('finds for every owner the same longest phrase as trying all of them, on the knowledge base signals and categories', () => {
    const bySignal = new PhraseIndex(signals);
    const byCategory = new PhraseIndex(categories);
    let raised = 0;
    for (const text of texts) {
      const tokens = tokenize(text);
      const want = everyPhrase(signals, tokens);
      raised += want.size;
      expect(bySignal.longest(tokens), text).toEqual(want);
      expect(byCategory.longest(tokens), text).toEqual(everyPhrase(categories, tokens));
    }
    expect(raised).toBeGreaterThan(every.length); // the texts do raise signals: the comparison is not of empty maps
  });

  it('an owner is found by its longest phrase, and not by a negated one', () => {
    const index = new PhraseIndex([['a', ['tooth', 'pain'].map((w) => [w])], ['b', [['tooth', 'pain', 'severe'], ['swelling']]]] as const);
    expect(index.longest(tokenize('severe tooth pain'))).toEqual(new Map([['a', 1]]));
    expect(index.longest(tokenize('tooth pain severe, no swelling'))).toEqual(new Map([['a', 1], ['b', 3]]));
  });
});
