/**
 * The optional LLM narrative of a letter of medical necessity: a model (any OpenAI-compatible server, through
 * LangChain) rewrites the template's narrative paragraphs from the case's de-identified facts, and the result is
 * used only if it adds nothing. Off unless MEDBILL_LLM_BASE_URL is set.
 *
 * Three rules:
 * - Nothing identifying is sent: the prompt is built from the facts (id, label, value) and the letter's purpose
 *   only, and if the identifier scrubber finds anything in it, nothing is sent.
 * - Nothing is added: each sentence is checked on its own. Every number, code, date, tooth, measurement, drug,
 *   finding and capitalised name in it must be in the facts (by value) or the template's own narrative, and
 *   every word of it must be supported: from the facts its paragraph cites (their labels and values), the
 *   template's narrative, the letter's codes and purpose, or a small fixed vocabulary of connecting words
 *   (narrative-vocabulary.ts; the check is narrative-check.ts). A drug no list knows, or an instruction made of ordinary words, is refused
 *   because no fact says it. Each paragraph's fact ids must exist, and the scrubber must find nothing in the
 *   output. Anything else, and the template's paragraphs are used, and the person is told which sentence.
 * - Nothing is kept or told of the model's text when it is refused: the reason is a fixed code, and the log gets
 *   codes, counts and timings only.
 *
 * LangChain is imported only when a model is configured (it takes most of a second to load), and its tracing
 * (LangSmith) and verbose console output are switched off: both read environment variables on every call, and
 * a letter's facts must not leave the machine except to the configured server.
 */
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { z } from 'zod';
import type { Config } from '../config.js';
import { scrubIdentifiers, type IdentifierKind } from '../privacy/scrubber.js';
import { errorFields, silentLogger, type Logger } from '../log.js';
import { checkNarrative, LIMITS, narrativeForLetter, type NarrativeFallback, type NarrativeInput } from './narrative-check.js';

export interface NarrativeOptions {
  model: BaseChatModel;
  /** The whole call, from sending to a checked answer; past it the template is used. */
  timeoutMs: number;
  log?: Logger;
}

export type NarrativeResult =
  | { paragraphs: string[]; by: 'llm' }
  /** `at`: the paragraph and sentence the check refused (1-based), when it was one sentence. */
  | { paragraphs: string[]; by: 'template'; reason: NarrativeFallback; at?: { paragraph: number; sentence?: number } };

/** What the model is asked to return (and what its answer must parse as). */
export const NarrativeSchema = z.object({
  paragraphs: z.array(z.object({
    text: z.string().describe('One paragraph of the narrative, plain text.'),
    factIds: z.array(z.string()).describe('The ids of the facts this paragraph states.'),
  })).describe('Two to four paragraphs.'),
}).describe('The clinical narrative of a letter of medical necessity.');

// ---------------------------------------------------------------- the prompt

const SYSTEM = [
  'You write the clinical narrative of a letter of medical necessity that a dental office sends to a medical insurer.',
  'Use only the facts listed by the user. Do not add any number, date, code, tooth number, measurement, drug, diagnosis, finding, history or name that is not in the facts, and do not generalise beyond them.',
  'Do not write any name or identifier: the office adds those. Write for a medical reviewer: plain, factual, in the third person ("the patient").',
  `Write ${LIMITS.minParagraphs} to ${LIMITS.maxParagraphs} paragraphs of 1 to 5 sentences each. For each paragraph give the ids of the facts it uses.`,
  'Answer with the letter_narrative tool, or if you cannot call tools, with only this object: {"paragraphs": [{"text": "...", "factIds": ["..."]}]}',
].join('\n');

