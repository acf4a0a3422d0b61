/** Every flow, by id. The engine routes to these; adding a flow means adding it here. */
import type { Flow, FlowId } from '../src/engine/flow.js';
import { triageFlow } from './triage.js';
import { documentsFlow } from './documents.js';
import { lookupFlow } from './lookup.js';
import { helpFlow } from './help.js';

export const FLOWS: Record<FlowId, Flow> = { triage: triageFlow, docs: documentsFlow, lookup: lookupFlow, help: helpFlow };
export { helpReply } from './help.js';
