/**
 * The dialog engine: takes a Turn, returns the Replies. It screens the input (size, identifiers), loads
 * the person's session from the sessions port, routes the input (global commands, the active flow, then
 * intents), and commits the new state with the flows' planned writes in one unit of work per turn. Turns for one session are queued
 * so they apply one after the other; a failing flow rolls back and leaves the session as it was.
 */
import { newCaseId } from '../case-id.js';
import type { Storage } from '../store/storage.js';
import { DEFAULT_PRACTICE } from '../store/settings.js';
import type { SessionRow, SessionStore } from '../store/sessions.js';
import type { CaseFile, CaseStore, CaseSummary } from '../store/cases.js';
import type { StoreWrite } from '../store/unit-of-work.js';
import { choicesIn, typedChoice } from './typed-choice.js';
import { DEFAULT_PRACTICE_ZONE, systemClock, todayIn, type Clock } from '../today.js';
import { parseButtonValue, type CaseRecord, type Flow, type FlowContext, type FlowId, type FlowState, type Outcome, type Place, type Seed, type TurnContext } from './flow.js';
import type { FlowRegistry } from './registry.js';
import { MAX_TEXT_CHARS, reply, type Choice, type Input, type Reply, type Turn } from './model.js';
import { identifierNotice, scrubIdentifiers, type IdentifierKind, type ProperNameKind } from '../privacy/scrubber.js';
import { prepareVocabulary } from '../privacy/vocabulary.js';
import { ExampleMatcher, controlCommand, type ControlCommand } from './intents.js';
import { errorFields, silentLogger, type Logger } from '../log.js';

/** What the engine keeps turns in: a practice's sessions, cases and unit of work, the other practices' views, and the purge of every practice's expired sessions. */
export interface EngineStorage extends Pick<Storage, 'sessions' | 'cases' | 'unitOfWork' | 'purgeExpiredSessions'> {
  /** Practice `id`'s view (see Storage.practice); without it, every turn is the one practice's. */
  practice?(id: string): EngineStorage;
}

export interface EngineOptions<S> {
  /** The practice 'default''s view; a turn of another practice works on `storage.practice(id)`. */
  storage: EngineStorage;
  /** The flows to run (flows/index.ts builds medbill's own). */
  flows: FlowRegistry<S>;
  /** What the flows work with (knowledge, claims, letters…), built by the composition root and passed to them untouched. */
  services: S;
  /** Quiet period after which a session expires (default 2 hours). */
  sessionTtlMs?: number;
  now?: Clock;
  log?: Logger;
  /** The practice's IANA time zone, for "today" where no place has its own (default DEFAULT_PRACTICE_ZONE, never the machine's). */
  zone?: string;
  /** A place's own zone, where it has one (a channel that gets the digest: its digest zone). */
  zoneOf?: (place: Place) => string | undefined | Promise<string | undefined>;
  /** Start-up work of the services the root built (the imported code list opening): the first turn waits for it. */
  ready?: Promise<unknown>;
  /** Which practice a place belongs to (default: always 'default', one practice per deployment). */
  practiceOf?: (place: Place) => string;
  /** A practice's services (default: `services` for every practice); built by the root, cached there. */
  servicesFor?: (practice: string) => S;
  /** A practice's own zone, when it set one: "today" there where the place has none of its own. */
  practiceZone?: (practice: string) => string | undefined | Promise<string | undefined>;
}

/** What one practice's turns work on: its stores and its services. */
interface Scope<S> { sessions: SessionStore; cases: CaseStore; unitOfWork: EngineStorage['unitOfWork']; services: S; practice: string }

/** Longer messages are refused with a reply: no chat question needs more, and the notes limit is 20,000. */
const MAX_HISTORY = 20;

type Session = SessionRow<FlowState>;

/**
 * A turn's input after screening: safe to read, store and log (as metadata), or refused for its size.
 * `answerNames`: screened as the answer to a question whose answer names a product, a lab or a drug, asked
 * by the session at this version; if the session has moved on when the turn is applied, the text is
 * screened again as any message is.
 */
export type Screened = { input: Input; identifiers: IdentifierKind[]; answerNames?: { kind: ProperNameKind; version: number } } | { tooLong: number };

