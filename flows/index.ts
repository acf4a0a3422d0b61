/** The flows medbill runs, in menu order. Adding a flow: write it in its own file and list it here. */
import { FlowRegistry } from '../src/engine/registry.js';
import type { Services } from './context.js';
import { triageFlow } from './triage.js';
import { documentsFlow } from './documents.js';
import { lookupFlow } from './lookup.js';
import { helpFlow } from './help.js';
import { claimFlow } from './claim.js';
import { digestFlow } from './digest.js';
import { reportFlow } from './report.js';
import { letterFlow } from './letter.js';

export const flows = new FlowRegistry<Services>([triageFlow, documentsFlow, lookupFlow, letterFlow, claimFlow, digestFlow, reportFlow, helpFlow]);
