// What `--report` and `tsbox learn` see of a run, gathered in the supervisor Worker by observing
// every trapped stop: the process tree (argv read from /proc at each exec), every path named with
// what was done to it and whether it worked, socket families and addresses, every denial and
// remap, and syscall counts. Posted to the main thread as plain data (`Collected`) when the run
// ends, however it ends.
import { readFileSync } from 'node:fs';
import { hostArch } from '../../arch/index.js';
import type { Intent } from '../handlers/path-table.js';
import { lookupHost, readHostLink } from '../host-fs.js';
import type { RunObserver } from '../observers.js';
import type { Supervisor } from '../supervisor.js';
import type { Tracee } from '../tracee.js';
import { PATH_SYSCALLS } from '../handlers/path-table.js';
import { errnoName, readSockaddr, signalName, socketFamily, socketType } from '../trace/decode.js';
import type { AddressEntry, ReportProcess, SocketEntry } from './schema.js';
import { guestCmdline } from '../handlers/proc-cmdline.js';

const arch = hostArch();
const sys = arch.syscalls;

/** Processes are collected in the report's own shape (report/schema.ts). */
export type CollectedProcess = ReportProcess;

export interface CollectedPath {
  path: string;
  read: number;
  written: number;
  created: number;
  deleted: number;
  executed: number;
  /** access(W_OK) checks that succeeded: nothing written, but the program means to write there. */
  writeChecks: number;
  /** Calls that failed (not counting denials), by errno name. */
  failed: Record<string, number>;
  /** How many of the failed calls meant to write, create or delete (mkdir of an existing folder…). */
  failedWrites: number;
  denied: number;
}

/** Sockets and addresses are collected in the report's own shapes (report/schema.ts). */
export type CollectedSocket = SocketEntry;
export type CollectedAddress = AddressEntry;

export interface CollectedDecision {
  action: string;
  syscall: string;
  args: unknown[];
  detail: string | null;
  count: number;
  /** The first few processes it happened in. */
  pids: number[];
}

export interface Collected {
  rootPid: number;
  processes: CollectedProcess[];
  paths: CollectedPath[];
  sockets: CollectedSocket[];
  addresses: CollectedAddress[];
  decisions: CollectedDecision[];
  /** Trapped calls by name (only syscalls in `trapped` can appear). */
  syscalls: Record<string, number>;
  trapped: string[];
  /** Syscall-exit stops (the second stop of a call whose result was wanted or whose args were rewritten). */
  exitStops: number;
}

interface PathUse {
  stat: CollectedPath;
  intent: Intent;
  denied: boolean;
  /** For open(O_CREAT): the file was there before. */
  existed: boolean;
  /** access(W_OK): a check, not a write. */
  check: boolean;
}

/** One call between its seccomp stop and its result. */
interface Pending {
  nr: number;
  paths: PathUse[];
  socket?: { family: string; type: string };
  address?: CollectedAddress;
}

const OPENS = new Set(['open', 'openat', 'openat2', 'creat'].map((n) => sys[n]));
const EXECS = new Set([sys.execve, sys.execveat]);
const ACCESS_CHECKS = new Set(['access', 'faccessat', 'faccessat2'].map((n) => sys[n]));
// Calls whose success or failure decides what the report says (a write that failed wrote nothing).
// Emulated queries (stat, access, readlink…) are answered by tsbox and reported without an extra stop.
const RESULT_WANTED = new Set<number>([
  ...Object.entries(PATH_SYSCALLS).filter(([, s]) => !s.emulate).map(([n]) => sys[n]!),
  sys.socket!, sys.connect!, sys.bind!, sys.sendto!,
].filter((n) => n !== undefined));
const MAX_PIDS = 8;

const bump = (counts: Record<string, number>, key: string) => { counts[key] = (counts[key] ?? 0) + 1; };

/** argv from /proc/<pid>/cmdline; under a guest root the loader form `ld.so --argv0 A0 prog args` is undone. */
function readCmdline(pid: number, viaLoader: boolean): string[] | null {
  let raw: Buffer;
  try {
    raw = readFileSync(`/proc/${pid}/cmdline`);
  } catch {
    return null;
  }
  const argv = ((viaLoader ? guestCmdline(raw) : null) ?? raw).toString('latin1').split('\0');
  if (argv.length > 0 && argv[argv.length - 1] === '') argv.pop();
  return argv;
}

export class Collector implements RunObserver {
  private readonly started = performance.now();
  private readonly procs = new Map<number, CollectedProcess>();
  /** Thread id → the process (thread group) it belongs to. */
  private readonly group = new Map<number, number>();
  private readonly paths = new Map<string, CollectedPath>();
  private readonly sockets = new Map<string, CollectedSocket>();
  private readonly addresses = new Map<string, CollectedAddress>();
  private readonly decisions = new Map<string, CollectedDecision>();
  private readonly counts: number[] = [];
  private readonly pending = new Map<number, Pending>();
  private exitStops = 0;
  private rootPid = 0;
  private sv: Supervisor | null = null;

