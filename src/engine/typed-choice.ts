/**
 * A typed answer to a question that has buttons: its number ("2"), its label ("still processing" for
 * **Still processing**, "check the fee"), a shorter or longer way of saying it ("processing", "ok let's
 * check the fee"), or one of the other words a choice lists in `says`. Anything that fits two choices
 * fits none: a guess between two buttons is worse than asking again.
 */
import type { Choice, Reply } from './model.js';

/** Words that carry no meaning of their own in an answer ("it was", "the", "please"). */
const FILLER = new Set(['a', 'an', 'the', 'it', 'its', 'is', 'was', 'are', 'were', 'be', 'this', 'that', 'they', 'them', 'please', 'pls', 'ok', 'okay', 'yes', 'lets', 'let', 'us', 'i', 'we', 'to', 'of', 'for', 'on', 'and', 'just', 'go', 'do', 'can', 'you', 'me', 'said', 'say', 'says']);
/** At most this many words of an answer may be more than the label ("ok let's check the fee please"). */
const MAX_EXTRA_WORDS = 3;

const words = (s: string): string[] => s.toLowerCase().replace(/['’]/g, '').split(/[^a-z0-9$]+/).filter((w) => w && !FILLER.has(w));

/** The choices a set of replies offers, in the order shown (buttons, and the buttons of each item). */
export function choicesIn(replies: Reply[]): Choice[] {
  const seen = new Set<string>();
  const out: Choice[] = [];
  for (const r of replies) {
    for (const p of r.parts) {
      const list = p.kind === 'choices' || p.kind === 'item' ? p.choices : [];
      for (const c of list) {
        if (seen.has(c.value)) continue;
        seen.add(c.value);
        out.push(c);
      }
    }
  }
  return out;
}

/** How well `said` names `label`: 2 for the same words, 1 for one inside the other, 0 for no fit. */
function fit(said: string[], label: string[]): number {
  if (!said.length || !label.length) return 0;
  const saidSet = new Set(said);
  const labelSet = new Set(label);
  if (said.length === label.length && label.every((w) => saidSet.has(w))) return 2;
  // The whole label, with a few words around it ("ok let's check the fee").
  if (label.every((w) => saidSet.has(w)) && said.length - label.length <= MAX_EXTRA_WORDS) return 1;
  // Part of the label that says something on its own ("processing" for "Still processing").
  if (said.every((w) => labelSet.has(w)) && said.some((w) => w.length >= 4)) return 1;
  return 0;
}

/**
 * The choice a typed message presses, if exactly one fits best; undefined otherwise. `exact`: only its
 * number or its very words (a button on screen named word for word wins over a command of the same words).
 */
export function typedChoice(text: string, choices: Choice[], exact = false): Choice | undefined {
  const number = /^\s*#?(\d{1,2})[.)]?\s*$/.exec(text)?.[1];
  if (number !== undefined) return choices[Number(number) - 1];
  const said = words(text);
  let best: Choice | undefined;
  let bestFit = 0;
  let tie = false;
  for (const c of choices) {
    const f = Math.max(fit(said, words(c.label)), ...(c.says ?? []).map((s) => fit(said, words(s))));
    if (f > bestFit) [best, bestFit, tie] = [c, f, false];
    else if (f === bestFit && f > 0) tie = true;
  }
  return tie || (exact && bestFit < 2) ? undefined : best;
}