/** Where a turn was written from, as the flows see it. */
function placeOf(where: Omit<Turn, 'input' | 'direct'>): Place {
  return { platform: where.platform, ...(where.tenant ? { tenant: where.tenant } : {}), user: where.user, ...(where.channel ? { channel: where.channel } : {}) };
}

export function sessionKey(turn: Omit<Turn, 'input' | 'direct'>): string {
  return [turn.platform, turn.tenant ?? '', turn.conversation, turn.user].join(':');
}

/** The turn leaves the session as it was, with these replies. */
function keep(row: Session, replies: Reply[]): Decision {
  return { session: { flow: row.flow, state: row.state, history: row.history }, replies };
}

/** A session as loaded for a turn: the live one, or the one set aside (expired, outdated), and its version. */
interface Loaded { row?: Session; expired?: Session; version?: number; notices: Reply[] }

/** What a turn decided: the new session (undefined: none), what to say, and the cases to remember. */
interface Decision { session?: { flow: FlowId; state: FlowState; history: FlowState[] }; replies: Reply[]; cases?: CaseRecord[]; forget?: string[]; writes?: StoreWrite[] }

/**
 * What an inbox event's turn writes with it (the answer, in the same unit of work), and `landed`, called once
 * they have committed: a turn may end without them (a failure, or the inbox row no longer this process's).
 */
export interface AnswerWrites { writes: (replies: Reply[]) => StoreWrite[]; landed: () => void }

export class Engine<S = unknown> {
  readonly ttlMs: number;
  private readonly storage: EngineStorage;
  private readonly whose: (place: Place) => string;
  private readonly servicesFor: (practice: string) => S;
  private readonly practiceZone: (practice: string) => string | undefined | Promise<string | undefined>;
  private readonly scopes = new Map<string, Scope<S>>();
  /** Start-up work (the services' own, a purge of expired sessions): every turn waits for it. */
  private readonly opened: Promise<void>;
  private readonly services: S;
  private readonly flows: FlowRegistry<S>;
  private readonly examples: ExampleMatcher;
  private readonly now: Clock;
  /** The practice's zone (a place's own zone overrides it there: see zoneOf). */
  readonly zone: string;
  private readonly placeZone: (place: Place) => string | undefined | Promise<string | undefined>;
  private readonly log: Logger;
  private readonly queues = new Map<string, Promise<unknown>>();
  private turnsSincePurge = 0;

  constructor(opts: EngineOptions<S>) {
    this.ttlMs = opts.sessionTtlMs ?? 2 * 60 * 60 * 1000;
    this.now = opts.now ?? systemClock;
    this.zone = opts.zone ?? DEFAULT_PRACTICE_ZONE;
    this.placeZone = opts.zoneOf ?? (() => undefined);
    this.log = opts.log ?? silentLogger;
    this.storage = opts.storage;
    this.services = opts.services;
    this.whose = opts.practiceOf ?? (() => DEFAULT_PRACTICE);
    this.servicesFor = opts.servicesFor ?? (() => this.services);
    this.practiceZone = opts.practiceZone ?? (() => undefined);
    this.flows = opts.flows;
    this.examples = new ExampleMatcher(opts.flows);
    // The scrubber's word lists are built at start, so the first person's message does not wait for them.
    prepareVocabulary();
    this.opened = Promise.all([opts.ready, opts.storage.purgeExpiredSessions(this.now())]).then(() => undefined);
    this.opened.catch(() => undefined); // reported by the first turn that waits for it
  }

  /** Resolves once the engine has opened: its services ready, expired sessions dropped. */
  ready(): Promise<void> {
    return this.opened;
  }

  /** The registered flows' menu, as buttons (for a home screen). */
  menu(): Choice[] {
    return this.flows.menu();
  }

  /** A case by its ID with its facts, the day after too (letters and claims refer to cases by ID), in `where`'s practice (default: 'default'). */
  caseFile(caseId: string, where?: Omit<Turn, 'input' | 'direct'>): Promise<CaseFile | undefined> {
    return (where ? this.scopeOf(where) : this.scope(DEFAULT_PRACTICE)).cases.get(caseId);
  }

  /** The cases this person was answered on, newest first (for a home screen). */
  recentCases(where: Omit<Turn, 'input' | 'direct'>, limit = 5): Promise<CaseSummary[]> {
    return this.scopeOf(where).cases.recent(sessionKey(where), limit);
  }

