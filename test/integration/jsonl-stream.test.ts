/**
 * `medbill triage --jsonl` on big and hostile input (issue 10, finding 8): answers as it reads, with bounded
 * memory, a clear error for an oversized line, and error messages of bounded size.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT, cli } from '../helpers.js';

const good = JSON.stringify({ procedure: 'D2391', cause: 'decay', coverage: { medical: true, dental: true } });
const bin = `${ROOT}/bin/medbill.js`;

/** Peak resident memory of a running process, in MiB (Linux). */
const peakMiB = (pid: number) => {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
};

describe('triage --jsonl streams', () => {
  it('answers a line before the input has ended', async () => {
    const child = spawn(process.execPath, [bin, 'triage', '--jsonl', '-'], { env: { ...process.env, MEDBILL_DB: ':memory:' } });
    const first = new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
    child.stdin.write(`${good}\n`);
    const out = await first; // standard input is still open
    expect(JSON.parse(out.trim().split('\n')[0]!).lane).toBeDefined();
    child.stdin.end();
    await new Promise((r) => child.once('exit', r));
  });

  it('refuses an oversized line by its number and size, and answers the others', () => {
    const huge = `{"procedure":"D7140","notes":"${'x'.repeat(3 * 1024 * 1024)}"}`;
    const { code, out } = cli(['triage', '--jsonl', '-'], [good, huge, good].join('\n'));
    expect(code).toBe(2);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[1].error).toMatch(/line 2 is 3,145,7\d\d bytes; a case is at most 1,048,576/);
    expect(lines[0].lane).toBeDefined();
    expect(lines[2].lane).toBeDefined();
  });

  it('names a few of many unknown keys and counts the rest, in a short error line', () => {
    const keys = (n: number) => {
      const o: Record<string, number> = { procedure: 1 };
      for (let i = 0; i < n; i++) o[`k${i}`] = 0;
      return JSON.stringify(o);
    };
    const lines = cli(['triage', '--jsonl', '-'], `${keys(80_000)}\n`); // under the 1 MiB line limit
    expect(lines.code).toBe(2);
    expect(lines.out.trim().length).toBeLessThan(2000);
    expect(JSON.parse(lines.out.trim()).error).toMatch(/k0, k1, k2, k3, k4 and 79995 more/);
    const one = cli(['triage', '--json', '-'], keys(200_000));
    expect(one.code).toBe(2);
    expect(one.err.length).toBeLessThan(2000);
    expect(one.err).toMatch(/and 199995 more/);
  });

  it('keeps its memory bounded on 150 MB of input', async () => {
    const child = spawn(process.execPath, [bin, 'triage', '--jsonl', '-'], { env: { ...process.env, MEDBILL_DB: ':memory:' } });
    let answered = 0;
    let peak = 0;
    child.stdout.on('data', (d: Buffer) => { answered += d.toString().split('\n').filter(Boolean).length; });
    const poll = setInterval(() => { peak = Math.max(peak, peakMiB(child.pid ?? 0)); }, 25);
    // 50 oversized lines of 2 MiB, each followed by a good one: 100+ MB that must not be held at once.
    const big = Buffer.from(`{"procedure":"D7140","notes":"${'y'.repeat(2 * 1024 * 1024)}"}\n${good}\n`);
    for (let i = 0; i < 75; i++) {
      if (!child.stdin.write(big)) await new Promise((r) => child.stdin.once('drain', r));
    }
    child.stdin.end();
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    clearInterval(poll);
    expect(code).toBe(2);
    expect(answered).toBe(150);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(200); // the whole input would be 150 MB as a string, several times that as lines
  }, 60_000);
});
