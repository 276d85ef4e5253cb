// Starting the sandboxed command (ARCHITECTURE.md, "The launch"):
//   posix_spawn a stub `/bin/sh -c 'kill -STOP $$; cd -- "$1" && shift && exec "$@"'` (never a Node child:
//   libuv would reap its ptrace stops), seize it while stopped, wake it, and at its next syscall
//   entry inject no_new_privs, the resource limits, landlock_restrict_self (with the ruleset the
//   supervisor built, whose fd the stub inherits) and the seccomp filter. The `cd` and `exec`
//   then already run under the filter, so the guest cwd and the command are translated like any
//   other path the program names.
import { constants } from 'node:os';
import {
  allocNative, fcntl3, kill, lastErrno, posixSpawn, prlimit, sigEmptySet, sigFillSet, spawnAttrDestroy, spawnAttrInit,
  spawnAttrSetFlags, spawnAttrSetSigDefault, spawnAttrSetSigMask, spawnFileActionsAddDup2, spawnFileActionsDestroy,
  spawnFileActionsInit, waitpid,
} from './ffi.js';
import { contSyscall, listen, seize, syscallStopKind, SYSCALL_INFO_ENTRY } from './ptrace.js';
import { describeStop, waitForStop } from './wait.js';
import { Injector } from './inject.js';
import type { Limits } from '../policy/plan.js';
import type { TraceeMemory } from './memory.js';

// $0 names the shell in its messages ("tsbox: 1: exec: foo: not found"); $1 is the guest cwd.
const STUB = 'kill -STOP $$; cd -- "$1" && shift && exec "$@"';
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const F_GETFL = 3, F_SETFL = 4, O_NONBLOCK = 0o4000;
const PR_SET_NO_NEW_PRIVS = 38;
const SECCOMP_SET_MODE_FILTER = 1;
const PROT_READ_WRITE = 3, MAP_PRIVATE_ANONYMOUS = 0x22;
const RLIMIT = { cpu: 0, nproc: 6, nofile: 7, as: 9 } as const;

export class LaunchError extends Error {}

export interface LaunchSpec {
  command: string[];
  env: string[];
  guestCwd: string;
  filter: Uint8Array; // encoded struct sock_filter[]
  limits: Limits;
  memory: TraceeMemory;
  /** Extra fds the stub inherits (the Landlock ruleset), under the same numbers. */
  inheritFds?: number[];
  /** Extra setup injected after no_new_privs and before seccomp (Landlock). */
  beforeSeccomp?: (injector: Injector, scratch: ScratchArea) => void;
}

/** A private mapping in the stub, used to pass structures to injected syscalls. */
export interface ScratchArea {
  address: number;
  size: number;
  write(offset: number, data: Uint8Array): number; // returns the tracee address
}

