/**
 * The flows the engine runs, registered rather than enumerated: each flow declares its id, the leading
 * words that start it, its menu entry with a help example, and a zod schema for its stored state. The
 * engine receives a registry (it never imports flows/), and help, the Slack App Home and the intents are
 * derived from it, so adding a flow touches its own folder and the list that builds the registry.
 */
import { reply, type Choice, type Reply } from './model.js';
import type { Flow, FlowContext, FlowState, Seed } from './flow.js';

export class FlowRegistry<S = unknown> {
  private readonly byId = new Map<string, Flow<S>>();

  constructor(flows: readonly Flow<S>[]) {
    for (const f of flows) {
      if (this.byId.has(f.id)) throw new Error(`two flows are registered as "${f.id}"`);
      this.byId.set(f.id, f);
    }
  }

  get(id: string): Flow<S> | undefined {
    return this.byId.get(id);
  }

  all(): Flow<S>[] {
    return [...this.byId.values()];
  }

  /** A flow named by the message's leading words ("lookup K08.3", "new case", "docs for …"), with the rest. */
  command(text: string, later = false): { flow: string; text: string } | undefined {
    for (const f of this.byId.values()) {
      for (const re of (later ? f.laterCommands : f.commands) ?? []) {
        const m = re.exec(text);
        if (m) return { flow: f.id, text: text.slice(m[0].length).trim() };
      }
    }
    return undefined;
  }

  /** A message no command names, as the first flow that reads it (see Flow.recognise) sees it. */
  recognise(ctx: FlowContext<S>, text: string): { flow: string; seed: Seed } | undefined {
    for (const f of this.byId.values()) {
      const seed = f.recognise?.(ctx, text);
      if (seed) return { flow: f.id, seed };
    }
    return undefined;
  }

  /** A message naming a flow's stored record (see Flow.recogniseStored), as the first flow that knows the name sees it. */
  async recogniseStored(ctx: FlowContext<S>, text: string, where: 'command' | 'alone'): Promise<{ flow: string; seed: Seed } | undefined> {
    for (const f of this.byId.values()) {
      const seed = await f.recogniseStored?.(ctx, text, where);
      if (seed) return { flow: f.id, seed };
    }
    return undefined;
  }

  /** The menu: one button per flow that has a menu entry, in registration order. */
  menu(): Choice[] {
    return this.all().flatMap((f) => (f.menu ? [{ label: f.menu.label, value: `go:${f.id}` }] : []));
  }

  /** What medbill does, with one example per flow, and the menu as buttons. */
  help(lead?: string): Reply {
    const lines = this.all().flatMap((f) => (f.menu ? [`• ${f.menu.label} ${f.menu.example}`] : []));
    return reply(
      [
        ...(lead ? [lead] : []),
        'medbill helps decide when a dental procedure is billed to medical insurance. Try:',
        ...lines,
        'At any question: "back", "cancel", "restart" or "why". Please never type patient names, birth dates or member IDs; medbill does not need them.',
      ].join('\n'),
      [{ kind: 'choices', choices: this.menu() }],
    );
  }

  /**
   * A stored state checked against its flow's schema: undefined when the flow is gone or the state no longer
   * fits (the session then starts again politely, instead of a flow misreading old data).
   */
  load(flowId: string, version: number, state: unknown): { flow: Flow<S>; state: FlowState } | undefined {
    const flow = this.byId.get(flowId);
    if (!flow || flow.version !== version) return undefined;
    const parsed = flow.stateSchema.safeParse(state);
    return parsed.success ? { flow, state: parsed.data } : undefined;
  }
}
