// The stop loop: one thread (the supervisor Worker) waits for every stop of every tracee and
// answers it. A seccomp stop goes to the handler registered for its syscall, which either lets
// the call run, skips it with a result (one stop: number set to -1, result in the return
// register, no exit stop), or rewrites path arguments and asks for the exit stop to put the
// program's own pointers back.
import { hostArch, ERRNO } from '../arch/index.js';
import type { Plan } from '../policy/plan.js';
import { kill } from './ffi.js';
import { forgetLstat } from './host-fs.js';
import type { TraceeMemory } from './memory.js';
import { PathTranslator } from './paths.js';
import {
  cont, contSyscall, getEventMsg, listen, EVENT_CLONE, EVENT_EXEC, EVENT_FORK, EVENT_VFORK,
} from './ptrace.js';
import { Registers } from './registers.js';
import type { RunDir } from './run-dir.js';
import { Tracee } from './tracee.js';
import { waitAny } from './wait.js';
import type { EventLog } from './event-log.js';
import type { Observer } from './observer.js';

const arch = hostArch();
const SIGKILL = 9;

/**
 * Answers a seccomp stop by calling exactly one of allow/skip/runWith and returning true, or
 * returns false to pass the stop to the next handler of the same syscall (the call then runs).
 */
export type SeccompHandler = (sv: Supervisor, t: Tracee) => boolean;

export interface RunResult {
  exitCode: number | null;
  signal: number | null;
  stops: number;
}

export interface LiveSet {
  add(pid: number): void;
  remove(pid: number): void;
}

export class Supervisor {
  readonly regs = new Registers();
  readonly tracees = new Map<number, Tracee>();
  readonly translator: PathTranslator;
  private readonly handlers: (SeccompHandler | undefined)[] = [];
  /** Sees every trapped call and process event (trace, report, learn); null on the fast path. */
  observer: Observer | null = null;
  /** Shared with the main thread for the progress line: slot 0 counts seccomp stops. */
  sharedStops: Int32Array | null = null;
  /** When true (--report), `busyNs` sums the time spent handling stops (two hrtime reads each). */
  timeStops = false;
  busyNs = 0n;
  private stops = 0;
  /** Whether any tracee has used clone() in a way that may have started a thread. */
  private threadsStarted = false;
  /**
   * Host folders where Landlock refuses to create or remove entries (they hold a narrower rule):
   * the supervisor says why instead of letting the kernel answer a bare EACCES.
   */
  lockedFolders: ReadonlyMap<string, string> = new Map();
  /** Under `root:`, the run's private folder for loader links and cmdline snapshots (run-dir.ts). */
  runDir: RunDir | null = null;
  private readonly explained = new Set<string>();

  constructor(
    readonly plan: Plan,
    readonly memory: TraceeMemory,
    readonly log: EventLog,
    private readonly live: LiveSet,
  ) {
    this.translator = new PathTranslator(plan.paths, plan.root);
  }

  /** Refuses a create/remove in a locked folder with EACCES, explaining it once per folder. */
  refuseInLockedFolder(t: Tracee, syscall: string, guest: string, hostParent: string): boolean {
    if (!this.explained.has(hostParent)) {
      this.explained.add(hostParent);
      this.log.logger.warn({ folder: guest.slice(0, guest.lastIndexOf('/')) || '/', narrower: this.lockedFolders.get(hostParent) },
        'cannot create or remove entries directly in this folder: it holds a path the policy restricts, and Landlock can only grant rights (docs/SECURITY.md)');
    }
    this.log.decision(t.pid, syscall, [guest], 'denied', 'landlock: folder holds a narrower rule');
    return this.skip(t, -ERRNO.EACCES); // what the kernel itself would answer
  }

  /** Syscalls that stop only when an argument is non-zero (e.g. sendto with an address). */
  readonly trapOnlyIfSet = new Map<number, number>();

  /** Adds a handler for a syscall; handlers added earlier get the first word. */
  on(nr: number, handler: SeccompHandler): void {
    const previous = this.handlers[nr];
    this.handlers[nr] = previous ? (sv, t) => previous(sv, t) || handler(sv, t) : handler;
  }

