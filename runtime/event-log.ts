// Structured events from the supervisor, through pino: denials and remaps (one line each when
// the policy's log.denials is on) and the process tree (debug level). Never on the program's
// stdout. Formatting is skipped entirely when a line would not be written.
import pino, { type Logger } from 'pino';

export interface EventLog {
  readonly logger: Logger;
  /** A call the sandbox refused or answered itself. */
  decision(pid: number, syscall: string, args: unknown[], action: string, detail?: string): void;
  processStart(pid: number, parent: number): void;
  processExit(pid: number, exitCode: number | null, signal: number | null): void;
  exec(pid: number): void;
}

export function createLogger(level: string, file: string | null, name: string): Logger {
  const destination = pino.destination({ dest: file ?? 2, sync: true, mkdir: true });
  return pino({ level, name: `tsbox:${name}`, base: { pid: undefined, hostname: undefined } }, destination);
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
