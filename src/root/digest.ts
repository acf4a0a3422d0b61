/**
 * The daily digest in the running service: a scheduler that, for each channel set up with "digest here …",
 * builds what is due on claims for that channel's local date and posts it once through the outbound port
 * (Slack today; any platform whose adapter offers keyed posts).
 */
import type { App } from '../app.js';
import type { Logger } from '../log.js';
import { DigestStore } from '../store/digest.js';
import { DigestScheduler, defaultOwner } from '../scheduler/digest-scheduler.js';
import { buildDigest, digestReplies } from '../claims/digest.js';
import { ClaimService } from '../claims/service.js';

export function startDigest(app: App, opts: { log: Logger; tickMs: number; now?: () => number }): DigestScheduler {
  const claims = new ClaimService(app.db);
  const scheduler = new DigestScheduler({
    store: new DigestStore(app.db),
    owner: defaultOwner(),
    log: opts.log,
    ...(opts.now ? { now: opts.now } : {}),
    publish: (target, localDate, runKey) => {
      const replies = digestReplies(buildDigest(claims.store, localDate, claims.kn.policy));
      return app.outbound.sendKeyed(target, replies, runKey);
    },
    findPosted: (target, runKey) => app.outbound.findKeyed(target, runKey),
  });
  scheduler.start(opts.tickMs);
  return scheduler;
}
