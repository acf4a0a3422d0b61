/**
 * The simulation of issue 25 at small scale (sim/simulation.ts, `npm run sim` at full scale): 3 replicas of
 * `medbill serve` on one PostgreSQL behind a loopback balancer, 5 workspaces installed through Slack's OAuth
 * flow (MEDBILL_PRACTICES=per-workspace), 300 signed mentions and button presses with Slack's retries, one
 * digest due per billing channel, and a replica killed with SIGKILL every 2.5 s and started again. Every
 * acknowledged event is answered exactly once, every digest posted once and whole, and nothing crosses
 * workspaces, in what reached the fake of Slack or in the database. Needs `npm run build` (the replicas run dist/).
 */
import { expect, it } from 'vitest';
import { describePostgres, freshDatabaseUrl } from '../support/postgres.js';
import { DEFAULTS, reportLines, simulate } from '../../sim/simulation.js';

describePostgres('the simulation: replicas, installs, kills', () => {
  it('answers every acknowledged event exactly once, posts every digest once and whole, and keeps workspaces apart', async () => {
    const report = await simulate({
      ...DEFAULTS, databaseUrl: await freshDatabaseUrl(), replicas: 3, workspaces: 5, events: 300, killEveryMs: 2500, leaseMs: 3000,
    });
    console.log(reportLines(report).join('\n'));
    expect(report.installed).toBe(5);
    expect(report.kills).toBeGreaterThanOrEqual(2);
    expect(report.unacked).toBe(0);
    expect(report.acks).toBe(report.events);
    expect(report.missing).toBe(0);
    expect(report.duplicates).toBe(0);
    expect(report.answered).toBe(report.events);
    expect(report.strays).toBe(0);
    expect(report.crossingExamples).toEqual([]);
    expect(report.crossings).toBe(0);
    expect(report.recordRows).toBeGreaterThan(0);
    expect(report.recordCrossings).toEqual([]);
    expect(report.digestRepeats).toBe(0);
    expect(report.digestsWhole).toBe(report.digestsExpected);
    expect(report.ok).toBe(true);
  }, 420_000);
});