  /** The zone of `where`'s practice: its own, where it set one, else the deployment's (`zone`). */
  async practiceZoneOf(where: Omit<Turn, 'input' | 'direct'>): Promise<string> {
    return (await this.practiceZone(this.practiceOf(where))) ?? this.zone;
  }

  /** The practice a turn (or any place) belongs to. */
  practiceOf(where: Omit<Turn, 'input' | 'direct'>): string {
    return this.whose(placeOf(where));
  }

  /** A practice's stores and services, made once per practice. */
  private scope(practice: string): Scope<S> {
    const known = this.scopes.get(practice);
    if (known) return known;
    let view: EngineStorage = this.storage;
    if (practice !== DEFAULT_PRACTICE) {
      if (!this.storage.practice) throw new Error(`this storage has no practices: cannot serve practice "${practice}"`);
      view = this.storage.practice(practice);
    }
    const scope: Scope<S> = { sessions: view.sessions, cases: view.cases, unitOfWork: view.unitOfWork, services: this.servicesFor(practice), practice };
    this.scopes.set(practice, scope);
    return scope;
  }

  private scopeOf(where: Omit<Turn, 'input' | 'direct'>): Scope<S> {
    return this.scope(this.practiceOf(where));
  }

  /**
   * What to show a person who comes back (a terminal chat reopened): the question their conversation is
   * waiting on, or help when nothing is pending. Reads only; the session is not touched.
   */
  async resume(where: Omit<Turn, 'input' | 'direct'>): Promise<Reply[]> {
    await this.opened;
    const { row } = await this.load(this.scopeOf(where), sessionKey(where));
    if (!row) return [this.flows.help()];
    const flow = this.flow(row.flow);
    return [reply(`Welcome back. You were in "${flow.title}"${row.state.caseId ? ` (case ${row.state.caseId})` : ''}:`), ...(await flow.prompt(await this.contextFor(where), row.state))];
  }

  /** Applies one turn. Turns of the same session wait for each other; different sessions do not. */
  handle(turn: Turn): Promise<Reply[]> {
    if (turn.fromBot) return Promise.resolve([]); // bots are not answered (see Inbox.accept)
    // Screened when its turn comes, so it is read as the answer to the question pending then.
    return this.queued(turn, () => this.screen(turn.input, turn));
  }

  /**
   * Applies a turn whose input was screened earlier (the inbox stores screened turns). `answer` gives the
   * writes to make with the turn's unit of work (the inbox's answer), so they land with the session or not at all.
   */
  handleScreened(turn: Turn, screened: Screened, answer?: AnswerWrites): Promise<Reply[]> {
    return this.queued(turn, () => screened, answer);
  }

  private queued(turn: Turn, screen: () => Screened | Promise<Screened>, answer?: AnswerWrites): Promise<Reply[]> {
    const key = sessionKey(turn);
    const previous = this.queues.get(key) ?? Promise.resolve();
    const run = previous.then(async () => this.apply(key, turn, await screen(), answer));
    const settled = run.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return run;
  }

  private async apply(key: string, turn: Turn, screened: Screened, answer?: AnswerWrites): Promise<Reply[]> {
    const started = process.hrtime.bigint();
    await this.opened;
    // Quiet sessions are dropped lazily when their person returns, and in bulk (every practice's) now and then.
    const scope = this.scopeOf(turn);
    if (++this.turnsSincePurge >= 1000) {
      this.turnsSincePurge = 0;
      await this.storage.purgeExpiredSessions(this.now());
    }
    if ('tooLong' in screened) {
      return [reply(`That message is too long for me (${screened.tooLong.toLocaleString('en-US')} characters; the limit is ${MAX_TEXT_CHARS.toLocaleString('en-US')}). Describe the case in a few sentences: the procedure, why it is needed, and the insurance.`)];
    }
    try {
      for (let attempt = 1; ; attempt++) {
        // Read, decide (flows may await: an LLM, a file render), then write in one transaction only if nobody
        // wrote this session meanwhile. In this process one person's turns are queued; a conflict means
        // another process answered them in between, so the turn is worked out again on what it wrote.
        // The session and the turn's context (the practice's zone) are read side by side.
        const [loaded, ctx] = await Promise.all([this.load(scope, key), this.contextFor(turn)]);
        const checked = await this.forSession(ctx, screened, loaded);
        const decision = await this.decide(ctx, loaded.row, checked.input, loaded.expired);
        const replies = await this.save(scope, key, loaded, decision, checked.identifiers, answer);
        if (replies) {
          this.log.log('info', 'turn', { platform: turn.platform, input: turn.input.kind, replies: replies.length, ms: Number(process.hrtime.bigint() - started) / 1e6 });
          return replies;
        }
        this.log.log('warn', 'turn-conflict', { platform: turn.platform, attempt });
        if (attempt >= 2) {
          return [reply('Your conversation changed in another window while I was working on that. Nothing was changed by this message: please answer again.')];
        }
      }
    } catch (err) {
      // Nothing was committed: the session is exactly as it was before this turn.
      this.log.log('error', 'turn-failed', { platform: turn.platform, input: turn.input.kind, ...errorFields(err) });
      return [reply('Something went wrong on my side with that message. Nothing was changed: answer again, or type "restart" to start over.')];
    }
  }

