/**
 * What a guided flow is to the engine. A flow is a set of pure functions over its own state: it gets the
 * person's input and returns its new state and the replies. The engine stores the state, serialises
 * turns, and handles back / cancel / restart / why the same way for every flow.
 */
import type { CaseFacts } from '../knowledge/facts.js';
import { z } from 'zod';
import type { Choice, Reply } from './model.js';
import type { StoreWrite } from '../store/unit-of-work.js';
import type { Clock } from '../today.js';
import type { ProperNameKind } from '../privacy/scrubber.js';

/** A registered flow's id ('triage', 'docs', 'lookup', 'help', …): see registry.ts. */
export type FlowId = string;

/**
 * What the engine gives every flow on every turn, whatever the flows are. The services the flows work with
 * (knowledge, claims, letters…) are the composition root's: the engine passes them through untyped by it
 * (see FlowContext, and flows/context.ts for medbill's).
 */
export interface TurnContext {
  /** A short random case id, e.g. C-7K3Q9; the only handle a case ever has. */
  newCaseId(): string;
  /** The help reply, built from the registered flows' menu entries. */
  help(lead?: string): Reply;
  /**
   * Today's date where the turn was taken (ISO, YYYY-MM-DD), and that place's IANA zone: a channel's own zone
   * there, else the practice's (see src/today.ts). Every date a flow records or shows starts here.
   */
  today(): string;
  zone: string;
  /** The injected clock, for timestamps (not dates: those come from today()). */
  now: Clock;
  /** Where the turn came from: the platform, the person, and the shared channel if it was typed in one. */
  place?: Place;
  /** The person's recent cases, newest first (set per turn). */
  recentCases?: () => Promise<{ caseId: string; procedure: string; lane: string }[]>;
  /** A case remembered from an earlier answer, with its facts. */
  caseFile(caseId: string): Promise<{ caseId: string; procedure: string; lane: string; facts: Record<string, unknown> } | undefined>;
}

/** Where a turn was taken: the platform, its tenant (workspace), the person, and the channel if not a DM. */
export interface Place { platform: string; tenant?: string; user: string; channel?: string }

/** A flow's context: the engine's, for this turn, and the services S the flows were built for. */
export type FlowContext<S = unknown> = TurnContext & S;

/** Who took a turn, for records that keep a history (claims): platform:user, and the platform. */
export interface TurnActor { who: string; surface: string }

/** The person who took the turn, as records name them (from ctx.place; 'unknown' outside a turn). */
export function turnActor(ctx: FlowContext): TurnActor {
  return ctx.place ? { who: `${ctx.place.platform}:${ctx.place.user}`, surface: ctx.place.platform } : { who: 'unknown', surface: 'unknown' };
}

/** A flow's state: JSON, stored in the session between turns. */
export interface FlowState {
  step: string;
  slots: Record<string, unknown>;
  caseId?: string;
}

/** A flow's state schema from the schema of its slots (and its steps). */
export function stateSchema(steps: readonly [string, ...string[]], slots: z.ZodType<Record<string, unknown>>): z.ZodType<FlowState> {
  // A case ID, or a claim's key: a medical-first case's dental claim is the case ID and -D (src/case-id.ts).
  return z.object({ step: z.enum(steps), slots, caseId: z.string().regex(/^C-[A-Z0-9]{5}(?:-D)?$/).optional() });
}

/** How a flow may begin: with the words of the message that started it, or facts from another flow. */
export interface Seed {
  text?: string;
  facts?: Partial<CaseFacts>;
  caseId?: string;
  /** The state of the flow that handed over (a triage that set its case aside), so the new one can undo back to it. */
  from?: FlowState;
  /** The message only resembled one of the flow's example phrases ("look up a code"): it is not itself the flow's input. */
  resembled?: true;
}

export type FlowInput =
  | { kind: 'text'; text: string }
  | { kind: 'button'; step: string; value: string }
  | { kind: 'form'; form: string; values: Record<string, string> };

export interface Outcome {
  /** The new state; undefined when the flow has ended. */
  state?: FlowState;
  replies: Reply[];
  /** The input was not for this flow (e.g. a new question after an answer): route it afresh. */
  unhandled?: true;
  /** Hand over to another flow, e.g. from a triage answer to its document checklist. */
  next?: { flow: FlowId; seed: Seed };
  /** Cases this turn answered or set aside, for the person's list of recent cases (no free text in them). */
  cases?: CaseRecord[];
  /** Cases this turn undid (a case started by mistake): dropped from the person's cases. */
  forget?: string[];
  /**
   * Writes to make with the turn, as data: the engine commits them with the session in one unit of work. A
   * conditional one (a claim planned at a version) that finds its record changed makes the turn be worked out again.
   */
  writes?: StoreWrite[];
}

