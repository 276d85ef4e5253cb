// The micro-benchmark behind the bench's "4 KiB reads" row: one stopped tracee, its stack read
// 4 KiB at a time through process_vm_readv (--memory=vm) and word by word through
// PTRACE_PEEKDATA (--memory=peek), with the runtime's own memory module.
import { constants } from 'node:os';
import { encodeFilter, BpfProgram, SECCOMP_RET_ALLOW } from '../../runtime/bpf.js';
import { kill } from '../../runtime/ffi.js';
import { launch } from '../../runtime/launch.js';
import { createMemory } from '../../runtime/memory.js';
import { Registers } from '../../runtime/registers.js';
import { waitForStop } from '../../runtime/wait.js';

export interface MemoryReadTimes {
  /** Microseconds per 4 KiB read. */
  vm: number;
  peek: number;
}

export function measureMemoryReads(reads = 2000): MemoryReadTimes {
  const allowAll = encodeFilter(new BpfProgram().ret(SECCOMP_RET_ALLOW).assemble());
  const vm = createMemory('vm');
  const pid = launch({ command: ['sleep', '60'], env: ['PATH=/usr/bin:/bin'], guestCwd: '/', filter: allowAll, limits: {}, memory: vm });
  try {
    const regs = new Registers();
    if (!regs.load(pid)) throw new Error('cannot read the tracee\'s registers');
    // A whole page below the stack pointer: mapped (the stack is grown at exec), and ours to read.
    const page = Math.floor(regs.sp / 4096) * 4096 - 4096;
    const time = (memory: ReturnType<typeof createMemory>, n: number): number => {
      for (let i = 0; i < 10; i++) memory.read(pid, page, 4096);
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) if (memory.read(pid, page, 4096) === null) throw new Error(`${memory.mode}: read failed`);
      return Number(process.hrtime.bigint() - start) / 1000 / n;
    };
    return { vm: time(vm, reads), peek: time(createMemory('peek'), Math.max(20, Math.floor(reads / 10))) };
  } finally {
    kill(pid, constants.signals.SIGKILL);
    waitForStop(pid);
  }
}
