/**
 * Structured log lines on standard error. Callers pass only metadata (ids, counts, timings, error
 * classes): never message text, case facts or anything a patient could be recognised by.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger {
  log(level: Level, event: string, fields?: Record<string, string | number | boolean | undefined>): void;
}

export function createLogger(level: string = process.env.MEDBILL_LOG ?? 'info', write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const min = ORDER[(level in ORDER ? level : 'info') as Level];
  return {
    log(lvl, event, fields = {}) {
      if (ORDER[lvl] < min) return;
      write(`${JSON.stringify({ t: new Date().toISOString(), level: lvl, event, ...fields })}\n`);
    },
  };
}

export const silentLogger: Logger = { log: () => {} };

/**
 * What the log keeps of an error: its class and where it was thrown, not its message (a message can
 * quote the input that caused it).
 */
export function errorFields(err: unknown): { error: string; at: string } {
  const e = err instanceof Error ? err : new Error(String(err));
  const frame = (e.stack ?? '').split('\n').find((l) => l.trim().startsWith('at ')) ?? '';
  return { error: e.name, at: frame.trim().replace(/^at /, '').replace(/\(?file:\/\/[^)]*\/(src|flows|adapters)\//, '$1/').slice(0, 160) };
}
