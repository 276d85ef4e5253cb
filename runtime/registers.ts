// A tracee's register block, read and written in one ptrace call each. The layout comes from
// arch/; this class is how the rest of the runtime reads "argument 2" without naming a register.
// Addresses stay Numbers (safe below 2^53; user-space addresses are below 2^47): never use
// JavaScript's 32-bit bitwise operators on them.
import { hostArch } from '../arch/index.js';
import { allocNative, type NativeMemory } from './ffi.js';
import { getRegs, setRegs } from './ptrace.js';

const arch = hostArch();
const layout = arch.regs;

export class Registers {
  readonly memory: NativeMemory = allocNative(layout.size);
  private readonly view = this.memory.view;

  load(pid: number): boolean {
    return getRegs(pid, this.memory);
  }
  store(pid: number): boolean {
    return setRegs(pid, this.memory);
  }
  copyFrom(other: Registers): void {
    this.memory.bytes.set(other.memory.bytes);
  }

  /** Syscall number as the kernel will see it (-1 once skipped). */
  get syscallNr(): number {
    return Number(this.view.getBigInt64(layout.syscallNr, true));
  }
  set syscallNr(nr: number) {
    this.view.setBigInt64(layout.syscallNr, BigInt(nr), true);
  }
  /** Return value register, signed (negative errno on failure). */
  get result(): number {
    return Number(this.view.getBigInt64(layout.result, true));
  }
  set result(value: number) {
    this.view.setBigInt64(layout.result, BigInt(value), true);
  }
  get pc(): number {
    return Number(this.view.getBigUint64(layout.pc, true));
  }
  set pc(value: number) {
    this.view.setBigUint64(layout.pc, BigInt(value), true);
  }
  get sp(): number {
    return Number(this.view.getBigUint64(layout.sp, true));
  }
  /** Argument i as an unsigned 64-bit Number: right for pointers and sizes. */
  arg(i: number): number {
    return Number(this.view.getBigUint64(layout.args[i], true));
  }
  /** Argument i as a C int (fds, AT_FDCWD, flags). */
  argInt(i: number): number {
    return this.view.getInt32(layout.args[i], true);
  }
  /** Argument i exactly, for 64-bit comparisons. */
  argBig(i: number): bigint {
    return this.view.getBigUint64(layout.args[i], true);
  }
  setArg(i: number, value: number | bigint): void {
    this.view.setBigUint64(layout.args[i], BigInt.asUintN(64, BigInt(value)), true);
  }
}
