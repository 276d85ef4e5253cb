// `tsbox run --trace`: one strace-like line per trapped call, through pino. The call is decoded
// at its seccomp stop (before any handler rewrites a path) and written when its result is known:
// at the exit stop, when tsbox answered it itself, at the fork event (clone and friends return
// the child's pid there), at the exec event (a successful execve never returns), or with "?"
// when the task died first. Each line carries the text and the same facts as fields:
//   {"event":"trace","pid":12,"syscall":"openat","args":["AT_FDCWD","\"/etc/hosts\"","O_RDONLY|O_CLOEXEC"],
//    "paths":["/etc/hosts"],"result":3,"us":41,"msg":"openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY|O_CLOEXEC) = 3 <41 µs>"}
import type { Logger } from 'pino';
import { hostArch } from '../../arch/index.js';
import type { Intent } from '../handlers/path-table.js';
import type { RunObserver } from '../observers.js';
import type { Supervisor } from '../supervisor.js';
import type { Tracee } from '../tracee.js';
import { classOf, syscallsOf, TRACE_CLASSES, type TraceClass } from './classes.js';
import { decodeCall, errnoName, formatResult, signalName } from './decode.js';

const arch = hostArch();
const NEVER_RETURN = new Set(['exit', 'exit_group']);
const FORKS = new Set(['clone', 'clone3', 'fork', 'vfork']);

interface OpenCall {
  nr: number;
  name: string;
  args: string[];
  paths: string[];
  started: bigint;
  /** What tsbox did with it: denied, remapped (from EventLog.decision), emulated. */
  action?: string;
  detail?: string;
}

export class Tracer implements RunObserver {
  private readonly traced: boolean[] = [];
  private readonly open = new Map<number, OpenCall>();
  private readonly log: Logger;
  private readonly processEvents: boolean;

  /** `classes`: 'all' traces every trapped call, a list only the calls of those classes. */
  constructor(logger: Logger, private readonly classes: TraceClass[] | 'all') {
    // Trace lines are asked for explicitly: write them even when the log level is above info.
    this.log = logger.isLevelEnabled('info') ? logger : logger.child({}, { level: 'info' });
    const list = classes === 'all' ? [...TRACE_CLASSES] : classes;
    for (const nr of syscallsOf(list)) this.traced[nr] = true;
    this.processEvents = list.includes('process');
  }

  private tracing(nr: number): boolean {
    return this.classes === 'all' || this.traced[nr] === true;
  }

  extraTraps(): number[] {
    return syscallsOf(this.classes === 'all' ? [...TRACE_CLASSES] : this.classes);
  }

  wantsResult(nr: number): boolean {
    if (!this.tracing(nr)) return false;
    const name = arch.syscallName(nr);
    // The result of a fork comes at the fork event; an exit has none.
    return !FORKS.has(name) && !NEVER_RETURN.has(name);
  }

  enter(sv: Supervisor, t: Tracee, nr: number): void {
    if (!this.tracing(nr)) return;
    const stale = this.open.get(t.pid);
    if (stale) this.write(t.pid, stale, null);
    const name = arch.syscallName(nr);
    const call = decodeCall(sv, t, name);
    const open: OpenCall = { nr, name, args: call.args, paths: [], started: process.hrtime.bigint() };
    if (NEVER_RETURN.has(name)) this.write(t.pid, open, null);
    else this.open.set(t.pid, open);
  }

  leave(_sv: Supervisor, t: Tracee, nr: number, result: number, skipped: boolean): void {
    const call = this.open.get(t.pid);
    if (!call || call.nr !== nr) return;
    if (skipped && call.action === undefined) call.action = 'emulated';
    this.write(t.pid, call, result);
  }

  path(t: Tracee, _nr: number, guest: string, _intent: Intent, _errno: number): void {
    this.open.get(t.pid)?.paths.push(guest);
  }

  decision(pid: number, _syscall: string, _args: unknown[], action: string, detail?: string): void {
    const call = this.open.get(pid);
    if (!call) return;
    call.action = action;
    if (detail !== undefined) call.detail = detail;
  }

  processStart(pid: number, parent: number, thread: boolean): void {
    const call = this.open.get(parent);
    if (call && FORKS.has(call.name)) this.write(parent, call, pid);
    if (this.processEvents) this.log.info({ event: 'trace', pid, parent, thread }, `+++ ${thread ? 'thread' : 'process'} ${pid} started by ${parent} +++`);
  }

  exec(_sv: Supervisor, t: Tracee): void {
    const call = this.open.get(t.pid);
    if (call && (call.name === 'execve' || call.name === 'execveat')) this.write(t.pid, call, 0);
  }

  processExit(pid: number, exitCode: number | null, signal: number | null): void {
    const call = this.open.get(pid);
    if (call) this.write(pid, call, null);
    if (!this.processEvents) return;
    const how = exitCode !== null ? `exited with ${exitCode}` : `killed by ${signalName(signal ?? 0)}`;
    this.log.info({ event: 'trace', pid, exitCode, signal: signal === null ? null : signalName(signal) }, `+++ ${pid} ${how} +++`);
  }

  private write(pid: number, call: OpenCall, result: number | null): void {
    this.open.delete(pid);
    const us = Math.round(Number(process.hrtime.bigint() - call.started) / 1000);
    const note = call.action ? ` [tsbox: ${call.action}${call.detail ? ` ${call.detail}` : ''}]` : '';
    const text = `${call.name}(${call.args.join(', ')}) = ${formatResult(result)}${note} <${us} µs>`;
    const fields: Record<string, unknown> = { event: 'trace', pid, syscall: call.name, args: call.args };
    if (call.paths.length > 0) fields.paths = call.paths;
    fields.result = result;
    if (result !== null && result < 0 && result >= -4095) fields.errno = errnoName(-result);
    if (call.action) fields.action = call.action;
    if (call.detail) fields.detail = call.detail;
    fields.us = us;
    fields.class = classOf(call.name);
    this.log.info(fields, `[pid ${pid}] ${text}`);
  }
}