/** A case as remembered beyond the conversation: its ID, the kind of procedure (as recognised), the lane and its facts. */
export interface CaseRecord { caseId: string; procedure: string; lane: string; facts?: Partial<CaseFacts> }

export interface Flow<S = unknown> {
  id: FlowId;
  /** Bumped when the state's shape changes, so an old session restarts politely instead of misreading. */
  version: number;
  title: string;
  /** Leading words that start this flow wherever the person is ("lookup …", "new case"); the rest is its seed. */
  commands: RegExp[];
  /**
   * Words that start this flow only when the open flow does not take them: "undo" is first the open case's
   * (the triage flow's), and a claim's only when no open flow has anything to undo.
   */
  laterCommands?: RegExp[];
  /**
   * Its entry in the menu (help, the Slack App Home), with an example of what to type. `words` are what a
   * platform's command menu sends for it (Teams' command list sends the title picked as the message): they
   * must start this flow when typed (test/integration/teams-manifest.test.ts checks it), at most 32 characters each; the
   * first is its command in a person's own chat. `inChannels`: all its words are offered in shared channels
   * too; a flow that takes case details is not, since a case belongs in the person's own chat.
   */
  menu?: { label: string; example: string; words: readonly [string, ...string[]]; inChannels?: true };
  /** Its state as stored: checked on every load, so a session never runs on state that does not fit. */
  stateSchema: z.ZodType<FlowState>;
  /** Phrases that start this flow, matched fuzzily when nothing else recognises a message. */
  examples: string[];
  /**
   * A message no command names, read by the flow itself (a bare code is a lookup; a described case is a
   * triage): the seed to start with, or undefined. Flows are asked in registration order, before the examples.
   */
  recognise?(ctx: FlowContext<S>, text: string): Seed | undefined;
  /**
   * A message that names one of this flow's records by a name only its stores know (the practice's own claim
   * number: "A1005 paid $5200 on 12/1"), so no pattern can tell: the seed to start with, or undefined. Asked at
   * two points of a turn: 'command', before the open flow, as `commands` are (the name followed by what to do
   * with it); 'alone', after the open flow declined the message and before `recognise` (the name alone, which
   * a flow's question may have asked for). It reads the stores only for a message shaped like such a name.
   */
  recogniseStored?(ctx: FlowContext<S>, text: string, where: 'command' | 'alone'): Promise<Seed | undefined>;
  /**
   * A step may await (an LLM, a file render, a clearinghouse): it runs outside the database transaction,
   * and the session is then saved only if nobody changed it meanwhile.
   */
  start(ctx: FlowContext<S>, seed: Seed): Outcome | Promise<Outcome>;
  handle(ctx: FlowContext<S>, state: FlowState, input: FlowInput): Outcome | Promise<Outcome>;
  /** The current step said again (after back, a restart of the server, or a stale button); it may read the stores. */
  prompt(ctx: FlowContext<S>, state: FlowState): Reply[] | Promise<Reply[]>;
  /** Why the current question is asked. */
  why(ctx: FlowContext<S>, state: FlowState): string;
  /** What outlives the flow when it is cancelled, in a sentence (default: the case, if it was answered). */
  kept?(ctx: FlowContext<S>, state: FlowState): string | undefined | Promise<string | undefined>;
  /**
   * When the pending question's answer is the name of a product, a lab or a drug ("Which appliance?"): the
   * engine's scrubber then keeps capitalised words it does not know in that answer, instead of taking them
   * for a person's name (everything else is still scrubbed). Undefined: an ordinary question. A flow that
   * says so takes any text at that step as the answer (never `unhandled`); a command that starts another flow
   * is scrubbed again as any message by the engine.
   */
  answerNames?(ctx: FlowContext<S>, state: FlowState): ProperNameKind | undefined;
}

/**
 * Button values carry the flow and step they answer (`triage:cause:trauma`), so a button from an earlier
 * question is recognised as stale instead of answering the wrong one. `go:FLOW` starts a flow.
 */
export function buttonValue(flow: FlowId, step: string, value: string): string {
  return `${flow}:${step}:${value}`;
}

export function parseButtonValue(raw: string): { flow: string; step: string; value: string } | undefined {
  const m = /^([a-z]+):([A-Za-z.-]+):(.{1,200})$/s.exec(raw);
  if (!m) return undefined;
  const [, flow = '', step = '', value = ''] = m;
  return { flow, step, value };
}

export function choicesFor(flow: FlowId, step: string, options: readonly { label: string; value: string }[]): Choice[] {
  return options.map((o) => ({ label: o.label, value: buttonValue(flow, step, o.value) }));
}
