/**
 * The replicas: `node bin/medbill.js serve` processes on one database, each on a loopback port of its own
 * (PORT=0), killed with SIGKILL and started again as the simulation says. A replica counts as up once it
 * prints where it listens (and, with a single bot token, that Slack is on: before that it answers 503).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './root.js';
import type { Backend } from './balancer.js';

export interface Replica extends Backend {
  readonly name: string;
  /** Kills it with SIGKILL (no shutdown of any kind); resolves once it is gone. */
  kill(): Promise<void>;
  /** Starts it (again); resolves once it listens. */
  start(): Promise<void>;
  /** Stops it with SIGTERM, as an orderly shutdown. */
  stop(): Promise<void>;
}

/** `env` is the whole environment of the process. */
export function replica(name: string, env: NodeJS.ProcessEnv, logFile: string, waitForSlack: boolean): Replica {
  let child: ChildProcess | undefined;
  let log: WriteStream | undefined;
  let starting: Promise<void> | undefined;
  // A replica never outlives the simulation, however that ends.
  process.once('exit', () => child?.kill('SIGKILL'));
  const launch = () => new Promise<void>((resolve, reject) => {
    if (child && child.exitCode === null && child.signalCode === null) return resolve(); // running already
    log ??= createWriteStream(logFile, { flags: 'a' });
    const proc = spawn(process.execPath, [join(ROOT, 'bin/medbill.js'), 'serve'], { env: { ...env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    log.write(`--- ${name} started (pid ${proc.pid}) at ${new Date().toISOString()}\n`);
    let out = '';
    let ready = false;
    let err = '';
    proc.stderr?.on('data', (d: Buffer) => {
      log?.write(d);
      err = (err + String(d)).slice(-500);
    });
    proc.stdout?.on('data', (d: Buffer) => {
      log?.write(d);
      if (ready) return;
      out += String(d);
      const listening = /running on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (listening && (!waitForSlack || /Slack: on/.test(out))) {
        ready = true;
        clearTimeout(late);
        self.url = listening;
        resolve();
      }
    });
    // Not listening within a minute: something is wrong with it; it is killed and the start fails.
    const late = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    proc.once('exit', (code, signal) => {
      clearTimeout(late);
      log?.write(`--- ${name} exited (${signal ?? code}) at ${new Date().toISOString()}\n`);
      if (child === proc) self.url = undefined;
      reject(new Error(`${name} exited (${signal ?? code}) before it listened: ${(out.slice(-300) + err).trim()}`));
    });
  });
  const self: Replica = {
    name,
    url: undefined,
    // One start at a time: a start asked for while one is under way joins it.
    start: () => (starting ??= launch().finally(() => { starting = undefined; })),
    kill: () => gone(child, 'SIGKILL', () => { self.url = undefined; }),
    stop: async () => {
      await gone(child, 'SIGTERM', () => { self.url = undefined; });
      log?.end();
    },
  };
  return self;
}

/** Sends the signal (after `before`, which takes the replica out of the balancer first); resolves on exit. */
function gone(child: ChildProcess | undefined, signal: NodeJS.Signals, before: () => void): Promise<void> {
  before();
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
