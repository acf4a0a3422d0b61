/** A typed answer presses the one button it names (src/engine/typed-choice.ts), and never guesses between two. */
import { describe, expect, it } from 'vitest';
import { typedChoice } from '../../../src/engine/typed-choice.js';
import type { Choice } from '../../../src/engine/model.js';

const OUTCOMES: Choice[] = [
  { label: 'Still processing', value: 'processing' },
  { label: 'Pended', value: 'pended' },
  { label: 'Records requested', value: 'records' },
  { label: 'Paid', value: 'paid' },
  { label: 'Denied', value: 'denied' },
  { label: 'Not received: resubmitted', value: 'submitted' },
];
const ACTIONS: Choice[] = [
  { label: 'Document checklist', value: 'docs' },
  { label: 'Check the fee', value: 'fee' },
  { label: 'Track this claim', value: 'track' },
  { label: 'Draft letter', value: 'letter' },
  { label: 'New case', value: 'new' },
];
const PARTIAL: Choice[] = [{ label: 'Settled', value: 'settled' }, { label: 'Part still open', value: 'open', says: ['rest is still open', 'balance open'] }];

describe('typedChoice', () => {
  it.each([
    ['still processing', OUTCOMES, 'processing'],
    ['Processing', OUTCOMES, 'processing'],
    ['pended.', OUTCOMES, 'pended'],
    ['2', OUTCOMES, 'pended'],
    ['#6', OUTCOMES, 'submitted'],
    ['not received', OUTCOMES, 'submitted'],
    ['check the fee', ACTIONS, 'fee'],
    ["ok let's check the fee", ACTIONS, 'fee'],
    ['draft letter please', ACTIONS, 'letter'],
    ['track this claim', ACTIONS, 'track'],
    ['the rest is still open', PARTIAL, 'open'],
  ])('"%s" presses its button', (text, choices, value) => {
    expect(typedChoice(text, choices)?.value).toBe(value);
  });

  it.each([
    ['7', OUTCOMES], // no seventh button
    ['0', OUTCOMES],
    ['the patient also needs a crown on #30 next week', ACTIONS], // a new message, not an answer
    ['yes', ACTIONS], // says nothing of its own
    ['case', [{ label: 'Same patient (case C-7K3Q9)', value: 'same' }, { label: 'New patient case', value: 'new' }]], // fits both
  ] as const)('"%s" presses nothing', (text, choices) => {
    expect(typedChoice(text, [...choices])).toBeUndefined();
  });

  it('takes only a word-for-word label or a number when asked to be exact', () => {
    expect(typedChoice('track this claim', ACTIONS, true)?.value).toBe('track');
    expect(typedChoice('3', ACTIONS, true)?.value).toBe('track');
    expect(typedChoice('track', ACTIONS, true)).toBeUndefined();
    expect(typedChoice('please track this claim now', ACTIONS, true)).toBeUndefined();
  });
});
