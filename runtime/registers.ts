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

  // 64-bit registers are read and written as two 32-bit halves: going through BigInt costs an
  // allocation per access, on every stop. Values stay exact below 2^53 (user addresses are < 2^47).
  private get64(offset: number): number {
    return this.view.getInt32(offset + 4, true) * 0x1_0000_0000 + this.view.getUint32(offset, true);
  }
  private getU64(offset: number): number {
    return this.view.getUint32(offset + 4, true) * 0x1_0000_0000 + this.view.getUint32(offset, true);
  }
  private set64(offset: number, value: number): void {
    this.view.setUint32(offset, value >>> 0, true); // low half: `>>> 0` is exact modulo 2^32
    this.view.setInt32(offset + 4, Math.floor(value / 0x1_0000_0000), true);
  }

  /** Syscall number as the kernel will see it (-1 once skipped). */
  get syscallNr(): number {
    return this.get64(layout.syscallNr);
  }
  set syscallNr(nr: number) {
    this.set64(layout.syscallNr, nr);
  }
  /** Return value register, signed (negative errno on failure). */
  get result(): number {
    return this.get64(layout.result);
  }
  set result(value: number) {
    this.set64(layout.result, value);
  }
  get pc(): number {
    return this.getU64(layout.pc);
  }
  set pc(value: number) {
    this.set64(layout.pc, value);
  }
  get sp(): number {
    return this.getU64(layout.sp);
  }
  /** Argument i as an unsigned 64-bit Number: right for pointers and sizes. */
  arg(i: number): number {
    return this.getU64(layout.args[i]);
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