  /** The syscalls that must reach the supervisor (SECCOMP_RET_TRACE in the filter). */
  trappedSyscalls(): Set<number> {
    const set = new Set<number>(this.observer?.extraTraps() ?? []);
    this.handlers.forEach((h, nr) => h && set.add(nr));
    return set;
  }

  // ---- answers to a seccomp stop; each handler calls exactly one of these ----

  /** Let the syscall run as the program made it. */
  allow(t: Tracee): boolean {
    const nr = this.regs.syscallNr;
    if (this.observer?.wantsResult(nr)) return this.runThen(t, () => {});
    cont(t.pid);
    return true;
  }

  /** Skip the syscall; the program sees `result` (a negative errno for failures). */
  skip(t: Tracee, result: number): boolean {
    this.observer?.leave(this, t, this.regs.syscallNr, result, true);
    this.regs.syscallNr = -1;
    this.regs.result = result;
    this.regs.store(t.pid);
    cont(t.pid);
    return true;
  }

  /**
   * Run the syscall with some pointer arguments replaced by byte strings written just below the
   * red zone of the caller's stack. The originals come back at the exit stop.
   */
  runWith(t: Tracee, replacements: Array<[index: number, data: Uint8Array]>, onlyOnFailure = false): boolean {
    const args: Array<[number, number]> = [];
    let at = this.scratchAddress(0);
    for (const [index, data] of replacements) {
      at = Math.floor((at - data.length) / 16) * 16;
      if (!this.memory.write(t.pid, at, data)) return this.skip(t, -ERRNO.EFAULT); // no stack where it should be
      args.push([index, at]);
    }
    return this.runWithArgs(t, args, onlyOnFailure);
  }

  /**
   * Run the syscall with some arguments set to new raw values (e.g. pointers to data placed at
   * `scratchAddress`). The program must see its own registers after the call, so the originals
   * come back at the exit stop (only on failure for exec: on success the registers are new).
   */
  runWithArgs(t: Tracee, args: Array<[index: number, value: number]>, onlyOnFailure: boolean): boolean {
    const saved: Array<[number, bigint]> = args.map(([i]) => [i, this.regs.argBig(i)]);
    for (const [i, v] of args) this.regs.setArg(i, v);
    this.regs.store(t.pid);
    t.pendingExit = { restoreArgs: saved, onlyOnFailure, nr: this.regs.syscallNr };
    contSyscall(t.pid);
    return true;
  }

  /**
   * Where `size` bytes of scratch data can go in the stopped caller: just below the red zone of
   * its stack, which is mapped (since Linux 6.5 writing elsewhere would not grow the stack).
   */
  scratchAddress(size: number): number {
    return Math.floor((this.regs.sp - arch.redZone - size) / 16) * 16;
  }

  /** Let the syscall run, and call `after` with its result at the exit stop. */
  runThen(t: Tracee, after: (result: number) => void): boolean {
    t.pendingExit = { restoreArgs: [], onlyOnFailure: false, nr: this.regs.syscallNr, after };
    contSyscall(t.pid);
    return true;
  }

  private onExitStop(t: Tracee): void {
    const pending = t.pendingExit;
    t.pendingExit = null;
    if (pending && this.regs.load(t.pid)) {
      pending.after?.(this.regs.result);
      this.observer?.leave(this, t, pending.nr, this.regs.result, false);
      if (pending.restoreArgs.length > 0 && !(pending.onlyOnFailure && this.regs.result >= 0)) {
        for (const [index, value] of pending.restoreArgs) this.regs.setArg(index, value);
        this.regs.store(t.pid);
      }
    }
    cont(t.pid);
  }

  private onSeccompStop(t: Tracee): void {
    this.stops++;
    if (this.sharedStops !== null) this.sharedStops[0] = this.stops;
    if (!this.regs.load(t.pid)) return; // killed meanwhile
    forgetLstat();
    const nr = this.regs.syscallNr;
    this.observer?.enter(this, t, nr);
    const handler = this.handlers[nr];
    if (!handler || !handler(this, t)) this.allow(t);
  }

