// The per-architecture facts the rest of tsbox may use. Nothing outside arch/ names a register:
// runtime code reads "the syscall number", "argument 2", "the stack pointer" through this shape.

export interface RegisterLayout {
  /** Size in bytes of the PTRACE_GETREGS block (struct user_regs_struct). */
  readonly size: number;
  /** Offset of the register holding the syscall number as the kernel sees it (orig_rax). */
  readonly syscallNr: number;
  /** Offset of the return-value register (rax). */
  readonly result: number;
  /** Offset of the instruction pointer. */
  readonly pc: number;
  /** Offset of the stack pointer. */
  readonly sp: number;
  /** Offsets of the six syscall argument registers, in order. */
  readonly args: readonly [number, number, number, number, number, number];
}

export interface Arch {
  readonly name: string;
  /** AUDIT_ARCH_* value seccomp reports for this architecture's native syscalls. */
  readonly auditArch: number;
  /** Other AUDIT_ARCH values a process of this arch can enter with (e.g. i386 via int 0x80). */
  readonly foreignAuditArches: ReadonlyArray<{ name: string; value: number }>;
  /** Bit that marks an alternative syscall ABI in the number (x32), or 0 if none. */
  readonly abiBit: number;
  readonly syscalls: Readonly<Record<string, number>>;
  /** Number → name, for logs. */
  readonly syscallName: (nr: number) => string;
  readonly regs: RegisterLayout;
  /** ptrace requests that read and write the whole register block (x86_64: GETREGS/SETREGS). */
  readonly getRegsRequest: number;
  readonly setRegsRequest: number;
  /** Length in bytes of the syscall instruction (to re-execute it during injection). */
  readonly syscallInsnLength: number;
  /** Bytes below the stack pointer that leaf code may use without moving it (the red zone). */
  readonly redZone: number;
  /** sizeof(struct stat) and sizeof(struct statfs) for this ABI (written back by emulated calls). */
  readonly statSize: number;
  /** Offset of st_mode (u32) in struct stat. */
  readonly statModeOffset: number;
  /**
   * Byte ranges [offset, length] of struct stat that change whenever a file is replaced or its
   * contents change: st_dev and st_ino, st_size, st_mtim and st_ctim.
   */
  readonly statIdentity: ReadonlyArray<readonly [number, number]>;
  readonly statfsSize: number;
  /** struct msghdr: its size and where msg_name (a pointer) and msg_namelen (u32) are. */
  readonly msghdr: { size: number; nameOffset: number; nameLenOffset: number };
  /** struct mmsghdr (sendmmsg's array): its size and where msg_len (u32, set by the kernel) is. */
  readonly mmsghdr: { size: number; lenOffset: number };
  /** ELF e_machine of this architecture's programs (a guest program of another is ENOEXEC). */
  readonly elfMachine: number;
  /** Whether this table has been exercised by the test suite on real hardware. */
  readonly tested: boolean;
}