  /**
   * Size limits and identifiers, before anything reads or stores the input. The result holds no
   * identifier and can be stored (the inbox keeps it until the turn is applied). With `where`, the person's
   * pending question is looked at (not the input): when its answer names a product, a lab or a drug, the
   * scrubber is told so (see ScrubOptions.answerNames).
   */
  async screen(input: Input, where?: Omit<Turn, 'input' | 'direct'>): Promise<Screened> {
    if (input.kind === 'text') {
      if (input.text.length > MAX_TEXT_CHARS) return { tooLong: input.text.length };
      const pending = where ? await this.answerNamesOf(where) : undefined;
      const { text, found } = scrubIdentifiers(input.text, pending ? { answerNames: pending.kind } : {});
      return { input: { kind: 'text', text: text.trim() }, identifiers: found, ...(pending ? { answerNames: pending } : {}) };
    }
    if (input.kind === 'form') {
      const scrubbed: Record<string, string> = {};
      const found = new Set<IdentifierKind>();
      for (const [k, v] of Object.entries(input.values)) {
        const s = scrubIdentifiers(String(v).slice(0, MAX_TEXT_CHARS));
        s.found.forEach((f) => found.add(f));
        scrubbed[k] = s.text;
      }
      return { input: { ...input, values: scrubbed }, identifiers: [...found] };
    }
    return { input, identifiers: [] };
  }

  /** What the session's pending question says its answer names (a product, a lab, a drug), with the session's version. */
  private async answerNamesOf(where: Omit<Turn, 'input' | 'direct'>): Promise<{ kind: ProperNameKind; version: number } | undefined> {
    const stored = await this.scopeOf(where).sessions.get<FlowState>(sessionKey(where));
    const flow = stored && this.flows.get(stored.flow);
    // On the way to the acknowledgement: a session whose flow never asks for a name is not checked further.
    if (!stored || !flow?.answerNames) return undefined;
    const { row, version } = this.checked(stored);
    if (!row || version === undefined) return undefined;
    const kind = flow.answerNames(await this.contextFor(where), row.state);
    return kind ? { kind, version } : undefined;
  }

  /**
   * The screened input for the session as loaded now: one screened as the answer to a product question is
   * scrubbed again as any message is when that question is no longer pending (the session moved on since),
   * or when the message is not its answer but a command that starts a flow ("new case …", "A1005 paid …").
   */
  private async forSession(ctx: FlowContext<S>, screened: Extract<Screened, { input: Input }>, loaded: Loaded): Promise<{ input: Input; identifiers: IdentifierKind[] }> {
    if (!screened.answerNames || screened.input.kind !== 'text') return screened;
    const stillPending = loaded.row !== undefined && loaded.version === screened.answerNames.version;
    const text = screened.input.text;
    if (stillPending && !this.flows.command(text) && !(await this.flows.recogniseStored(ctx, text, 'command'))) return screened;
    const again = scrubIdentifiers(screened.input.text);
    return { input: { kind: 'text', text: again.text.trim() }, identifiers: [...new Set([...screened.identifiers, ...again.found])] };
  }

  /** The person's session as stored, checked against its flow; an expired or outdated one is set aside. */
  private async load(scope: Scope<S>, key: string): Promise<Loaded> {
    const stored = await scope.sessions.get<FlowState>(key);
    return stored ? this.checked(stored) : { notices: [] };
  }

