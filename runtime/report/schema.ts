// The run report (`tsbox run --report FILE`), schema version 1: the types, and the check that a
// file read back is one. Field by field documentation: docs/REPORT.md. A change that removes or
// changes the meaning of a field needs a new schemaVersion; adding a field does not.

export const REPORT_SCHEMA_VERSION = 1;

export interface PathCount {
  /** Canonical guest path (symlinks resolved, as the policy's rules see it). */
  path: string;
  /** How many calls did it. */
  count: number;
}

export interface FailedPath extends PathCount {
  /** The failures by errno name. */
  errno: Record<string, number>;
  /** How many of them meant to write, create or delete (e.g. mkdir of an existing folder: EEXIST). */
  writes: number;
}

export interface ReportProcess {
  pid: number;
  /** The process that forked it; 0 for the command itself. */
  parent: number;
  /** argv after its last exec (from /proc/<pid>/cmdline). */
  argv: string[];
  /** Guest path of the program it ran last, when known. */
  exe: string | null;
  /** When it started and ended, in ms since the run started (endMs null: never seen to end). */
  startMs: number;
  endMs: number | null;
  exitCode: number | null;
  /** Signal name when it was killed ("SIGKILL"). */
  signal: string | null;
  /** Threads it started. */
  threads: number;
  /** Successful execs (the first process execs once from tsbox's launch stub). */
  execs: number;
}

export interface SocketEntry {
  family: string;
  type: string;
  count: number;
  failed: Record<string, number>;
}

export interface AddressEntry {
  syscall: 'connect' | 'bind' | 'sendto';
  family: string;
  /** AF_INET / AF_INET6. */
  address?: string;
  port?: number;
  /** AF_UNIX: the guest path, "@name" for an abstract socket. */
  path?: string;
  count: number;
  failed: Record<string, number>;
}

export interface DecisionEntry {
  syscall: string;
  /** Arguments as logged: guest paths for path calls, numbers otherwise. */
  args: unknown[];
  /** What was refused (the intent: read, write, create…) or the errno / value answered. */
  detail: string | null;
  count: number;
  /** The first few processes it happened in. */
  pids: number[];
}

export interface Report {
  schemaVersion: 1;
  /** tsbox's version. */
  tsbox: string;
  command: string[];
  /** The guest working directory the command started in. */
  cwd: string;
  /** HOME in the command's environment, if set. */
  home: string | null;
  policy: { name: string; file: string; digest: string };
  /** ISO 8601. */
  startedAt: string;
  exit: {
    /** tsbox's own exit status (the command's, 128+N, 124 on timeout, 125 setup error). */
    status: number;
    code: number | null;
    signal: string | null;
    timedOut: boolean;
    /** Why tsbox failed, when it did (setup error, internal error). */
    error: string | null;
  };
  time: {
    wallMs: number;
    /** CPU time of the command's processes (getrusage RUSAGE_CHILDREN); null if unknown. */
    cpu: { userMs: number; systemMs: number } | null;
    maxRssKiB: number | null;
    /** CPU time of tsbox itself (all its threads). */
    tsbox: { userMs: number; systemMs: number };
  };
  supervisor: {
    /** Seccomp stops: one per trapped call. */
    seccompStops: number;
    /** Syscall-exit stops: a second stop for calls whose result was needed. */
    exitStops: number;
    /** Time spent handling stops (not waiting for them), ms. */
    busyMs: number;
    /** The syscalls the seccomp filter sent to the supervisor. */
    trapped: string[];
  };
  processes: ReportProcess[];
  files: {
    read: PathCount[];
    written: PathCount[];
    executed: PathCount[];
    created: PathCount[];
    deleted: PathCount[];
    /** access(W_OK) checks that succeeded: nothing was written, but the program expects to write there. */
    writeChecked: PathCount[];
    /** Refused by the policy (see denials for the calls). */
    denied: PathCount[];
    /** Calls that failed on their own (ENOENT probes…), not denials. */
    failed: FailedPath[];
  };
  network: { sockets: SocketEntry[]; addresses: AddressEntry[] };
  denials: DecisionEntry[];
  remaps: DecisionEntry[];
  /** Trapped calls by name, most frequent first. */
  syscalls: Record<string, number>;
}

export class ReportError extends Error {}

/** Parses a report file's text; throws ReportError when it is not a version 1 report. */
export function parseReport(text: string, file: string): Report {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ReportError(`${file}: not JSON (${(e as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || !('schemaVersion' in data)) {
    throw new ReportError(`${file}: not a tsbox report (no schemaVersion)`);
  }
  const version = (data as { schemaVersion: unknown }).schemaVersion;
  if (version !== REPORT_SCHEMA_VERSION) {
    throw new ReportError(`${file}: report schemaVersion ${String(version)} is not supported (this tsbox reads ${REPORT_SCHEMA_VERSION})`);
  }
  const r = data as Report;
  for (const key of ['command', 'processes', 'denials', 'remaps'] as const) {
    if (!Array.isArray(r[key])) throw new ReportError(`${file}: "${key}" is missing or not a list`);
  }
  if (typeof r.files !== 'object' || r.files === null) throw new ReportError(`${file}: "files" is missing`);
  return r;
}
