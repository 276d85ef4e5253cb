// Running syscalls inside the stopped stub, by editing its registers (no native code of our own).
// Starting from a syscall-entry stop: replace the pending call with ours, run it to its exit stop,
// then back the instruction pointer up over the syscall instruction to run the next one. At the
// end the original registers come back, pointed at the syscall instruction, so the interrupted
// call runs again, now under whatever the injected calls installed (no_new_privs, seccomp).
import { hostArch } from '../arch/index.js';
import { contSyscall, syscallStopKind, SYSCALL_INFO_ENTRY, SYSCALL_INFO_EXIT } from './ptrace.js';
import { Registers } from './registers.js';
import { describeStop, waitForStop } from './wait.js';

const arch = hostArch();

export class Injector {
  private readonly saved = new Registers();
  private readonly work = new Registers();
  private atEntry = true;

  /** pid must be in a syscall-entry stop. */
  constructor(private readonly pid: number) {
    if (!this.saved.load(pid)) throw new Error(`inject: cannot read registers of ${pid}`);
    this.work.copyFrom(this.saved);
  }

  /** Stack pointer at the stop: scratch data may go below it (and below the red zone). */
  get stackPointer(): number {
    return this.saved.sp;
  }

  /** Runs one syscall in the tracee; returns its raw result (negative errno on failure). */
  call(name: string, ...args: (number | bigint)[]): number {
    const nr = arch.syscalls[name];
    if (nr === undefined) throw new Error(`inject: unknown syscall ${name}`);
    if (!this.atEntry) {
      // At an exit stop: re-execute the syscall instruction to get a fresh entry.
      this.work.copyFrom(this.saved);
      this.work.pc = this.saved.pc - arch.syscallInsnLength;
      this.work.result = nr; // the syscall instruction reads the number from the result register
      args.forEach((a, i) => this.work.setArg(i, a));
      this.store();
      this.resumeUntil(SYSCALL_INFO_ENTRY);
      this.work.load(this.pid);
    }
    this.work.syscallNr = nr;
    args.forEach((a, i) => this.work.setArg(i, a));
    this.store();
    this.resumeUntil(SYSCALL_INFO_EXIT);
    this.atEntry = false;
    this.work.load(this.pid);
    return this.work.result;
  }

  /** Puts the original registers back so the interrupted syscall runs again when resumed. */
  restore(): void {
    if (!this.atEntry) {
      this.work.copyFrom(this.saved);
      this.work.pc = this.saved.pc - arch.syscallInsnLength;
      this.work.result = this.saved.syscallNr;
      this.work.store(this.pid);
    } else {
      this.saved.store(this.pid);
    }
  }

  private store(): void {
    if (!this.work.store(this.pid)) throw new Error(`inject: cannot write registers of ${this.pid}`);
  }

  private resumeUntil(kind: number): void {
    if (!contSyscall(this.pid)) throw new Error(`inject: tracee ${this.pid} vanished`);
    const status = waitForStop(this.pid);
    if (status.kind !== 'syscall' || syscallStopKind(this.pid) !== kind) {
      throw new Error(`inject: unexpected stop of ${this.pid} (${describeStop(status)})`);
    }
  }
}
