// waitpid and the decoding of its status word into the kinds of stop the supervisor handles.
// Status words: stopped when (s & 0xff) == 0x7f, signal (s >> 8) & 0xff, ptrace event s >>> 16.
import { constants } from 'node:os';
import { allocNative, waitpid, lastErrno } from './ffi.js';
import { EVENT_SECCOMP, EVENT_STOP } from './ptrace.js';

const __WALL = 0x40000000;
const __WNOTHREAD = 0x20000000;
const EINTR = 4;
const ECHILD = 10;
const SIGTRAP = constants.signals.SIGTRAP;
const STOP_SIGNALS = new Set([
  constants.signals.SIGSTOP, constants.signals.SIGTSTP, constants.signals.SIGTTIN, constants.signals.SIGTTOU,
]);

export type StopKind =
  | 'exited' // exitCode
  | 'killed' // signal
  | 'seccomp' // SECCOMP_RET_TRACE stop
  | 'syscall' // syscall entry/exit stop (PTRACE_SYSCALL)
  | 'event' // fork/vfork/clone/exec: event
  | 'group-stop' // job-control stop: signal
  | 'new-task' // PTRACE_EVENT_STOP with SIGTRAP: first stop of an auto-attached child, or an interrupt
  | 'signal'; // signal-delivery stop: signal

export interface WaitResult {
  pid: number;
  kind: StopKind;
  exitCode: number;
  signal: number;
  event: number;
}

/** One line for error messages. */
export const describeStop = (w: WaitResult): string =>
  `pid ${w.pid} ${w.kind} code=${w.exitCode} sig=${w.signal} event=${w.event}`;

/**
 * Decodes a status word into `into` (the stop loop reuses one object: this runs on every stop,
 * and an allocation per stop shows up as garbage-collection time).
 */
export function decodeStatus(pid: number, s: number, into: WaitResult = newResult()): WaitResult {
  const result = into;
  result.pid = pid;
  result.exitCode = 0;
  result.signal = 0;
  result.event = 0;
  if ((s & 0x7f) === 0) {
    result.kind = 'exited';
    result.exitCode = (s >> 8) & 0xff;
  } else if ((s & 0xff) !== 0x7f) {
    result.kind = 'killed';
    result.signal = s & 0x7f;
  } else {
    const sig = (s >> 8) & 0xff;
    const event = s >>> 16;
    result.signal = sig;
    result.event = event;
    if (sig === (SIGTRAP | 0x80)) result.kind = 'syscall';
    else if (event === EVENT_SECCOMP) result.kind = 'seccomp';
    else if (event === EVENT_STOP) result.kind = STOP_SIGNALS.has(sig) ? 'group-stop' : 'new-task';
    else if (event !== 0) result.kind = 'event';
    else result.kind = 'signal';
  }
  return result;
}

const newResult = (): WaitResult => ({ pid: 0, kind: 'signal', exitCode: 0, signal: 0, event: 0 });

const status = allocNative(4);

const loopResult = newResult();

/**
 * Waits for any tracee of this thread; null when there is none left (ECHILD). The result is
 * overwritten by the next call.
 */
export function waitAny(): WaitResult | null {
  for (;;) {
    // __WNOTHREAD: only this thread's tracees, never children that other parts of Node started.
    const pid = waitpid(-1, status.ptr, __WALL | __WNOTHREAD);
    if (pid > 0) return decodeStatus(pid, status.view.getInt32(0, true), loopResult);
    const errno = lastErrno();
    if (errno === EINTR) continue;
    if (errno === ECHILD) return null;
    throw new Error(`waitpid failed: errno ${errno}`);
  }
}

/** Waits for one specific tracee (used during launch and injection, before the loop runs). */
export function waitForStop(pid: number): WaitResult {
  for (;;) {
    const got = waitpid(pid, status.ptr, __WALL);
    if (got === pid) return decodeStatus(pid, status.view.getInt32(0, true));
    if (lastErrno() !== EINTR) throw new Error(`waitpid(${pid}) failed: errno ${lastErrno()}`);
  }
}