  /** A stored session checked against its flow and the clock (see load). */
  private checked(stored: Session): Loaded {
    if (stored.expiresAt <= this.now()) return { expired: stored, version: stored.version, notices: [] };
    // The stored state must still fit its flow (validated, never cast): otherwise the question starts again.
    const live = this.flows.load(stored.flow, stored.flowVersion, stored.state);
    if (!live) return { expired: stored, version: stored.version, notices: [reply('medbill was updated since your last message, so that question starts again.')] };
    const flow = live.flow;
    return { row: { ...stored, state: live.state, history: stored.history.flatMap((h) => flow.stateSchema.safeParse(h).data ?? []) }, version: stored.version, notices: [] };
  }

  /**
   * Commits what a turn decided as one unit of work: the session (unless it changed since it was loaded), the
   * cases, the flows' planned writes and the inbox's answer. Undefined on a conflict: nothing was written.
   */
  private async save(scope: Scope<S>, key: string, loaded: Loaded, decision: Decision, identifiers: IdentifierKind[], answer?: AnswerWrites): Promise<Reply[] | undefined> {
    const now = this.now();
    const writes: StoreWrite[] = [];
    if (decision.session) {
      writes.push({
        kind: 'session.put', expectedVersion: loaded.version,
        row: {
          key, flow: decision.session.flow, flowVersion: this.flow(decision.session.flow).version, state: decision.session.state,
          history: decision.session.history.slice(-MAX_HISTORY), version: (loaded.version ?? 0) + 1, updatedAt: now, expiresAt: now + this.ttlMs,
        },
      });
    } else if (loaded.version !== undefined) writes.push({ kind: 'session.delete', key, expectedVersion: loaded.version });
    for (const caseId of decision.forget ?? []) writes.push({ kind: 'case.forget', owner: key, caseId });
    for (const c of decision.cases ?? []) writes.push({ kind: 'case.record', owner: key, record: { ...c, updatedAt: now } });
    writes.push(...(decision.writes ?? []));
    // The notice is about the person's case (and names its ID): never in a shared channel.
    const notices = identifiers.length ? [...loaded.notices, reply(identifierNotice(identifiers, decision.session?.state.caseId), [], 'direct-only')] : loaded.notices;
    const replies = [...notices, ...decision.replies];
    if (answer) writes.push(...answer.writes(replies));
    if (!(await scope.unitOfWork.commit(writes))) return undefined;
    answer?.landed();
    return replies;
  }

  /**
   * What a turn's input means, in one pass: control words, then a command that names a flow (or a typed
   * button) or a stored record with what to do, then the open flow, then a button typed in words, then a stored
   * record named alone, then what a flow recognises, then the flows' example phrases; else help.
   */
  private async decide(ctx: FlowContext<S>, row: Session | undefined, input: Input, expired: Session | undefined): Promise<Decision> {
    const expiredNote = expired && !row
      ? reply(`Your earlier question${expired.state.caseId ? ` (case ${expired.state.caseId})` : ''} expired after ${Math.round(this.ttlMs / 60000)} minutes without an answer, so I started over.`)
      : undefined;
    const withExpiredNote = (d: Decision): Decision => (expiredNote ? { ...d, replies: [expiredNote, ...d.replies] } : d);

    if (input.kind === 'button') return this.press(ctx, row, input.value, expired, withExpiredNote);
    if (input.kind === 'form') {
      if (row) return this.follow(ctx, row, await this.flow(row.flow).handle(ctx, row.state, { kind: 'form', form: input.form, values: input.values }));
      if (expired && this.registered(expired.flow)) return withExpiredNote(await this.begin(ctx, expired.flow, {}));
      return { replies: [this.flows.help('That form belongs to a conversation that has ended.')] };
    }

    const text = input.text;
    // The open question, said again: only when needed (it may render a whole answer).
    const prompt = async (): Promise<Reply[]> => (row ? this.flow(row.flow).prompt(ctx, row.state) : []);
    if (!text) return row ? keep(row, [reply('I got an empty message.'), ...(await prompt())]) : { replies: [reply('I got an empty message.'), this.flows.help()] };
    const command = controlCommand(text);
    if (command) return withExpiredNote(await this.control(ctx, command, row));
    const named = this.flows.command(text);
    if (named) {
      // "track this claim" under an answer is its button, for this case, not the command's fresh start.
      const button = row ? typedChoice(text, choicesIn(await prompt()), true) : undefined;
      if (button) return this.press(ctx, row, button.value, expired, withExpiredNote);
      return withExpiredNote(await this.begin(ctx, named.flow, { text: named.text }));
    }
    // A record named as only the stores know it, with what to do ("A1005 paid $5200"): a command too.
    const stored = await this.flows.recogniseStored(ctx, text, 'command');
    if (stored) return withExpiredNote(await this.begin(ctx, stored.flow, stored.seed));
    if (row) {
      const out = await this.flow(row.flow).handle(ctx, row.state, { kind: 'text', text });
      if (!out.unhandled) return this.follow(ctx, row, out);
      // Typed where a button would do: its number, its label or a paraphrase presses it.
      const pressed = typedChoice(text, choicesIn(await prompt()));
      if (pressed) return this.press(ctx, row, pressed.value, expired, withExpiredNote);
    }
    const later = this.flows.command(text, true);
    if (later) return withExpiredNote(await this.begin(ctx, later.flow, { text: later.text }));
    // Such a name alone ("A1005") before what the flows read from its shape (a code), which the flow may offer too.
    const storedAlone = await this.flows.recogniseStored(ctx, text, 'alone');
    if (storedAlone) return withExpiredNote(await this.begin(ctx, storedAlone.flow, storedAlone.seed));
    const recognised = this.flows.recognise(ctx, text);
    if (recognised) return withExpiredNote(await this.begin(ctx, recognised.flow, recognised.seed));
    const similar = this.examples.closest(text);
    if (similar) return withExpiredNote(await this.begin(ctx, similar, { text, resembled: true }));
    // Nothing recognised: an expired question starts again; otherwise help, keeping any open flow.
    if (expired && this.registered(expired.flow)) return withExpiredNote(await this.begin(ctx, expired.flow, {}));
    const help = this.flows.help("I didn't catch that.");
    return row ? keep(row, [help]) : { replies: [help] };
  }

