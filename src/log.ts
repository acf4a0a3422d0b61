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
