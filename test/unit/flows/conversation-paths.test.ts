/**
 * The triage conversation cannot loop (issue 12): every path of button presses, "Not sure" included, for
 * every procedure category × coverage shape × payer kind, reaches an answer (or a needs-info answer) in a
 * bounded number of turns, never asks for a fact the case already has, and never forgets a fact it was
 * given. The flow is driven directly (no database), so the whole tree runs in seconds.
 */
import { describe, expect, it } from 'vitest';
import { triageFlow } from '../../../flows/triage.js';
import { parseButtonValue, type FlowState, type Outcome } from '../../../src/engine/flow.js';
import type { CaseFacts } from '../../../src/knowledge/facts.js';
import { flowContext } from '../../support/flow-context.js';
import { kn } from '../../helpers.js';
import { procedureKindOf } from '../../../src/knowledge/procedure-kind.js';

const ctx = flowContext();
const MAX_TURNS = 8;

/** The triage flow's steps are plain computations (none awaits), which keeps this walk fast. */
function now(o: Outcome | Promise<Outcome>): Outcome {
  if (o instanceof Promise) throw new Error('the triage flow was expected to answer without awaiting');
  return o;
}

const COVERAGE = ['separate', 'combined', 'medical-only', 'dental-only', 'none'] as const;
const PAYERS = ['commercial', 'medicare', 'medicare-advantage', 'medicaid', 'tricare', 'other'] as const;

type Facts = Partial<CaseFacts>;
const factsOf = (st: FlowState) => (st.slots as { facts: Facts }).facts;

/** The fact a question step asks for, and whether the case already has it. */
function alreadyHas(step: string, f: Facts): boolean {
  const c = f.coverage;
  switch (step) {
    case 'procedure': return Boolean(f.procedure);
    case 'cause': return f.cause !== undefined && f.cause !== 'unknown';
    case 'coverage': return c?.medical !== undefined && c.dental !== undefined;
    case 'payer': return c?.medicalPayer !== undefined;
    default: return false;
  }
}

/** Facts given earlier must still be there (a question may refine coverage, never drop it). */
function forgotten(before: Facts, after: Facts): string[] {
  const lost: string[] = [];
  if (before.procedure && after.procedure !== before.procedure) lost.push('procedure');
  if (before.cause && before.cause !== 'unknown' && after.cause !== before.cause) lost.push('cause');
  for (const k of ['medical', 'dental', 'combinedPlan', 'medicalPayer'] as const) {
    if (before.coverage?.[k] !== undefined && after.coverage?.[k] !== before.coverage[k]) lost.push(`coverage.${k}`);
  }
  return lost;
}

/** Walks every button path from an outcome; returns the number of paths and every problem found. */
function walk(start: Outcome): { paths: number; problems: string[] } {
  let paths = 0;
  const problems: string[] = [];
  const visit = (out: Outcome, trail: string[], asked: Map<string, number>) => {
    const st = out.state;
    if (!st || st.step === 'answer') {
      paths++;
      return;
    }
    if (trail.length >= MAX_TURNS) {
      problems.push(`no answer after ${MAX_TURNS} presses: ${trail.join(' > ')}`);
      return;
    }
    const facts = factsOf(st);
    const key = `${st.step}:${(st.slots as { pending?: string }).pending ?? ''}`;
    const times = (asked.get(key) ?? 0) + 1;
    if (times > 2) problems.push(`asked "${key}" ${times} times: ${trail.join(' > ')}`);
    if (alreadyHas(st.step, facts)) problems.push(`asked ${st.step} although the case has it: ${trail.join(' > ')}`);
    const buttons = out.replies.flatMap((r) => r.parts).flatMap((p) => (p.kind === 'choices' ? p.choices : p.kind === 'checklist' ? [] : []));
    const presses = buttons.map((b) => parseButtonValue(b.value)).filter((b) => b !== undefined && b.flow === 'triage' && b.step === st.step);
    if (!presses.length) problems.push(`a question with nothing to press at ${st.step}: ${trail.join(' > ')}`);
    for (const b of presses) {
      if (!b) continue;
      const next = now(triageFlow.handle(ctx, st, { kind: 'button', step: b.step, value: b.value }));
      if (next.state) {
        const lost = forgotten(facts, factsOf(next.state));
        if (lost.length) problems.push(`forgot ${lost.join(', ')} after ${[...trail, b.value].join(' > ')}`);
      }
      visit(next, [...trail, `${b.step}=${b.value}`], new Map(asked).set(key, times));
      if (problems.length > 20) return;
    }
  };
  visit(start, [], new Map());
  return { paths, problems };
}

/** One procedure per category: a code it is matched by, or else its first phrase. */
const procedures = kn.categories.map((c) => ({ id: c.id, procedure: c.match.codes.find((code) => ctx.codes.exact(code)) ?? c.match.phrases[0] ?? c.name }));

describe('every triage conversation reaches an answer', () => {
  // Each walk below is about its category only if its procedure is read as that category (words nothing
  // claims fall to the general one).
  it.each(procedures)('$id: starts from a procedure that names the category ($procedure)', ({ id, procedure }) => {
    expect(procedureKindOf(kn, (code) => ctx.codes.exact(code) !== undefined, procedure)?.id ?? 'general').toBe(id);
  });

  it.each(procedures)('$id: every coverage shape × payer kind × button path', ({ procedure }) => {
    let total = 0;
    const problems: string[] = [];
    for (const coverage of COVERAGE) {
      for (const payer of PAYERS) {
        const facts: Facts = {
          procedure,
          coverage: {
            ...(coverage === 'none' ? { medical: false, dental: false } : coverage === 'dental-only' ? { medical: false, dental: true } : coverage === 'medical-only' ? { medical: true, dental: false } : { medical: true, dental: true, combinedPlan: coverage === 'combined' }),
            ...(coverage !== 'none' && coverage !== 'dental-only' ? { medicalPayer: payer } : {}),
          },
        };
        const r = walk(now(triageFlow.start(ctx, { facts })));
        total += r.paths;
        problems.push(...r.problems.map((p) => `${coverage}/${payer}: ${p}`));
      }
      // And with the insurance still to be asked: every answer to it, pressed.
      const r = walk(now(triageFlow.start(ctx, { facts: { procedure } })));
      total += r.paths;
      problems.push(...r.problems.map((p) => `insurance asked: ${p}`));
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect(total).toBeGreaterThan(0);
  });
});