function spawnStub(spec: LaunchSpec): number {
  // Node marks 0-2 close-on-exec and may leave them O_NONBLOCK: dup2 each onto itself in the
  // child (clears FD_CLOEXEC there) and clear O_NONBLOCK, or the command sees EAGAIN.
  for (const fd of [0, 1, 2]) {
    const flags = fcntl3(fd, F_GETFL, 0);
    if (flags >= 0 && flags & O_NONBLOCK) fcntl3(fd, F_SETFL, flags & ~O_NONBLOCK);
  }
  const actions = allocNative(256), attr = allocNative(512), sigset = allocNative(128), pid = allocNative(4);
  spawnFileActionsInit(actions.ptr);
  for (const fd of [0, 1, 2, ...(spec.inheritFds ?? [])]) spawnFileActionsAddDup2(actions.ptr, fd, fd);
  spawnAttrInit(attr.ptr);
  // Node ignores SIGPIPE and blocks some signals: give the command the defaults.
  spawnAttrSetFlags(attr.ptr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  sigFillSet(sigset.ptr);
  spawnAttrSetSigDefault(attr.ptr, sigset.ptr);
  sigEmptySet(sigset.ptr);
  spawnAttrSetSigMask(attr.ptr, sigset.ptr);
  const argv = ['/bin/sh', '-c', STUB, 'tsbox', spec.guestCwd, ...spec.command, null];
  const rc = posixSpawn(pid.ptr, '/bin/sh', actions.ptr, attr.ptr, argv, [...spec.env, null]);
  spawnFileActionsDestroy(actions.ptr);
  spawnAttrDestroy(attr.ptr);
  if (rc !== 0) throw new LaunchError(`cannot start /bin/sh: posix_spawn error ${rc}`);
  return pid.view.getInt32(0, true);
}

/** Seize the stopped stub and bring it to a syscall-entry stop, the point where injection is safe. */
function attachStopped(pid: number): void {
  const WUNTRACED = 2;
  const st = allocNative(4);
  // Before we seize it, the stub is our plain child: wait until it has stopped itself.
  for (;;) {
    const r = waitpid(pid, st.ptr, WUNTRACED);
    if (r === pid) break;
    if (lastErrno() !== 4) throw new LaunchError(`waiting for the stub failed: errno ${lastErrno()}`);
  }
  const s = st.view.getInt32(0, true);
  if ((s & 0xff) !== 0x7f) throw new LaunchError(`the stub exited before it could be supervised (status ${s})`);
  seize(pid);
  let sentCont = false;
  for (;;) {
    const stop = waitForStop(pid);
    switch (stop.kind) {
      case 'group-stop':
        // Leave the group-stop without resuming, then wake it with SIGCONT.
        listen(pid);
        if (!sentCont) {
          kill(pid, constants.signals.SIGCONT);
          sentCont = true;
        }
        break;
      case 'signal':
        contSyscall(pid, stop.signal); // re-inject (SIGCONT)
        break;
      case 'syscall':
        if (syscallStopKind(pid) === SYSCALL_INFO_ENTRY) return;
        contSyscall(pid);
        break;
      case 'exited':
      case 'killed':
        throw new LaunchError(`the stub died during launch (${describeStop(stop)})`);
      default:
        contSyscall(pid);
    }
  }
}

function applyLimits(pid: number, limits: Limits): void {
  const rl = allocNative(16);
  const set = (resource: number, value: number | undefined, name: string) => {
    if (value === undefined) return;
    rl.view.setBigUint64(0, BigInt(value), true);
    rl.view.setBigUint64(8, BigInt(value), true);
    if (prlimit(pid, resource, rl.ptr, null) !== 0) throw new LaunchError(`cannot set limit ${name}: errno ${lastErrno()}`);
  };
  set(RLIMIT.as, limits.memoryBytes, 'memory');
  set(RLIMIT.nproc, limits.processes, 'processes');
  set(RLIMIT.nofile, limits.openFiles, 'open_files');
  set(RLIMIT.cpu, limits.cpuSeconds, 'cpu');
}

/** Launches the command; returns the pid, stopped at the re-executed syscall, ready to resume. */
export function launch(spec: LaunchSpec): number {
  const pid = spawnStub(spec);
  try {
    attachStopped(pid);
    applyLimits(pid, spec.limits);
    const inj = new Injector(pid);
    const must = (what: string, r: number) => {
      if (r < 0) throw new LaunchError(`${what} failed in the sandbox: errno ${-r}`);
      return r;
    };
    must('prctl(PR_SET_NO_NEW_PRIVS)', inj.call('prctl', PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
    const size = Math.ceil((spec.filter.length + 64 * 1024) / 4096) * 4096;
    const base = must('mmap', inj.call('mmap', 0, size, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1n, 0));
    const scratch: ScratchArea = {
      address: base,
      size,
      write(offset, data) {
        if (!spec.memory.write(pid, base + offset, data)) throw new LaunchError('cannot write into the sandbox stub');
        return base + offset;
      },
    };
    spec.beforeSeccomp?.(inj, scratch);
    const filterAt = scratch.write(64, spec.filter);
    const fprog = new Uint8Array(16);
    const fv = new DataView(fprog.buffer);
    fv.setUint16(0, spec.filter.length / 8, true);
    fv.setBigUint64(8, BigInt(filterAt), true);
    const fprogAt = scratch.write(0, fprog);
    must('seccomp(SET_MODE_FILTER)', inj.call('seccomp', SECCOMP_SET_MODE_FILTER, 0, fprogAt));
    inj.call('munmap', base, size);
    inj.restore();
    return pid;
  } catch (e) {
    kill(pid, constants.signals.SIGKILL);
    throw e;
  }
}
