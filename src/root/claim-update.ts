/**
 * `medbill claims update "TEXT"`: what happened to a claim, typed as in chat ("A1005 paid $5200 on 12/1",
 * "C-7K3Q9 denied CO-50"), by its case ID or the practice's claim number, recorded in MEDBILL_DB by the same
 * claim flow as every other surface (its status checks; its history, actor cli:USER, surface cli). One
 * message, no conversation: an update that leaves something out (the amount, the denial reason) prints the
 * question and records nothing (exit 1), so a script never records half an update.
 */
import { userInfo } from 'node:os';
import { loadConfig } from '../config.js';
import { openHouse } from './house.js';
import { newCaseId, claimKeyIn } from '../case-id.js';
import { claimNumberLead } from '../claims/parse.js';
import { renderRepliesText } from '../reply-text.js';
import { positionals, UsageError, type Io } from '../command-line.js';
import { systemClock } from '../today.js';

/** Who is at the shell, for the claim's history ("cli:ann"); "cli:cli" where the system names nobody. */
function shellUser(): string {
  try {
    return userInfo().username.replace(/[^\w.-]/g, '').slice(0, 40) || 'cli';
  } catch {
    return 'cli';
  }
}

export async function cmdClaimUpdate(args: string[], io: Io): Promise<number> {
  const text = positionals('claims update', args).join(' ').trim();
  if (!text) throw new UsageError('claims update needs what happened to a claim, e.g. medbill claims update "A1005 paid $5200 on 12/1"');
  // Only a claim update: a case ID or a claim number first, then what happened (anything else is a chat's).
  const lead = claimNumberLead(text);
  if (!(claimKeyIn(text) && /^\s*C-/i.test(text)) && !lead?.verb) {
    throw new UsageError('claims update takes a case ID (C-7K3Q9) or the practice\'s claim number, then what happened: "A1005 paid $5200 on 12/1", "C-7K3Q9 denied CO-50"');
  }
  const config = loadConfig();
  const app = openHouse(config, { now: io.clock ?? systemClock, oneShot: true });
  try {
    const user = shellUser();
    // The engine applies the update in MEDBILL_PRACTICE (a one-shot house's practice): read its claims there too.
    const claims = app.practiceOffice(config.practice).claims;
    const before = await claims.store.lastEntryBy(`cli:${user}`);
    // A conversation of its own: a question it asks is not left for the next command to answer by mistake.
    const replies = await app.engine.handle({ platform: 'cli', user, conversation: `cli-${newCaseId()}`, direct: true, input: { kind: 'text', text } });
    io.out(renderRepliesText(replies));
    const after = await claims.store.lastEntryBy(`cli:${user}`);
    if (after?.id === undefined || after.id === before?.id) {
      io.err('medbill: nothing was recorded (see above). Say the whole update in one message: "A1005 paid $5200 on 12/1", "A1005 denied CO-50".');
      return 1;
    }
    return 0;
  } finally {
    await app.close();
  }
}
