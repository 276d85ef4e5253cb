// Structured events from the supervisor, through pino: denials and remaps (one line each when
// the policy's log.denials is on) and the process tree (debug level). Never on the program's
// stdout. Formatting is skipped entirely when a line would not be written.
import { createRequire } from 'node:module';
import type { Logger } from 'pino';

// pino is loaded the first time a line is actually written: most runs write none, and loading it
// is a measurable part of the supervisor thread's start-up.
const requireLazily = createRequire(import.meta.url);
const LEVEL_VALUES: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

export interface EventLog {
  readonly logger: Logger;
  /** A call the sandbox refused or answered itself. */
  decision(pid: number, syscall: string, args: unknown[], action: string, detail?: string): void;
  processStart(pid: number, parent: number): void;
  processExit(pid: number, exitCode: number | null, signal: number | null): void;
  exec(pid: number): void;
}

function createPino(level: string, file: string | null, name: string): Logger {
  const pino = requireLazily('pino') as typeof import('pino');
  const destination = pino.destination({ dest: file ?? 2, sync: true, mkdir: true });
  return pino.pino({ level, name: `tsbox:${name}`, base: { pid: undefined, hostname: undefined } }, destination);
}

const ignore = (): void => {};

/**
 * A pino logger that comes into being on first use; `level`, `isLevelEnabled` and calls below
 * the level (logger.debug at level warn) do not count.
 */
export function createLogger(level: string, file: string | null, name: string): Logger {
  let real: Logger | null = null;
  const threshold = LEVEL_VALUES[level] ?? LEVEL_VALUES.info;
  return new Proxy({} as Logger, {
    get(_target, prop) {
      if (prop === 'level') return level;
      if (prop === 'isLevelEnabled') return (l: string) => (LEVEL_VALUES[l] ?? 0) >= threshold;
      if (typeof prop === 'string' && prop !== 'silent' && (LEVEL_VALUES[prop] ?? Infinity) < threshold) return ignore;
      real ??= createPino(level, file, name);
      const value = (real as unknown as Record<PropertyKey, unknown>)[prop];
      return typeof value === 'function' ? value.bind(real) : value;
    },
  });
}

export function createEventLog(logger: Logger, denials: boolean): EventLog {
  const debug = logger.isLevelEnabled('debug');
  return {
    logger,
    decision(pid, syscall, args, action, detail) {
      if (denials) logger.info({ event: 'syscall', pid, syscall, args, action, detail }, `${syscall} ${action}`);
    },
    processStart(pid, parent) {
      if (debug) logger.debug({ event: 'spawn', pid, parent }, 'process started');
    },
    processExit(pid, exitCode, signal) {
      if (debug) logger.debug({ event: 'exit', pid, exitCode, signal }, 'process ended');
    },
    exec(pid) {
      if (debug) logger.debug({ event: 'exec', pid }, 'exec');
    },
  };
}
