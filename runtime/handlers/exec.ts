// execve/execveat in guest terms. The kernel would load a guest program's dynamic loader
// (PT_INTERP) and a script's interpreter (#!) from the HOST's paths, and pass a script its host
// path as $0, so tsbox does what the kernel would, in guest terms: it reads the program's header,
// follows `#!` lines to a guest interpreter, and, under a guest root, runs the guest's own loader
// explicitly:
//     <host path of guest ld.so> --argv0 ARGV0 <guest program> ARGS...
// The loader then opens the program and its libraries by guest paths, which tsbox translates.
// A static program runs directly. argv[0] is kept; /proc/self/exe shows the guest program.
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { hostArch, ERRNO } from '../../arch/index.js';
import type { Resolved } from '../paths.js';
import { hostAccess, lookupHost, readHostFile, readHostHead } from '../host-fs.js';
import type { Supervisor } from '../supervisor.js';
import type { Tracee } from '../tracee.js';
import { AT_FDCWD, hostLink, resolveNamed } from './bases.js';
import { accessErrno } from './access.js';
import { AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW } from './path-table.js';

const arch = hostArch();
const PT_INTERP = 3;
const MAX_INTERPRETER_DEPTH = 4; // the kernel's limit on nested #! interpreters
const MAX_ARGS = 65536;
const X_OK = 1;
const HEAD_BYTES = 4096; // enough for "#!…" (the kernel reads 256) and an ELF's headers

/** An argv entry: a string tsbox adds, or a pointer already in the tracee. */
type Arg = string | { pointer: number };

/**
 * The argv a plan is made for: one tsbox built (a script's interpreter line), or the program's
 * own, read from the tracee only if the plan changes it (null: unreadable).
 */
type ArgvSource = Arg[] | (() => Arg[] | null);

interface ExecPlan {
  hostFile: string;
  /** 'own': the program's argv array stays as it is (only the file name changes, if any). */
  argv: Arg[] | 'own';
  guestExe: string;
  /** Whether any file on the way (script, interpreter, program) is not where the kernel would look. */
  mapped: boolean;
  /** Whether hostFile is the guest's loader, run explicitly (ld.so --argv0 …). */
  viaLoader: boolean;
}

const loaderErrno = new Map<string, number>();

/** The PT_INTERP of an ELF file of this architecture: a path, '' for a static program, or an errno. */
function elfInterpreter(host: string, head: Buffer): string | number {
  if (head.length < 64 || head[4] !== 2 /* ELFCLASS64 */ || head.readUInt16LE(18) !== arch.elfMachine) return ERRNO.ENOEXEC;
  const phoff = Number(head.readBigUInt64LE(32));
  const phentsize = head.readUInt16LE(54);
  const phnum = head.readUInt16LE(56);
  // The program headers and the interpreter's name sit in the first page of any ordinary ELF:
  // read from the file again only when they do not.
  const within = (at: number, len: number) => at + len <= head.length;
  const table = within(phoff, phentsize * phnum) ? head.subarray(phoff, phoff + phentsize * phnum) : readHostFile(host, phentsize * phnum, phoff);
  if (table === null || table.length < phentsize * phnum) return ERRNO.ENOEXEC;
  for (let i = 0; i < phnum; i++) {
    const ph = table.subarray(i * phentsize);
    if (ph.readUInt32LE(0) !== PT_INTERP) continue;
    const at = Number(ph.readBigUInt64LE(8));
    const size = Number(ph.readBigUInt64LE(32));
    const len = Math.min(size, 4096);
    const path = within(at, len) ? head.subarray(at, at + len) : readHostFile(host, len, at);
    if (path === null) return ERRNO.ENOEXEC;
    const nul = path.indexOf(0);
    return path.subarray(0, nul < 0 ? path.length : nul).toString('latin1');
  }
  return '';
}

/**
 * 0 when the guest's loader can run programs as tsbox runs them (it has --argv0), else the errno
 * the exec gets: the kernel's for a loader it could not open to run (missing, no permission, no
 * regular file), ENOEXEC with an error logged once for a loader without --argv0.
 */
