// A tiny classic-BPF assembler for seccomp programs: instructions with symbolic labels, resolved
// to the 8-bit relative jumps cBPF allows. Programs are laid out so that every jump is short
// (each rule is a self-contained block that falls through on mismatch).

export interface SockFilter {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

// Opcode pieces (linux/bpf_common.h).
const BPF_LD = 0x00, BPF_ALU = 0x04, BPF_JMP = 0x05, BPF_RET = 0x06;
const BPF_W = 0x00, BPF_ABS = 0x20, BPF_K = 0x00;
const BPF_JEQ = 0x10, BPF_JGT = 0x20, BPF_JGE = 0x30, BPF_JA = 0x00, BPF_AND = 0x50;

export const SECCOMP_RET_KILL_PROCESS = 0x80000000;
export const SECCOMP_RET_ERRNO = 0x00050000;
export const SECCOMP_RET_TRACE = 0x7ff00000;
export const SECCOMP_RET_ALLOW = 0x7fff0000;

// struct seccomp_data offsets (little endian: an argument's low word comes first).
export const SECCOMP_DATA_NR = 0;
export const SECCOMP_DATA_ARCH = 4;
export const seccompArgLow = (i: number) => 16 + 8 * i;
export const seccompArgHigh = (i: number) => 20 + 8 * i;

type Target = string | null; // a label, or null for "next instruction"
interface Pending {
  code: number;
  k: number;
  jt: Target;
  jf: Target;
}

export class BpfProgram {
  private readonly code: Pending[] = [];
  private readonly labels = new Map<string, number>();
  private nextLabel = 0;

  /** A fresh label name, unique in this program. */
  label(hint = 'L'): string {
    return `${hint}${this.nextLabel++}`;
  }
  place(label: string): this {
    if (this.labels.has(label)) throw new Error(`bpf: label ${label} placed twice`);
    this.labels.set(label, this.code.length);
    return this;
  }
  loadWord(offset: number): this {
    this.code.push({ code: BPF_LD | BPF_W | BPF_ABS, k: offset, jt: null, jf: null });
    return this;
  }
  and(mask: number): this {
    this.code.push({ code: BPF_ALU | BPF_AND | BPF_K, k: mask >>> 0, jt: null, jf: null });
    return this;
  }
  /** if (A == k) goto jt else goto jf; null means fall through. */
  jeq(k: number, jt: Target, jf: Target): this {
    return this.jump(BPF_JEQ, k, jt, jf);
  }
  jgt(k: number, jt: Target, jf: Target): this {
    return this.jump(BPF_JGT, k, jt, jf);
  }
  jge(k: number, jt: Target, jf: Target): this {
    return this.jump(BPF_JGE, k, jt, jf);
  }
  goto(target: string): this {
    this.code.push({ code: BPF_JMP | BPF_JA, k: 0, jt: target, jf: null });
    return this;
  }
  ret(action: number): this {
    this.code.push({ code: BPF_RET | BPF_K, k: action >>> 0, jt: null, jf: null });
    return this;
  }
  private jump(op: number, k: number, jt: Target, jf: Target): this {
    this.code.push({ code: BPF_JMP | op | BPF_K, k: k >>> 0, jt, jf });
    return this;
  }

  get length(): number {
    return this.code.length;
  }

  /** Resolves labels into relative offsets. Throws if a jump is out of cBPF's reach. */
  assemble(): SockFilter[] {
    const offset = (from: number, target: Target, max: number): number => {
      if (target === null) return 0;
      const at = this.labels.get(target);
      if (at === undefined) throw new Error(`bpf: label ${target} never placed`);
      const delta = at - from - 1;
      if (delta < 0 || delta > max) throw new Error(`bpf: jump from ${from} to ${target} out of range (${delta})`);
      return delta;
    };
    if (this.code.length > 4096) throw new Error(`bpf: program too long (${this.code.length} > 4096)`);
    return this.code.map((insn, i) => {
      if (insn.code === (BPF_JMP | BPF_JA)) return { code: insn.code, jt: 0, jf: 0, k: offset(i, insn.jt, 0xffffffff) };
      return { code: insn.code, k: insn.k, jt: offset(i, insn.jt, 255), jf: offset(i, insn.jf, 255) };
    });
  }
}

/** The program as the kernel wants it: an array of 8-byte struct sock_filter. */
export function encodeFilter(program: SockFilter[]): Uint8Array {
  const out = new Uint8Array(program.length * 8);
  const view = new DataView(out.buffer);
  program.forEach((insn, i) => {
    view.setUint16(i * 8, insn.code, true);
    view.setUint8(i * 8 + 2, insn.jt);
    view.setUint8(i * 8 + 3, insn.jf);
    view.setUint32(i * 8 + 4, insn.k >>> 0, true);
  });
  return out;
}
