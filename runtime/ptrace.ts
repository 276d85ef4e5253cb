// Typed wrappers over ptrace(2) for the requests the supervisor uses. Must be called from the
// thread that attached (the supervisor Worker): the kernel ties a tracee to the tracer thread.
import { hostArch } from '../arch/index.js';
import { ptrace, lastErrno, allocNative, type NativeMemory } from './ffi.js';

export const PTRACE_CONT = 7;
export const PTRACE_KILL = 8;
export const PTRACE_SYSCALL = 24;
export const PTRACE_SETOPTIONS = 0x4200;
export const PTRACE_GETEVENTMSG = 0x4201;
export const PTRACE_SEIZE = 0x4206;
export const PTRACE_INTERRUPT = 0x4207;
export const PTRACE_LISTEN = 0x4208;
export const PTRACE_GET_SYSCALL_INFO = 0x420e;

export const OPT_TRACESYSGOOD = 0x1;
export const OPT_TRACEFORK = 0x2;
export const OPT_TRACEVFORK = 0x4;
export const OPT_TRACECLONE = 0x8;
export const OPT_TRACEEXEC = 0x10;
export const OPT_TRACESECCOMP = 0x80;
export const OPT_EXITKILL = 0x100000;

export const EVENT_FORK = 1;
export const EVENT_VFORK = 2;
export const EVENT_CLONE = 3;
export const EVENT_EXEC = 4;
export const EVENT_SECCOMP = 7;
export const EVENT_STOP = 128;

export const SYSCALL_INFO_ENTRY = 1;
export const SYSCALL_INFO_EXIT = 2;
export const SYSCALL_INFO_SECCOMP = 3;

const arch = hostArch();

export class PtraceError extends Error {
  constructor(readonly request: string, readonly pid: number, readonly errno: number) {
    super(`ptrace(${request}, ${pid}) failed: errno ${errno}`);
  }
}

function check(result: number, request: string, pid: number): void {
  if (result === -1) throw new PtraceError(request, pid, lastErrno());
}

export const TRACE_OPTIONS =
  OPT_TRACESYSGOOD | OPT_TRACESECCOMP | OPT_TRACEFORK | OPT_TRACEVFORK | OPT_TRACECLONE | OPT_TRACEEXEC | OPT_EXITKILL;

export function seize(pid: number): void {
  check(ptrace(PTRACE_SEIZE, pid, 0, TRACE_OPTIONS), 'SEIZE', pid);
}

/** Resume; returns false if the tracee is gone (ESRCH: killed meanwhile), which is not an error. */
export function cont(pid: number, signal = 0): boolean {
  return ptrace(PTRACE_CONT, pid, 0, signal) !== -1;
}

/** Resume until the next syscall entry or exit stop. */
export function contSyscall(pid: number, signal = 0): boolean {
  return ptrace(PTRACE_SYSCALL, pid, 0, signal) !== -1;
}

/** Leave a group-stop without resuming (job control stays correct). */
export function listen(pid: number): boolean {
  return ptrace(PTRACE_LISTEN, pid, 0, 0) !== -1;
}

export function interrupt(pid: number): boolean {
  return ptrace(PTRACE_INTERRUPT, pid, 0, 0) !== -1;
}

const eventMsg = allocNative(8);
export function getEventMsg(pid: number): number {
  check(ptrace(PTRACE_GETEVENTMSG, pid, 0, eventMsg.address), 'GETEVENTMSG', pid);
  return Number(eventMsg.view.getBigUint64(0, true));
}

export function getRegs(pid: number, into: NativeMemory): boolean {
  return ptrace(arch.getRegsRequest, pid, 0, into.addr) !== -1;
}

export function setRegs(pid: number, from: NativeMemory): boolean {
  return ptrace(arch.setRegsRequest, pid, 0, from.addr) !== -1;
}

// struct ptrace_syscall_info: op (u8) at 0; entry/exit/seccomp union at 24 (nr at 24 for entry
// and seccomp, rval at 24 for exit).
const syscallInfo = allocNative(88);
/** Which kind of syscall stop this is: SYSCALL_INFO_ENTRY, _EXIT or _SECCOMP (0 if none). */
export function syscallStopKind(pid: number): number {
  check(ptrace(PTRACE_GET_SYSCALL_INFO, pid, syscallInfo.size, syscallInfo.address), 'GET_SYSCALL_INFO', pid);
  return syscallInfo.view.getUint8(0);
}