  /** `extra`: more syscalls to trap just to count them (learn: the dangerous ones, to know if they were used). */
  constructor(private readonly extra: number[] = []) {}

  /** The command's first process, once launched (its argv is the launch stub's until it execs). */
  root(pid: number): void {
    this.rootPid = pid;
    this.process(pid, 0).argv = readCmdline(pid, false) ?? [];
  }

  private now(): number {
    return Math.round((performance.now() - this.started) * 1000) / 1000;
  }

  private process(pid: number, parent: number): CollectedProcess {
    let p = this.procs.get(pid);
    if (!p) {
      p = { pid, parent, argv: [], exe: null, startMs: this.now(), endMs: null, exitCode: null, signal: null, threads: 0, execs: 0 };
      this.procs.set(pid, p);
    }
    return p;
  }

  private pathStat(path: string): CollectedPath {
    let s = this.paths.get(path);
    if (!s) {
      s = { path, read: 0, written: 0, created: 0, deleted: 0, executed: 0, writeChecks: 0, failed: {}, failedWrites: 0, denied: 0 };
      this.paths.set(path, s);
    }
    return s;
  }

  extraTraps(): number[] {
    return [sys.socket!, sys.connect!, sys.bind!, sys.execve!, sys.execveat!, ...this.extra];
  }

  wantsResult(nr: number): boolean {
    return RESULT_WANTED.has(nr);
  }

  enter(sv: Supervisor, t: Tracee, nr: number): void {
    this.sv = sv;
    this.counts[nr] = (this.counts[nr] ?? 0) + 1;
    const stale = this.pending.get(t.pid);
    if (stale) this.finish(stale, null);
    const p: Pending = { nr, paths: [] };
    const regs = sv.regs;
    if (nr === sys.socket) {
      p.socket = { family: socketFamily(regs.argInt(0)), type: socketType(regs.argInt(1) & 0xf) };
    } else if (nr === sys.connect || nr === sys.bind || nr === sys.sendto) {
      // sendto stops only when it names a destination (the unix-socket handler's filter condition).
      const [addrArg, lenArg] = nr === sys.sendto ? [4, 5] : [1, 2];
      const a = readSockaddr(sv, t, regs.arg(addrArg), regs.argInt(lenArg));
      if (a) {
        const syscall = nr === sys.connect ? 'connect' : nr === sys.bind ? 'bind' : 'sendto';
        let path = a.path;
        // A relative unix socket path names a file relative to the cwd: report it absolute.
        if (path !== undefined && path !== '' && !path.startsWith('/') && !path.startsWith('@')) {
          const cwd = readHostLink(`/proc/${t.pid}/cwd`);
          const guestCwd = cwd === null ? null : sv.translator.toGuest(cwd);
          if (guestCwd) path = guestCwd === '/' ? `/${path}` : `${guestCwd}/${path}`;
        }
        const key = `${syscall}\0${a.family}\0${a.address ?? ''}\0${a.port ?? ''}\0${path ?? ''}`;
        let addr = this.addresses.get(key);
        if (!addr) {
          addr = { syscall, family: a.family, count: 0, failed: {} };
          if (a.address !== undefined) addr.address = a.address;
          if (a.port !== undefined) addr.port = a.port;
          if (path !== undefined) addr.path = path;
          this.addresses.set(key, addr);
        }
        p.address = addr;
      }
    }
    this.pending.set(t.pid, p);
  }

  path(t: Tracee, nr: number, guest: string, intent: Intent, errno: number): void {
    const stat = this.pathStat(guest);
    if (errno) stat.denied++;
    // open(O_CREAT) of a file that is already there writes it; only a new one is "created".
    let existed = true;
    if (intent === 'create' && OPENS.has(nr) && !errno && this.sv) existed = lookupHost(this.sv.translator.toHost(guest)) !== 'missing';
    const entry: PathUse = { stat, intent, denied: errno !== 0, existed, check: ACCESS_CHECKS.has(nr) };
    const p = this.pending.get(t.pid);
    if (p && p.nr === nr) p.paths.push(entry);
    else this.apply(entry, nr, null);
  }

  leave(_sv: Supervisor, t: Tracee, nr: number, result: number, skipped: boolean): void {
    if (!skipped) this.exitStops++;
    const p = this.pending.get(t.pid);
    if (!p || p.nr !== nr) return;
    this.finish(p, result);
    this.pending.delete(t.pid);
  }

