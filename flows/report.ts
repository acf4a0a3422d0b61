/**
 * "report": A/R aging by payer, claims not submitted against their filing limits, denials by reason, paid rate and
 * days to pay by payer, category and code, and what medical billing recovered this month; the aging also as a
 * chart. Figures, case IDs and the practice's claim numbers, never a patient identifier, so it may be answered
 * in a channel (as the digest is).
 */
import { z } from 'zod';
import { stateSchema, type Outcome } from '../src/engine/flow.js';
import { type Flow, type FlowContext } from './context.js';
import { buildReport, categoryNames, drawAging, reportReplies } from '../src/reports/claims-report.js';

async function report(ctx: FlowContext): Promise<Outcome> {
  const r = await buildReport(ctx.reports, ctx.today(), ctx.zone, categoryNames(ctx.kn), ctx.claims.kn.policy);
  // A picture only when there is something to draw; the tables carry the same figures.
  const chart = r.aging.length ? await drawAging(r) : undefined;
  return { replies: reportReplies(r, chart) };
}

export const reportFlow: Flow = {
  id: 'report',
  version: 1,
  title: 'Claims report',
  // The whole message: "report came back positive…" is a case, not a request for the claims report.
  commands: [/^(?=\s*\/?(?:claims?\s+|a\/r\s+|ar\s+)?reports?\s*[.!?]?\s*$)/i],
  menu: { label: 'Claims report', example: '"report": A/R aging, denials, paid rate by payer and code', words: ['report'], inChannels: true },
  stateSchema: stateSchema(['done'], z.object({})),
  examples: ['claims report', 'a/r aging', 'accounts receivable', 'denial report', 'how much did we collect', 'which payers pay'],
  start: (ctx) => report(ctx),
  handle: (_ctx, st) => ({ state: st, replies: [], unhandled: true }),
  prompt: () => [],
  why: () => 'The report shows where medical claims stand: what is owed, by whom, for how long, and why claims are denied.',
};
