// koffi-floor GUEST HOST STUB CMD ARGS...: the stat row's stop answered from Node.js through
// tsbox's own FFI layer and primitives (ffi.ts, Registers, process_vm_readv/writev memory) and
// nothing else: no policy, no path resolution, no handler table. With stat-supervisor.c (the
// same stop in C) it splits tsbox's cost per stop into the design's floor, what calling the
// kernel from JavaScript adds, and what tsbox's own logic adds. STUB is `stat-supervisor --stub`.
import {
  allocNative, kill, lastErrno, lstatRaw, posixSpawn, spawnFileActionsAddDup2, spawnFileActionsInit, waitpid,
} from '../../runtime/ffi.js';
import { createMemory } from '../../runtime/memory.js';
import { cont, seize } from '../../runtime/ptrace.js';
import { Registers } from '../../runtime/registers.js';
import { waitAny } from '../../runtime/wait.js';

const SIGCONT = 18;
const WUNTRACED = 2; // a child that is not traced yet reports its stop only with this
const STAT_SIZE = 144; // struct stat on x86_64

function main(argv: string[]): number {
  const [guest, host, ...command] = argv;
  if (!guest || !host || command.length === 0) {
    process.stderr.write('usage: koffi-floor GUEST HOST STUB CMD ARGS...\n');
    return 2;
  }
  // posix_spawn as tsbox's launch does (child_process would install a SIGCHLD handler, and every
  // stop of a tracee would then interrupt this thread). Node.js marks its stdio close-on-exec:
  // dup2 onto themselves hands them to the child.
  const actions = allocNative(256);
  spawnFileActionsInit(actions.ptr);
  for (const fd of [0, 1, 2]) spawnFileActionsAddDup2(actions.ptr, fd, fd);
  const out = allocNative(4);
  if (posixSpawn(out.ptr, command[0]!, actions.ptr, null, [...command, null], [null]) !== 0) return 125;
  const pid = out.view.getInt32(0, true);
  if (waitpid(pid, out.ptr, WUNTRACED) !== pid) return 125; // the stub stopped itself
  seize(pid);
  kill(pid, SIGCONT);
  const regs = new Registers();
  const memory = createMemory('vm');
  const hostPath = allocNative(8192);
  const stat = allocNative(STAT_SIZE);
  const prefix = `${guest}/`;
  for (;;) {
    const w = waitAny();
    if (w === null) return 125;
    if (w.kind === 'exited') return w.exitCode;
    if (w.kind === 'killed') return 128 + w.signal;
    if (w.kind !== 'seccomp') {
      cont(w.pid, w.kind === 'signal' && w.signal !== SIGCONT ? w.signal : 0);
      continue;
    }
    regs.load(w.pid);
    const path = memory.readCString(w.pid, regs.arg(1));
    if (path !== null && path.startsWith(prefix)) {
      const n = hostPath.bytes.write(host + path.slice(guest.length), 'latin1');
      hostPath.bytes[n] = 0;
      let result = lstatRaw(hostPath.ptr, stat.ptr) === 0 ? 0 : -lastErrno();
      if (result === 0 && !memory.writeNative(w.pid, regs.arg(2), stat, STAT_SIZE)) result = -14; // EFAULT
      regs.syscallNr = -1;
      regs.result = result;
      regs.store(w.pid);
    }
    cont(w.pid);
  }
}

process.exitCode = main(process.argv.slice(2));
