/**
 * Keeps WAL checkpoints off the request path. SQLite's automatic checkpoint runs inside whichever commit pushes
 * the log past its limit (1,000 pages): with a claim update writing about nine pages, one update in a hundred
 * paid for copying the whole log back, which made the claim update's p99 twice its p50 by several ms. Here a
 * worker thread with its own connection checkpoints every second instead, and the main connection's automatic
 * checkpoint is only a cap (CAP_PAGES) in case the thread falls behind. Started on the first write, so a
 * command that only reads (a cold triage) starts no thread.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { createLogger, type Logger } from '../../log.js';
import type { Db } from './db.js';

/** About 80 MiB of log at 4 KiB pages: only reached when the thread cannot keep up. */
export const CAP_PAGES = 20_000;
const INTERVAL_MS = 1000;

export interface CheckpointRun { log: number; checkpointed: number }

/**
 * The thread: its own connection to the file, a PASSIVE checkpoint (which never blocks the main connection's
 * readers or writers) every `intervalMs`, each run's frame counts reported, closed on 'stop'. It is evaluated
 * from this string, with the driver's resolved path, so it runs the same from src/ under the tests and from dist/.
 */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: 5000 });
function checkpoint() {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    if (row && row.log > 0) parentPort.postMessage({ kind: 'checkpointed', log: row.log, checkpointed: row.checkpointed });
  } catch (err) {
    parentPort.postMessage({ kind: 'error', code: (err && err.code) || 'unknown' });
  }
}
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.postMessage({ kind: 'stopped' });
});
`;
const driver = createRequire(import.meta.url).resolve('better-sqlite3');

export class Checkpointer {
  private worker?: Worker;
  private readonly listeners = new Set<(run: CheckpointRun) => void>();

  constructor(private readonly db: Db, private readonly path: string, private readonly logger: Logger = createLogger()) {}

  /** Starts the thread once; later calls do nothing. */
  start(): void {
    if (this.worker) return;
    this.db.pragma(`wal_autocheckpoint = ${CAP_PAGES}`);
    const worker = new Worker(THREAD, { eval: true, workerData: { driver, path: this.path, intervalMs: INTERVAL_MS } });
    worker.unref(); // a command line run exits when its work is done; SQLite checkpoints on the last close
    worker.on('message', (m: { kind: string; log?: number; checkpointed?: number; code?: string }) => {
      if (m.kind === 'checkpointed') for (const f of this.listeners) f({ log: m.log ?? 0, checkpointed: m.checkpointed ?? 0 });
      if (m.kind === 'error') this.logger.log('warn', 'wal_checkpoint_failed', { code: m.code });
    });
    worker.on('error', (err) => {
      this.logger.log('error', 'wal_checkpointer_stopped', { error: err.name });
      this.db.pragma('wal_autocheckpoint = 1000');
      this.worker = undefined;
    });
    this.worker = worker;
  }

  /** Calls `f` after each checkpoint that found log pages (for tests and the bench). */
  onCheckpoint(f: (run: CheckpointRun) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Stops the thread after one last checkpoint. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    await new Promise<void>((resolve) => {
      const done = () => resolve();
      worker.once('exit', done);
      worker.on('message', (m: { kind: string }) => { if (m.kind === 'stopped') void worker.terminate(); });
      worker.postMessage('stop');
    });
  }
}