  /** A button pressed, or typed: go:FLOW starts a flow, cmd:WORD is a control word, FLOW:STEP:VALUE answers a question. */
  private async press(ctx: FlowContext<S>, row: Session | undefined, value: string, expired: Session | undefined, withExpiredNote: (d: Decision) => Decision): Promise<Decision> {
    // go:FLOW starts a flow; go:FLOW:words starts it as if the words were typed (a digest's "Paid" button).
    const go = /^go:([a-z]+)(?::(.{1,200}))?$/s.exec(value);
    const goFlow = go?.[1];
    if (this.registered(goFlow)) return this.begin(ctx, goFlow, go?.[2] ? { text: go[2] } : {});
    const cmdWord = /^cmd:([a-z]+)$/.exec(value)?.[1];
    const pressedCommand = cmdWord === undefined ? undefined : controlCommand(cmdWord);
    if (pressedCommand) return this.control(ctx, pressedCommand, row);
    const parsed = parseButtonValue(value);
    if (parsed && row && parsed.flow === row.flow) return this.follow(ctx, row, await this.flow(row.flow).handle(ctx, row.state, { kind: 'button', step: parsed.step, value: parsed.value }));
    if (parsed && expired && parsed.flow === expired.flow && this.registered(expired.flow)) return withExpiredNote(await this.begin(ctx, expired.flow, {}));
    const problem = parsed && this.registered(parsed.flow) ? 'That button belongs to a conversation that has ended.' : "I don't recognise that button.";
    return row ? keep(row, [reply(problem), ...(await this.flow(row.flow).prompt(ctx, row.state))]) : { replies: [this.flows.help(problem)] };
  }

  /** The flows' context for one turn: the engine's part, for where the person wrote from, and the services. */
  private async contextFor(where: Omit<Turn, 'input' | 'direct'>): Promise<FlowContext<S>> {
    const place = placeOf(where);
    const scope = this.scopeOf(where);
    // A place's own zone (a Denied pressed under the digest is dated as the digest is), else the practice's.
    const zone = (where.channel ? await this.placeZone(place) : undefined) ?? (await this.practiceZone(scope.practice)) ?? this.zone;
    // One date for the whole turn: read off the clock once, however often the flows ask.
    let today: string | undefined;
    const turn: TurnContext = {
      newCaseId,
      help: (lead) => this.flows.help(lead),
      today: () => (today ??= todayIn(zone, this.now)),
      zone,
      now: this.now,
      place,
      recentCases: () => scope.cases.recent(sessionKey(where), 5),
      caseFile: (caseId) => scope.cases.get(caseId),
    };
    return { ...scope.services, ...turn };
  }

