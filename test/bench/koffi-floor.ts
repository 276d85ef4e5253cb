// koffi-floor TRAPS GUEST HOST CMD ARGS...: test/helpers/floor-supervisor.c written in Node.js
// through tsbox's own FFI layer and primitives (ffi.ts, Registers, process_vm_readv/writev memory,
// ptrace options) and nothing else: no policy, no path resolution, no handler table. CMD runs as
// `floor-supervisor --stub TRAPS CMD ARGS...`, under the same filter as the C floor, and each
// trapped call costs what the C floor makes it cost (GETREGS, process_vm_readv of its path, a stat
// through GUEST answered here, PTRACE_CONT). With the C floor it splits tsbox's cost per stop into
// the design's floor, what calling the kernel from JavaScript adds, and what tsbox's logic adds.
import {
  allocNative, kill, lastErrno, lstatRaw, posixSpawn, spawnFileActionsAddDup2, spawnFileActionsInit, waitpid,
} from '../../runtime/ffi.js';
import { hostArch } from '../../arch/index.js';
import { createMemory } from '../../runtime/memory.js';
import { cont, seize } from '../../runtime/ptrace.js';
import { Registers } from '../../runtime/registers.js';
import { waitAny } from '../../runtime/wait.js';
import { helper } from '../lib/helpers.js';

const SIGCONT = 18;
const WUNTRACED = 2; // a child that is not traced yet reports its stop only with this
const STAT_SIZE = 144; // struct stat on x86_64

function main(argv: string[]): number {
  const [traps, guest, host, ...command] = argv;
  if (!traps || !guest || !host || command.length === 0) {
    process.stderr.write('usage: koffi-floor NR:ARG,... GUEST HOST CMD ARGS...\n');
    return 2;
  }
  const pathArg = new Map(traps.split(',').map((t) => t.split(':').map(Number) as [number, number]));
  const sys = hostArch().syscalls;
  const stub = [helper('floor-supervisor'), '--stub', traps, ...command];
  // posix_spawn as tsbox's launch does (child_process would install a SIGCHLD handler, and every
  // stop of a tracee would then interrupt this thread). Node.js marks its stdio close-on-exec:
  // dup2 onto themselves hands them to the child.
  const actions = allocNative(256);
  spawnFileActionsInit(actions.ptr);
  for (const fd of [0, 1, 2]) spawnFileActionsAddDup2(actions.ptr, fd, fd);
  const out = allocNative(4);
  const env = Object.entries(process.env).map(([k, v]) => `${k}=${v}`);
  if (posixSpawn(out.ptr, stub[0]!, actions.ptr, null, [...stub, null], [...env, null]) !== 0) return 125;
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
    // Children are followed (tsbox's ptrace options): only the command's own end ends the loop.
    if (w.kind === 'exited' || w.kind === 'killed') {
      if (w.pid === pid) return w.kind === 'exited' ? w.exitCode : 128 + w.signal;
      continue;
    }
    if (w.kind !== 'seccomp') {
      cont(w.pid, w.kind === 'signal' && w.signal !== SIGCONT ? w.signal : 0);
      continue;
    }
    regs.load(w.pid);
    const nr = regs.syscallNr;
    const arg = pathArg.get(nr) ?? -1;
    const path = arg >= 0 ? memory.readCString(w.pid, regs.arg(arg)) : null;
    const statBuffer = nr === sys.newfstatat ? 2 : nr === sys.stat || nr === sys.lstat ? 1 : -1;
    if (path !== null && statBuffer >= 0 && path.startsWith(prefix)) {
      const n = hostPath.bytes.write(host + path.slice(guest.length), 'latin1');
      hostPath.bytes[n] = 0;
      // lstat whatever the call asked: the workloads stat regular files, where stat and lstat agree.
      let result = lstatRaw(hostPath.ptr, stat.ptr) === 0 ? 0 : -lastErrno();
      if (result === 0 && !memory.writeNative(w.pid, regs.arg(statBuffer), stat, STAT_SIZE)) result = -14; // EFAULT
      regs.syscallNr = -1;
      regs.result = result;
      regs.store(w.pid);
    }
    cont(w.pid);
  }
}

process.exitCode = main(process.argv.slice(2));