  private track(pid: number, parent: number): Tracee {
    let t = this.tracees.get(pid);
    if (!t) {
      t = new Tracee(pid, parent);
      this.tracees.set(pid, t);
      this.live.add(pid);
    } else if (parent) {
      t.parent = parent;
    }
    return t;
  }

  /** Runs until every tracee is gone. The root's end decides the result; stragglers are killed. */
  run(rootPid: number): RunResult {
    const result: RunResult = { exitCode: null, signal: null, stops: 0 };
    this.track(rootPid, 0);
    cont(rootPid);
    let rootDone = false;
    while (this.tracees.size > 0) {
      const w = waitAny();
      if (w === null) break;
      const handling = this.timeStops ? process.hrtime.bigint() : 0n;
      // A child's first stop can arrive before its parent's fork event.
      const t = this.track(w.pid, 0);
      if (rootDone && w.kind !== 'exited' && w.kind !== 'killed') {
        // The command has ended, so everything it left ends too, including a task seen only now:
        // the kernel attaches a child at fork, and if its parent was killed before that fork
        // event was reported, this stop is the first tsbox hears of it. Resuming it would leave
        // a daemon running, and tsbox waiting for it.
        kill(w.pid, SIGKILL);
        continue;
      }
      switch (w.kind) {
        case 'exited':
        case 'killed':
          this.tracees.delete(w.pid);
          this.live.remove(w.pid);
          this.log.processExit(w.pid, w.kind === 'exited' ? w.exitCode : null, w.kind === 'killed' ? w.signal : null);
          this.observer?.processExit(w.pid, w.kind === 'exited' ? w.exitCode : null, w.kind === 'killed' ? w.signal : null);
          if (w.pid === rootPid) {
            rootDone = true;
            if (w.kind === 'exited') result.exitCode = w.exitCode;
            else result.signal = w.signal;
            // Like a container's init: when the command ends, whatever it left running ends too.
            for (const pid of this.tracees.keys()) kill(pid, SIGKILL);
          }
          break;
        case 'seccomp':
          this.onSeccompStop(t);
          break;
        case 'syscall':
          this.onExitStop(t);
          break;
        case 'event':
          if (w.event === EVENT_FORK || w.event === EVENT_VFORK || w.event === EVENT_CLONE) {
            const child = getEventMsg(w.pid);
            if (w.event === EVENT_CLONE) this.threadsStarted = true; // (or a clone() sharing less)
            const tracked = this.track(child, w.pid);
            tracked.exe = t.exe;
            tracked.viaLoader = t.viaLoader;
            this.log.processStart(child, w.pid);
            this.observer?.processStart(child, w.pid, w.event === EVENT_CLONE);
            if (rootDone) kill(child, SIGKILL);
          } else if (w.event === EVENT_EXEC) {
            // A non-leader thread that execs takes over the leader's pid; its old tid is gone.
            // Without a thread ever started there is none: no need to ask the kernel.
            const formerTid = this.threadsStarted ? getEventMsg(w.pid) : w.pid;
            const execer = this.tracees.get(formerTid) ?? t;
            t.exe = execer.pendingExe;
            t.viaLoader = execer.pendingViaLoader;
            execer.pendingExe = null;
            execer.pendingViaLoader = false;
            if (formerTid !== w.pid && this.tracees.delete(formerTid)) this.live.remove(formerTid);
            t.pendingExit = null; // resuming with PTRACE_CONT skips the exit stop
            this.log.exec(w.pid);
            this.observer?.exec(this, t);
          }
          cont(w.pid);
          break;
        case 'new-task':
          t.attached = true;
          cont(w.pid);
          break;
        case 'group-stop':
          listen(w.pid); // stay stopped (job control) without blocking the loop
          break;
        case 'signal':
          cont(w.pid, w.signal);
          break;
      }
      if (this.timeStops) this.busyNs += process.hrtime.bigint() - handling;
    }
    result.stops = this.stops;
    return result;
  }
}
