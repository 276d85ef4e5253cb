// What the supervisor remembers about one traced task (a process or a thread) between stops.

/** Work to do at the syscall-exit stop that follows a stop where arguments were rewritten. */
export interface PendingExit {
  /** Argument registers to put back (the program must see its own pointers after the call). */
  restoreArgs: Array<[index: number, value: bigint]>;
  /** Restore only if the call failed (execve: on success the registers belong to the new image). */
  onlyOnFailure: boolean;
  nr: number;
  /** Extra work at the exit stop, with the registers loaded (e.g. filter a getdents buffer). */
  after?: (result: number) => void;
}

export class Tracee {
  pendingExit: PendingExit | null = null;
  /** True once the first stop of an auto-attached child has been seen. */
  attached = false;
  /** The guest program this process runs (what /proc/self/exe shows), when tsbox started it. */
  exe: string | null = null;
  /** The guest program of an execve in flight; becomes `exe` at the exec event. */
  pendingExe: string | null = null;
  /** Runs through the guest's loader (ld.so --argv0 …): its /proc/PID/cmdline needs fixing. */
  viaLoader = false;
  /** Whether the execve in flight goes through the loader; becomes `viaLoader` at the exec event. */
  pendingViaLoader = false;
  constructor(
    readonly pid: number,
    public parent: number,
  ) {}
}