/** One line of text: no line breaks or control characters, at most `max` characters. */
// eslint-disable-next-line no-control-regex
const oneLine = (s: string, max: number) => s.replace(/[\u0000-\u001F\u007F\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, max);

export interface NarrativePrompt {
  system: string;
  user: string;
  /** What the identifier scrubber found in the prompt, by kind (empty: it may be sent). */
  found: IdentifierKind[];
}

/**
 * The two messages sent to the model: fixed instructions, and the purpose with the facts. Checked with the
 * identifier scrubber as a whole and fact by fact (a value alone can read as an identifier that the lines
 * around it hide, or the other way round); `found` lists what it found.
 */
export function buildPrompt(input: Pick<NarrativeInput, 'facts' | 'purpose'>): NarrativePrompt {
  // A product's, lab's or drug's name passed the scrubber as the answer to its question only: it is sent
  // when it passes as any text would ("Prolia"), and otherwise left out ("SomnoDent Avant"), not sent.
  const facts = input.facts.filter((f) => !f.names || scrubIdentifiers(f.value).found.length === 0);
  const lines = facts.map((f) => `${oneLine(f.id, 60)} | ${oneLine(f.label, LIMITS.labelChars)} | ${oneLine(f.value, LIMITS.valueChars)}`);
  const user = [`Purpose of the letter: ${oneLine(input.purpose, 300)}`, '', 'Facts, one a line (id | what it is | value):', ...lines].join('\n');
  const found = new Set<IdentifierKind>();
  for (const text of [SYSTEM, user, input.purpose, ...facts.flatMap((f) => [f.label, f.value])]) {
    for (const kind of scrubIdentifiers(text).found) found.add(kind);
  }
  return { system: SYSTEM, user, found: [...found] };
}

// ---------------------------------------------------------------- the call

class NarrativeTimeout extends Error {
  override readonly name = 'NarrativeTimeout';
}

/** The text of a chat message's content (a string, or text blocks). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((b) => (typeof b === 'string' ? b : b && typeof b === 'object' && 'text' in b && typeof b.text === 'string' ? b.text : '')).join('');
  return '';
}

/** The JSON object in a model's text answer (inside a ``` fence or around other words), or undefined. */
export function jsonFromText(text: string): unknown {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  try {
    return JSON.parse(text.slice(start, end + 1));
  } catch {
    return undefined;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A server that refuses the request's shape (tools it does not support) rather than failing: worth one plain retry. */
function refusedShape(err: unknown): boolean {
  const status = isRecord(err) ? err.status : undefined;
  return status === 400 || status === 415 || status === 422 || status === 501;
}

/**
 * LangSmith tracing and LangChain's verbose console output, both switched on by environment variables that
 * @langchain/core 1.4 reads on every call (`LANGSMITH_TRACING_V2`, `LANGCHAIN_TRACING_V2`, `LANGSMITH_TRACING`,
 * `LANGCHAIN_TRACING`, `LANGCHAIN_VERBOSE`; callbacks passed to a call do not turn them off). medbill never
 * wants either, so they are removed from this process's environment before any model call.
 */
const TRACING_VARIABLES = ['LANGSMITH_TRACING_V2', 'LANGCHAIN_TRACING_V2', 'LANGSMITH_TRACING', 'LANGCHAIN_TRACING', 'LANGCHAIN_VERBOSE'] as const;
export function disableLangChainTracing(log: Logger = silentLogger): void {
  const removed = TRACING_VARIABLES.filter((v) => process.env[v] !== undefined);
  for (const v of removed) delete process.env[v];
  if (removed.length > 0) log.log('warn', 'llm.tracing_off', { removed: removed.join(',') });
}

async function askModel(model: BaseChatModel, prompt: NarrativePrompt, signal: AbortSignal): Promise<unknown> {
  const messages: [string, string][] = [['system', prompt.system], ['human', prompt.user]];
  // No callbacks, no tags, no metadata: nothing to hand a run to.
  const config = { signal, callbacks: [], runName: 'medbill-letter-narrative' };
  const structured = model.withStructuredOutput(NarrativeSchema, { name: 'letter_narrative', method: 'functionCalling', includeRaw: true });
  let out: unknown;
  try {
    out = await structured.invoke(messages, config);
  } catch (err) {
    if (signal.aborted || !refusedShape(err)) throw err;
    // The server does not take tools: ask again for the JSON object as text.
    return jsonFromText(contentText((await model.invoke(messages, config)).content));
  }
  // A model that honours includeRaw answers { raw, parsed }; parsed is null when no tool was called (the JSON
  // is then in the text). Test fakes answer the parsed object alone.
  if (isRecord(out) && 'raw' in out && 'parsed' in out) {
    if (out.parsed !== null && out.parsed !== undefined) return out.parsed;
    return jsonFromText(contentText(isRecord(out.raw) ? out.raw.content : undefined));
  }
  return out;
}

/**
 * The narrative paragraphs: the model's when they pass every check, else the template's with the reason.
 * Never throws; never takes longer than `timeoutMs` (and a little).
 */
export async function writeNarrative(input: NarrativeInput, opts: NarrativeOptions): Promise<NarrativeResult> {
  const log = opts.log ?? silentLogger;
  const started = performance.now();
  const fallback = (reason: NarrativeFallback, fields: Record<string, string | number> = {}, at?: { paragraph: number; sentence?: number }): NarrativeResult => {
    log.log(reason === 'no-facts' ? 'info' : 'warn', 'letter.narrative', { by: 'template', reason, ms: Math.round(performance.now() - started), ...fields, ...(at ? { paragraph: at.paragraph, ...(at.sentence ? { sentence: at.sentence } : {}) } : {}) });
    return { paragraphs: [...input.templateNarrative], by: 'template', reason, ...(at ? { at } : {}) };
  };
  if (input.facts.length === 0) return fallback('no-facts');
  const prompt = buildPrompt(input);
  if (prompt.found.length > 0) return fallback('prompt-has-identifier', { kinds: prompt.found.join(',') });
  if (prompt.system.length + prompt.user.length > LIMITS.maxPromptChars) return fallback('prompt-too-long');
  disableLangChainTracing(log);

  const controller = new AbortController();
  const timedOut = new Promise<never>((_, reject) => {
    const timer = setTimeout(() => {
      const err = new NarrativeTimeout('timed out');
      controller.abort(err);
      reject(err);
    }, opts.timeoutMs);
    controller.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  });
  let answer: unknown;
  try {
    const asked = askModel(opts.model, prompt, controller.signal);
    asked.catch(() => {}); // past the deadline it may still fail; nobody is waiting for it then
    answer = await Promise.race([asked, timedOut]);
  } catch (err) {
    // Ours, or the client's own timeout (ChatOpenAI's `timeout`) firing a moment earlier.
    if (err instanceof NarrativeTimeout || controller.signal.aborted || (err instanceof Error && /^(?:TimeoutError|AbortError)$/.test(err.name))) return fallback('timeout');
    return fallback('model-error', errorFields(err));
  } finally {
    controller.abort();
  }

  const parsed = NarrativeSchema.safeParse(answer);
  if (!parsed.success) return fallback('bad-output');
  const paragraphs = parsed.data.paragraphs.map((p) => ({ text: oneLine(p.text, 10_000), factIds: p.factIds }));
  const problem = checkNarrative(paragraphs, input);
  if (problem) return fallback(problem.reason, { paragraphs: paragraphs.length }, problem.paragraph ? { paragraph: problem.paragraph, ...(problem.sentence ? { sentence: problem.sentence } : {}) } : undefined);
  // The letter's own rules too (no gap, no identifier placeholder in a narrative): what passes here must render.
  if ('problem' in narrativeForLetter(paragraphs.map((p) => p.text))) return fallback('placeholder', { paragraphs: paragraphs.length });
  log.log('info', 'letter.narrative', { by: 'llm', ms: Math.round(performance.now() - started), paragraphs: paragraphs.length });
  return { paragraphs: paragraphs.map((p) => p.text), by: 'llm' };
}

// ---------------------------------------------------------------- the configured model

/**
 * The configured model: ChatOpenAI against MEDBILL_LLM_BASE_URL, with no retries and the configured timeout;
 * undefined when no LLM is configured. Loads LangChain (only here).
 */
export async function narrativeModel(config: Pick<Config, 'llm'>, log: Logger = silentLogger): Promise<BaseChatModel | undefined> {
  const llm = config.llm;
  if (!llm) return undefined;
  disableLangChainTracing(log);
  const { ChatOpenAI } = await import('@langchain/openai');
  return new ChatOpenAI({
    model: llm.model,
    // A local server usually takes no key, but the client insists on one.
    apiKey: llm.apiKey ?? 'not-needed',
    configuration: { baseURL: llm.baseUrl },
    maxRetries: 0,
    timeout: llm.timeoutMs,
    temperature: 0.2,
    streaming: false,
    useResponsesApi: false,
    callbacks: [],
    verbose: false,
  });
}