function loaderProblem(sv: Supervisor, loaderHost: string, loaderGuest: string): number {
  const known = loaderErrno.get(loaderHost);
  if (known !== undefined) return known;
  let fd = -1;
  try {
    // Not blocking on a FIFO the guest may have put in the loader's place.
    fd = openSync(Buffer.from(loaderHost, 'latin1'), constants.O_RDONLY | constants.O_NONBLOCK);
    if (!fstatSync(fd).isFile()) return ERRNO.EACCES;
    const errno = readFileSync(fd).includes('--argv0') ? 0 : ERRNO.ENOEXEC;
    loaderErrno.set(loaderHost, errno); // a fact about this file for the rest of the run
    if (errno !== 0) {
      sv.log.logger.error({ loader: loaderGuest },
        `the guest's dynamic loader ${loaderGuest} has no --argv0 option (glibc older than 2.33): tsbox cannot run its programs`);
    }
    return errno;
  } catch (e) {
    return ERRNO[(e as NodeJS.ErrnoException).code ?? ''] ?? ERRNO.EACCES;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

function resolveGuest(sv: Supervisor, t: Tracee, raw: string, dirfd: number): Resolved | number {
  const r = resolveNamed(sv.translator, t.pid, raw, dirfd, true);
  return typeof r === 'number' ? r : accessErrno(r.rule?.access, 'exec') || r;
}

const explainedUnreadable = new Set<string>();

/**
 * A program its user may run but not read is refused (EACCES): the kernel would run it with its
 * memory closed to the tracer (non-dumpable: process_vm_readv and PEEKDATA both refused), so not
 * one of its path calls could be read, let alone translated.
 */
function unreadable(sv: Supervisor, target: Resolved): number {
  const denied = hostAccess(target.host, X_OK);
  if (denied !== 0) return denied;
  if (!explainedUnreadable.has(target.host)) {
    explainedUnreadable.add(target.host);
    sv.log.logger.warn({ program: target.guest },
      'cannot run a program this user may execute but not read: the kernel hides such a process\'s memory from tsbox (EACCES)');
  }
  return ERRNO.EACCES;
}

/** Works out what to run for `target`, following #! lines; an errno when the kernel would fail. */
function planExec(sv: Supervisor, t: Tracee, target: Resolved, argv: ArgvSource, asGiven: string, depth: number): ExecPlan | number {
  // Without a guest root the kernel execs the host file itself (by its own name or the host
  // path put in its place), so it checks the file's x bit and format itself: only a script, which
  // tsbox may run through its interpreter instead, needs looking at here.
  const direct = (): ExecPlan => ({
    hostFile: target.host, argv: typeof argv === 'function' ? 'own' : argv, guestExe: target.guest, mapped: target.mapped, viaLoader: false,
  });
  const head = readHostHead(target.host, HEAD_BYTES);
  if (head === 'irregular') return hostAccess(target.host, X_OK) || ERRNO.EACCES;
  if (head === null) return unreadable(sv, target);
  const script = head[0] === 0x23 && head[1] === 0x21;
  if (sv.plan.root === null && !script) return direct();
  const denied = hostAccess(target.host, X_OK);
  if (denied !== 0) return denied;
  if (script) {
    // "#!interpreter [one argument]", as the kernel parses it.
    if (depth >= MAX_INTERPRETER_DEPTH) return ERRNO.ELOOP;
    const end = head.indexOf(0x0a);
    const line = head.subarray(2, end < 0 ? head.length : end).toString('latin1').trim();
    const space = line.search(/[ \t]/);
    const interp = space < 0 ? line : line.slice(0, space);
    const extra = space < 0 ? '' : line.slice(space).trim();
    if (interp === '') return ERRNO.ENOEXEC;
    const resolved = resolveGuest(sv, t, interp, AT_FDCWD);
    if (typeof resolved === 'number') return resolved;
    const own = typeof argv === 'function' ? argv() : argv;
    if (own === null) return ERRNO.EFAULT;
    const next: Arg[] = [interp, ...(extra ? [extra] : []), asGiven, ...own.slice(1)];
    const plan = planExec(sv, t, resolved, next, interp, depth + 1);
    if (typeof plan !== 'number') plan.mapped ||= target.mapped;
    return plan;
  }
  if (head.length < 4 || head.readUInt32BE(0) !== 0x7f454c46) return ERRNO.ENOEXEC; // (an empty file too)
  const interp = elfInterpreter(target.host, head);
  if (typeof interp === 'number') return interp;
  // A static program: the kernel runs it directly.
  if (interp === '') return direct();
  const loader = resolveGuest(sv, t, interp, AT_FDCWD);
  if (typeof loader === 'number') return loader === ERRNO.ENOENT ? ERRNO.ENOENT : loader;
  const problem = loaderProblem(sv, loader.host, loader.guest);
  if (problem !== 0) return problem;
  const own = typeof argv === 'function' ? argv() : argv;
  if (own === null) return ERRNO.EFAULT;
  const argv0: Arg = own[0] ?? target.guest;
  return {
    hostFile: loader.host, argv: [loader.guest, '--argv0', argv0, target.guest, ...own.slice(1)], guestExe: target.guest, mapped: true, viaLoader: true,
  };
}

function readArgv(sv: Supervisor, t: Tracee, pointer: number): Arg[] | null {
  const out: Arg[] = [];
  if (pointer === 0) return out;
  // The pointer array is read a page at a time (never across a page boundary in one call: the
  // next page may be unmapped), not one pointer per call.
  for (let at = pointer; out.length < MAX_ARGS; ) {
    const len = Math.min(4096 - (at % 4096), 4096);
    const words = sv.memory.read(t.pid, at, len - (len % 8) || 8);
    if (words === null) return null;
    const view = new DataView(words.buffer, words.byteOffset, words.length);
    for (let i = 0; i + 8 <= words.length; i += 8) {
      const p = Number(view.getBigUint64(i, true));
      if (p === 0) return out;
      out.push({ pointer: p });
    }
    at += words.length;
  }
  return null;
}

/**
 * Lays out the new filename, strings and argv array in one blob below the caller's stack
 * (argv: null when the program's own array stays).
 */
function writePlan(sv: Supervisor, t: Tracee, plan: ExecPlan): { file: number; argv: number | null } | null {
  const argv = plan.argv === 'own' ? [] : plan.argv;
  const strings = [plan.hostFile, ...argv.filter((a): a is string => typeof a === 'string')];
  const encoded = strings.map((s) => Buffer.from(`${s}\0`, 'latin1'));
  const stringBytes = encoded.reduce((n, b) => n + b.length, 0);
  const arrayOffset = Math.ceil(stringBytes / 8) * 8;
  const size = arrayOffset + (plan.argv === 'own' ? 0 : (argv.length + 1) * 8);
  const base = sv.scratchAddress(size);
  const blob = Buffer.alloc(size);
  const where = new Map<string, number>();
  let off = 0;
  encoded.forEach((b, i) => {
    b.copy(blob, off);
    if (!where.has(strings[i])) where.set(strings[i], base + off);
    off += b.length;
  });
  argv.forEach((a, i) => {
    blob.writeBigUInt64LE(BigInt(typeof a === 'string' ? where.get(a)! : a.pointer), arrayOffset + i * 8);
  });
  if (!sv.memory.write(t.pid, base, blob)) return null;
  return { file: where.get(plan.hostFile)!, argv: plan.argv === 'own' ? null : base + arrayOffset };
}

function handleExec(sv: Supervisor, t: Tracee, at: boolean): boolean {
  const regs = sv.regs;
  const [dirfdArg, pathArg, argvArg, flagsArg] = at ? [0, 1, 2, 4] : [-1, 0, 1, -1];
  // What an earlier exec that failed left here must not outlive it.
  t.pendingExe = null;
  t.pendingViaLoader = false;
  const raw = sv.memory.readPath(t.pid, regs.arg(pathArg));
  if (typeof raw === 'number') return sv.skip(t, -raw);
  const flags = flagsArg >= 0 ? regs.argInt(flagsArg) : 0;
  const dirfd = dirfdArg >= 0 ? regs.argInt(dirfdArg) : AT_FDCWD;
  let target: Resolved | number;
  if (raw === '' && flags & AT_EMPTY_PATH) {
    // fexecve: the program is the fd itself. One the guest can name by a path is planned by
    // that path; one it cannot (a memfd, a deleted file) is read and run through its /proc link,
    // which a guest loader can open too (as long as the fd survives the exec: not O_CLOEXEC).
    const link = `/proc/${t.pid}/fd/${dirfd}`;
    const host = hostLink(link);
    const named = host !== null && host.startsWith('/') && !host.endsWith(' (deleted)') ? sv.translator.toGuest(host) : null;
    if (host === null) target = ERRNO.EBADF;
    else if (named !== null) target = resolveGuest(sv, t, named, AT_FDCWD);
    else target = { guest: link, host: link, rule: null, mapped: false, magic: true };
  } else {
    target = resolveGuest(sv, t, raw, dirfd);
    if (flags & AT_SYMLINK_NOFOLLOW) {
      const last = resolveNamed(sv.translator, t.pid, raw, dirfd, false);
      if (typeof last !== 'number' && lookupHost(last.host) === 'symlink') return sv.skip(t, -ERRNO.ELOOP);
    }
  }
  // /proc/self/exe names the loader on the host; re-running it means re-running the guest program.
  if (typeof target !== 'number' && target.magic && /^\/proc\/\d+\/exe$/.test(target.host)) {
    const owner = sv.tracees.get(Number(target.host.split('/')[2]));
    if (owner?.exe) target = resolveGuest(sv, t, owner.exe, AT_FDCWD);
  }
  if (typeof target === 'number') return sv.skip(t, -target);
  const argvPointer = regs.arg(argvArg);
  // The name a script's interpreter is given for it: the kernel's /dev/fd/N for fexecve.
  const asGiven = raw === '' && flags & AT_EMPTY_PATH ? `/dev/fd/${dirfd}` : raw;
  const plan = planExec(sv, t, target, () => readArgv(sv, t, argvPointer), asGiven, 0);
  if (typeof plan === 'number') return sv.skip(t, -plan);
  // The kernel finds the same files by itself. The path handler would only look again, unless a
  // trace or report wants to see the call.
  if (!plan.mapped) return sv.observer === null ? sv.allow(t) : false;
  if (plan.viaLoader && sv.runDir !== null) {
    // The kernel names the process after the file name exec was given (what ps and top show):
    // the loader runs through a link named like that, as the program would natively.
    const name = raw === '' ? String(dirfd) : raw.slice(raw.lastIndexOf('/') + 1);
    plan.hostFile = sv.runDir.loaderLink(plan.hostFile, name);
  }
  const written = writePlan(sv, t, plan);
  if (written === null) return sv.skip(t, -ERRNO.E2BIG);
  t.pendingExe = plan.guestExe;
  t.pendingViaLoader = plan.viaLoader;
  const args: Array<[number, number]> = [[pathArg, written.file]];
  if (written.argv !== null) args.push([argvArg, written.argv]);
  if (at) args.push([dirfdArg, AT_FDCWD], [flagsArg, 0]);
  return sv.runWithArgs(t, args, true);
}

/**
 * Every exec goes through here first when guest and host paths differ (a bind or a root); when
 * nothing on the way is mapped, the call runs untouched.
 */
export function installExecHandlers(sv: Supervisor): void {
  if (!sv.translator.hasMapping) return;
  sv.on(arch.syscalls.execve, (s, t) => handleExec(s, t, false));
  sv.on(arch.syscalls.execveat, (s, t) => handleExec(s, t, true));
}