  /** A registered flow; sessions are validated against the registry on load, so a miss is a bug, not input. */
  private flow(id: FlowId): Flow<S> {
    const flow = this.flows.get(id);
    if (!flow) throw new Error(`no flow "${id}" is registered`);
    return flow;
  }

  private registered(id: string | undefined): id is FlowId {
    return id !== undefined && this.flows.get(id) !== undefined;
  }

  /** Starts a flow (replacing any other), following hand-overs. */
  private async begin(ctx: FlowContext<S>, flow: FlowId, seed: Seed, depth = 0): Promise<Decision> {
    return this.settle(ctx, flow, await this.flow(flow).start(ctx, seed), [], depth);
  }

  /** Applies a flow's outcome to an existing session: history for "back", hand-overs, endings. */
  private follow(ctx: FlowContext<S>, row: Session, out: Outcome): Promise<Decision> {
    const history = out.state && JSON.stringify(out.state) !== JSON.stringify(row.state) ? [...row.history, row.state] : row.history;
    return this.settle(ctx, row.flow as FlowId, out, history, 0);
  }

  private async settle(ctx: FlowContext<S>, flow: FlowId, out: Outcome, history: FlowState[], depth: number): Promise<Decision> {
    const cases = out.cases ?? [];
    const forget = out.forget ?? [];
    const writes = out.writes ?? [];
    if (out.next && depth < 3) {
      const next = await this.begin(ctx, out.next.flow, out.next.seed, depth + 1);
      return { ...next, replies: [...out.replies, ...next.replies], cases: [...cases, ...(next.cases ?? [])], forget: [...forget, ...(next.forget ?? [])], writes: [...writes, ...(next.writes ?? [])] };
    }
    return out.state ? { session: { flow, state: out.state, history }, replies: out.replies, cases, forget, writes } : { replies: out.replies, cases, forget, writes };
  }

  private async control(ctx: FlowContext<S>, command: ControlCommand, row: Session | undefined): Promise<Decision> {
    if (!row) return this.controlWithoutSession(command);
    const flow = this.flow(row.flow);
    const stay = (replies: Reply[]): Decision => keep(row, replies);
    switch (command) {
      case 'help':
        return stay([this.flows.help(), reply(`You were in "${flow.title}". Answer the last question to go on, or type "cancel".`)]);
      case 'cancel': {
        // Say what stays: a case answered before, a claim, a letter's draft outlive the question.
        const id = row.state.caseId;
        const kept = (await flow.kept?.(ctx, row.state)) ?? (id && (await ctx.caseFile(id)) ? `Case ${id} and its answer are kept.` : 'Nothing from it was kept.');
        return { replies: [reply(`Cancelled${id ? ` (case ${id})` : ''}. ${kept}`)] };
      }
      case 'restart': {
        const d = await this.begin(ctx, row.flow as FlowId, {});
        return { ...d, replies: [reply('Starting over.'), ...d.replies] };
      }
      case 'back': {
        const previous = row.history.at(-1);
        if (!previous) return stay([reply('This is the first question; there is nothing to go back to.'), ...(await flow.prompt(ctx, row.state))]);
        return { session: { flow: row.flow as FlowId, state: previous, history: row.history.slice(0, -1) }, replies: [reply('Back one step.'), ...(await flow.prompt(ctx, previous))] };
      }
      case 'why':
        return stay([reply(flow.why(ctx, row.state)), ...(await flow.prompt(ctx, row.state))]);
    }
  }

  /** A control command with no open question: there is nothing to keep, cancel, restart or go back to. */
  private controlWithoutSession(command: ControlCommand): Decision {
    switch (command) {
      case 'help':
        return { replies: [this.flows.help()] };
      case 'cancel':
        return { replies: [reply('There is nothing to cancel.')] };
      case 'restart':
        return { replies: [this.flows.help('There is nothing to restart. Here is what I can do:')] };
      case 'back':
        return { replies: [reply('There is nothing to go back to.')] };
      case 'why':
        return { replies: [reply('I have not asked you anything yet. Type "help" to see what I can do.')] };
    }
  }
}
