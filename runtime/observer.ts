// The hook through which trace, report and learn see a run. The supervisor calls it at every
// trapped stop and process event; with no observer installed none of this costs anything.
import type { Supervisor } from './supervisor.js';
import type { Tracee } from './tracee.js';
import type { Intent } from './handlers/path-table.js';

export interface Observer {
  /** Syscalls to trap in addition to what the policy needs (e.g. socket, connect for a trace). */
  extraTraps(): number[];
  /** Whether a call that is let through should stop again at its exit, to see its result. */
  wantsResult(nr: number): boolean;
  /** A seccomp stop, before any handler: registers are loaded in sv.regs, memory is readable. */
  enter(sv: Supervisor, t: Tracee, nr: number): void;
  /** The call's result: from the exit stop, or the value tsbox answered with (`skipped`). */
  leave(sv: Supervisor, t: Tracee, nr: number, result: number, skipped: boolean): void;
  /** A path the program named, in guest terms, with what it meant to do and the errno (0: allowed). */
  path(t: Tracee, nr: number, guest: string, intent: Intent, errno: number): void;
  processStart(pid: number, parent: number, thread: boolean): void;
  exec(sv: Supervisor, t: Tracee): void;
  processExit(pid: number, exitCode: number | null, signal: number | null): void;
}
