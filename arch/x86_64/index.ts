// x86_64: the architecture tsbox is built and tested on.
import type { Arch } from '../types.js';
import { SYSCALLS_X86_64 } from './syscalls.generated.js';

const names: string[] = [];
for (const [name, nr] of Object.entries(SYSCALLS_X86_64)) names[nr] = name;

// struct user_regs_struct from <sys/user.h>: 27 unsigned longs.
const slot = (i: number) => i * 8;

export const x86_64: Arch = {
  name: 'x86_64',
  auditArch: 0xc000003e, // AUDIT_ARCH_X86_64 = EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE
  foreignAuditArches: [{ name: 'i386', value: 0x40000003 }], // int 0x80 from a 64-bit process
  abiBit: 0x40000000, // __X32_SYSCALL_BIT
  syscalls: SYSCALLS_X86_64,
  syscallName: (nr) => names[nr] ?? `syscall_${nr}`,
  regs: {
    size: slot(27),
    // r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax rip cs eflags rsp ...
    syscallNr: slot(15), // orig_rax
    result: slot(10), // rax
    pc: slot(16), // rip
    sp: slot(19), // rsp
    // rdi rsi rdx r10 r8 r9: the 4th argument is r10, not rcx (syscall clobbers rcx)
    args: [slot(14), slot(13), slot(12), slot(7), slot(9), slot(8)],
  },
  getRegsRequest: 12, // PTRACE_GETREGS
  setRegsRequest: 13, // PTRACE_SETREGS
  syscallInsnLength: 2, // 0f 05
  redZone: 128,
  statSize: 144,
  statModeOffset: 24, // after st_dev, st_ino, st_nlink (8 bytes each on x86_64)
  statIdentity: [[0, 16], [48, 8], [88, 32]], // st_dev st_ino, st_size, st_mtim st_ctim
  statfsSize: 120,
  msghdr: { size: 56, nameOffset: 0, nameLenOffset: 8 },
  mmsghdr: { size: 64, lenOffset: 56 }, // a msghdr, then unsigned msg_len, padded to 8
  elfMachine: 62, // EM_X86_64
  tested: true,
};