  /** Applies a call's effects now that its result is known (null: never learned, taken as success). */
  private finish(p: Pending, result: number | null): void {
    const failed = result !== null && result < 0 && result >= -4095 ? errnoName(-result) : null;
    for (const entry of p.paths) this.apply(entry, p.nr, failed);
    if (p.socket) {
      const key = `${p.socket.family}\0${p.socket.type}`;
      let s = this.sockets.get(key);
      if (!s) this.sockets.set(key, (s = { family: p.socket.family, type: p.socket.type, count: 0, failed: {} }));
      s.count++;
      if (failed) bump(s.failed, failed);
    }
    if (p.address) {
      p.address.count++;
      if (failed) bump(p.address.failed, failed);
    }
  }

  private apply(entry: PathUse, nr: number, failed: string | null): void {
    const s = entry.stat;
    if (entry.denied) return; // counted in `denied` already
    if (failed) {
      bump(s.failed, failed);
      if (entry.intent !== 'read' && entry.intent !== 'exec' && !entry.check) s.failedWrites++;
      return;
    }
    if (entry.check) {
      if (entry.intent === 'write') s.writeChecks++;
      else s.read++;
      return;
    }
    switch (entry.intent) {
      case 'read': s.read++; break;
      case 'write': s.written++; break;
      case 'create':
        if (OPENS.has(nr)) {
          s.written++;
          if (!entry.existed) s.created++;
        } else s.created++;
        break;
      case 'delete': s.deleted++; break;
      case 'exec': s.executed++; break;
    }
  }

  decision(pid: number, syscall: string, args: unknown[], action: string, detail?: string): void {
    const key = `${action}\0${syscall}\0${JSON.stringify(args)}\0${detail ?? ''}`;
    let d = this.decisions.get(key);
    if (!d) this.decisions.set(key, (d = { action, syscall, args, detail: detail ?? null, count: 0, pids: [] }));
    d.count++;
    const proc = this.group.get(pid) ?? pid;
    if (d.pids.length < MAX_PIDS && !d.pids.includes(proc)) d.pids.push(proc);
  }

  processStart(pid: number, parent: number, thread: boolean): void {
    if (thread) {
      const owner = this.group.get(parent) ?? parent;
      this.group.set(pid, owner);
      this.process(owner, 0).threads++;
      return;
    }
    const owner = this.group.get(parent) ?? parent;
    const from = this.procs.get(owner);
    const known = this.procs.get(pid);
    // The child's first stops can come before its parent's fork event (even its exec): then it is
    // known already, with parent 0, and keeps what it has seen since.
    const p = known ?? this.process(pid, owner);
    p.parent = owner;
    if (from && p.execs === 0) {
      p.argv = [...from.argv];
      p.exe = from.exe;
    }
  }

  exec(_sv: Supervisor, t: Tracee): void {
    const p = this.process(t.pid, 0);
    p.execs++;
    const pending = this.pending.get(t.pid);
    let exe: string | null = null;
    if (pending && EXECS.has(pending.nr)) {
      exe = pending.paths.find((e) => e.intent === 'exec')?.stat.path ?? null;
      this.finish(pending, 0);
      this.pending.delete(t.pid);
    }
    // Under a guest root the exec handler runs the guest's loader and records the guest program.
    if (t.exe) {
      exe = t.exe;
      if (!pending?.paths.length) this.pathStat(t.exe).executed++;
    }
    if (exe === null && this.sv) {
      const host = readHostLink(`/proc/${t.pid}/exe`);
      exe = host === null ? null : this.sv.translator.toGuest(host);
    }
    p.exe = exe;
    p.argv = readCmdline(t.pid, t.viaLoader) ?? p.argv;
  }

  processExit(pid: number, exitCode: number | null, signal: number | null): void {
    const pending = this.pending.get(pid);
    if (pending) {
      this.finish(pending, null);
      this.pending.delete(pid);
    }
    const owner = this.group.get(pid);
    if (owner !== undefined && owner !== pid) {
      this.group.delete(pid);
      return; // a thread
    }
    const p = this.procs.get(pid);
    if (!p) return;
    p.endMs = this.now();
    p.exitCode = exitCode;
    p.signal = signal === null ? null : signalName(signal);
  }

  /** Everything gathered, as plain data for postMessage. */
  collected(trapped: Iterable<number>): Collected {
    for (const p of this.pending.values()) this.finish(p, null);
    this.pending.clear();
    const syscalls: Record<string, number> = {};
    this.counts.forEach((n, nr) => { if (n) syscalls[arch.syscallName(nr)] = n; });
    return {
      rootPid: this.rootPid,
      processes: [...this.procs.values()],
      paths: [...this.paths.values()],
      sockets: [...this.sockets.values()],
      addresses: [...this.addresses.values()],
      decisions: [...this.decisions.values()],
      syscalls,
      trapped: [...trapped].map((nr) => arch.syscallName(nr)).sort(),
      exitStops: this.exitStops,
    };
  }
}
