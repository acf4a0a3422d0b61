/**
 * The neutral conversation model: what a person did (`Turn`) and what medbill says back (`Reply`).
 * Adapters turn platform events into Turns and render Replies in the platform's idiom; nothing here
 * knows about Slack, Teams, HTML or terminals.
 */
import type { TriageResult } from '../knowledge/triage.js';

export type Input =
  | { kind: 'text'; text: string }
  /** A pressed button: its value, as the Reply that offered it set it. */
  | { kind: 'button'; value: string }
  /** A submitted form: the form's id and its fields as typed (strings; the flow validates them). */
  | { kind: 'form'; form: string; values: Record<string, string> };

export interface Turn {
  /**
   * The platform's id for this event, when it has one (Slack's event_id, or a key derived from the signed
   * request). Turns that carry one go through the inbox, which answers each id once.
   */
  eventId?: string;
  /** Where the person is: 'web', 'terminal', 'script', 'slack', 'teams'. */
  platform: string;
  /** The workspace or tenant, when the platform has one. */
  tenant?: string;
  /** The person, as the platform identifies them (a staff account, never a patient). */
  user: string;
  /** The conversation: a DM, a channel, or a local page. */
  conversation: string;
  /** A direct message (private to the person) or a shared channel. */
  direct: boolean;
  thread?: string;
  /** The shared channel the person wrote in (a Slack channel id), when it was not a direct message. */
  channel?: string;
  /** Written by a bot (medbill itself included): never answered, whatever the platform (see Inbox.accept). */
  fromBot?: boolean;
  input: Input;
}

/** The longest message medbill reads: a pasted SOAP note fits; the scrubber stays linear in it (npm run bench). */
export const MAX_TEXT_CHARS = 16_000;

export interface Choice {
  label: string;
  value: string;
  /** Other ways people type it, not shown ("open" for "Part still open"): see typed-choice.ts. */
  says?: string[];
}
export interface ChecklistItem { id: string; label: string; detail?: string; checked: boolean; /** button value that ticks or unticks it */ toggle: string }
export interface FormField { name: string; label: string; type: 'number' | 'text'; placeholder?: string; required: boolean; /** filled in already (from the case), editable */ initial?: string }

/** A line of a list; `link` when the line names something that can be opened (a policy, a source). */
export interface ListItem { text: string; link?: string }

export type ReplyPart =
  /** A titled list; `folded`: detail most people skip (shown collapsed where the surface can). */
  | { kind: 'list'; title: string; items: ListItem[]; folded?: boolean }
  | { kind: 'choices'; choices: Choice[] }
  /** One thing to act on (a claim in the digest): a line, and buttons that act on it alone. */
  | { kind: 'item'; text: string; choices: Choice[] }
  /** Rows under named columns (code lookups): every row has one cell per column. */
  | { kind: 'table'; title: string; columns: string[]; rows: string[][] }
  | { kind: 'checklist'; title: string; items: ChecklistItem[] }
  | { kind: 'facts'; title?: string; rows: { label: string; value: string }[] }
  | { kind: 'form'; id: string; title: string; fields: FormField[]; submitLabel: string }
  | { kind: 'document'; title: string; filename: string; body: string }
  /** A chart: SVG for pages, PNG (base64) where a picture is uploaded. Figures only: it may go to a channel. */
  | { kind: 'chart'; title: string; svg: string; pngBase64: string }
  /** A file to hand over (a letter as .docx): its bytes in base64, so a reply stays JSON. */
  | { kind: 'file'; name: string; mediaType: string; base64: string }
  /**
   * The answer as data (for scripts, tests and a home screen's recent cases). Surfaces show the generic parts
   * the flow puts beside it (flows/answer.ts), not this.
   */
  | { kind: 'triage'; caseId: string; procedure: string; result: TriageResult };

/** `direct-only`: carries case details, so it is never posted where others can read it. */
export type Privacy = 'any' | 'direct-only';

export interface Reply { text: string; parts: ReplyPart[]; privacy: Privacy }

/** A case answer, a document or a file is direct-only whatever the flow asked: a forgotten mark must not leak a case. */
export function reply(text: string, parts: ReplyPart[] = [], privacy: Privacy = 'any'): Reply {
  const carriesCase = parts.some((p) => p.kind === 'triage' || p.kind === 'document' || p.kind === 'file');
  return { text, parts, privacy: carriesCase ? 'direct-only' : privacy };
}
