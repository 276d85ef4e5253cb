// Turns a plan into the seccomp-BPF program installed in the tracee before exec:
//   1. a foreign architecture (int 0x80 from a 64-bit process) or the x32 ABI is killed / refused,
//      because its syscall numbers mean other calls and would slip past every rule below;
//   2. the policy's denials run in the kernel (SECCOMP_RET_ERRNO or KILL_PROCESS): zero stops;
//   3. the syscalls the supervisor must see return SECCOMP_RET_TRACE: one stop each;
//   4. everything else is allowed (or refused with the default errno in allow-list mode), and the
//      kernel's seccomp action cache makes those calls cost nothing.
import { hostArch, ERRNO } from '../arch/index.js';
import type { Plan, ScalarCondition, DenyRule } from '../policy/plan.js';
import {
  BpfProgram, SECCOMP_DATA_ARCH, SECCOMP_DATA_NR, SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS,
  SECCOMP_RET_TRACE, seccompArgHigh, seccompArgLow, type SockFilter,
} from './bpf.js';
import { tracesDenials } from './handlers/deny-log.js';
import { baselineRules } from './baseline.js';
import { AT_EMPTY_PATH } from './handlers/path-table.js';

const arch = hostArch();
const U32 = 0x1_0000_0000n;

/**
 * Emits code that falls through when `cond` holds and jumps to `fail` otherwise. Equality tests
 * on values that fit in 32 bits compare the low word only: int arguments (socket's domain, flags)
 * may carry junk in the upper half that the kernel ignores, and a rule must not be dodged by it.
 */
function emitCondition(p: BpfProgram, cond: ScalarCondition, fail: string, pointer = false): void {
  const value = BigInt.asUintN(64, BigInt(cond.value));
  const hi = Number(value / U32), lo = Number(value % U32);
  // A pointer is compared on all 64 bits (an address's low word may be zero).
  const lowOnly = !pointer && hi === 0 && (cond.op === 'eq' || cond.op === 'ne' || cond.op === 'masked_eq');
  const pass = p.label('pass');
  switch (cond.op) {
    case 'eq':
    case 'masked_eq': {
      const mask = cond.op === 'masked_eq' ? BigInt.asUintN(64, BigInt(cond.mask ?? '0')) : (1n << 64n) - 1n;
      const mhi = Number(mask / U32), mlo = Number(mask % U32);
      if (!lowOnly) {
        p.loadWord(seccompArgHigh(cond.index));
        if (mhi !== 0xffffffff) p.and(mhi);
        p.jeq(hi, null, fail);
      }
      p.loadWord(seccompArgLow(cond.index));
      if (mlo !== 0xffffffff) p.and(mlo);
      p.jeq(lo, null, fail);
      break;
    }
    case 'ne':
      if (!lowOnly) {
        p.loadWord(seccompArgHigh(cond.index));
        p.jeq(hi, null, pass);
      }
      p.loadWord(seccompArgLow(cond.index));
      p.jeq(lo, fail, null);
      break;
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le': {
      // Unsigned 64-bit order: decide on the high word, the low word breaks a tie.
      // lt/le are the negations of ge/gt.
      const greater = cond.op === 'gt' || cond.op === 'le';
      const yes = cond.op === 'gt' || cond.op === 'ge' ? pass : fail;
      const no = yes === pass ? fail : pass;
      p.loadWord(seccompArgHigh(cond.index));
      p.jgt(hi, yes, null);
      p.jeq(hi, null, no);
      p.loadWord(seccompArgLow(cond.index));
      if (greater) p.jgt(lo, yes, no);
      else p.jge(lo, yes, no);
      break;
    }
  }
  p.place(pass);
}

function denyAction(rule: DenyRule, index: number, traced: boolean): number {
  if (rule.action.kind === 'kill') return SECCOMP_RET_KILL_PROCESS;
  // Traced denials carry their rule number so the supervisor can log which rule refused.
  return traced ? SECCOMP_RET_TRACE | (index + 1) : SECCOMP_RET_ERRNO | (rule.action.errno & 0xffff);
}

/** One block per (rule, syscall): on a mismatch of the number or any condition, fall through. */
function emitDenyRules(p: BpfProgram, rules: DenyRule[], action: (rule: DenyRule, index: number) => number): void {
  rules.forEach((rule, index) => {
    for (const sc of rule.syscalls) {
      const next = p.label('next');
      p.loadWord(SECCOMP_DATA_NR).jeq(sc.nr, null, next);
      for (const cond of rule.args) emitCondition(p, cond, next);
      p.ret(action(rule, index)).place(next);
    }
  });
}

/** The stat-type queries whose AT_EMPTY_PATH form names an fd, among the trapped syscalls. */
function fdQueries(trapped: ReadonlySet<number>): Array<{ nr: number; flagsArg: number }> {
  return [['newfstatat', 3], ['statx', 2]]
    .map(([name, flagsArg]) => ({ nr: arch.syscalls[name as string], flagsArg: flagsArg as number }))
    .filter((q) => q.nr !== undefined && trapped.has(q.nr));
}

export interface FilterInput {
  plan: Plan;
  /** Syscall numbers the supervisor must stop on. */
  trapped: ReadonlySet<number>;
  /** Trapped syscalls that stop only when this argument is non-zero. */
  trapOnlyIfSet?: ReadonlyMap<number, number>;
}

export function buildSeccompFilter({ plan, trapped, trapOnlyIfSet }: FilterInput): SockFilter[] {
  const p = new BpfProgram();
  const archOk = p.label('arch_ok');
  p.loadWord(SECCOMP_DATA_ARCH).jeq(arch.auditArch, archOk, null).ret(SECCOMP_RET_KILL_PROCESS).place(archOk);
  p.loadWord(SECCOMP_DATA_NR);
  if (arch.abiBit) {
    const native = p.label('native_abi');
    p.jge(arch.abiBit, null, native).ret(SECCOMP_RET_ERRNO | ERRNO.ENOSYS).place(native);
  }
  const traced = tracesDenials(plan);
  emitDenyRules(p, plan.syscalls.deny, (rule, index) => denyAction(rule, index, traced));
  // The baseline (baseline.ts) comes after the policy's rules, so a policy can pick another errno
  // for the same call, but cannot let it through.
  emitDenyRules(p, baselineRules(plan), (rule) => denyAction(rule, 0, false));
  // fstat is glibc's newfstatat(fd, "", AT_EMPTY_PATH): a query on an open fd, nothing to
  // translate. Let such calls through in the kernel instead of stopping on every fstat. (A
  // program that passes a non-empty path with AT_EMPTY_PATH gets its stat untranslated: metadata
  // only, and documented in docs/SECURITY.md.)
  for (const { nr, flagsArg } of fdQueries(trapped)) {
    const next = p.label('fd');
    p.loadWord(SECCOMP_DATA_NR).jeq(nr, null, next);
    emitCondition(p, { index: flagsArg, op: 'masked_eq', value: String(AT_EMPTY_PATH), mask: String(AT_EMPTY_PATH) }, next);
    p.ret(SECCOMP_RET_ALLOW).place(next);
  }
  p.loadWord(SECCOMP_DATA_NR);
  for (const nr of [...trapped].sort((a, b) => a - b)) {
    const next = p.label('t');
    p.jeq(nr, null, next);
    const argIndex = trapOnlyIfSet?.get(nr);
    if (argIndex !== undefined) {
      // Stop only when the argument is set (sendto with a destination); otherwise allow.
      const unset = p.label('unset');
      emitCondition(p, { index: argIndex, op: 'ne', value: '0' }, unset, true);
      p.ret(SECCOMP_RET_TRACE).place(unset).ret(SECCOMP_RET_ALLOW);
    } else {
      p.ret(SECCOMP_RET_TRACE);
    }
    p.place(next).loadWord(SECCOMP_DATA_NR);
  }
  if (plan.syscalls.default === 'deny') {
    for (const sc of plan.syscalls.allow) {
      const next = p.label('a');
      p.jeq(sc.nr, null, next).ret(SECCOMP_RET_ALLOW).place(next);
    }
    p.ret(SECCOMP_RET_ERRNO | ((plan.syscalls.defaultErrno ?? ERRNO.EPERM) & 0xffff));
  } else {
    p.ret(SECCOMP_RET_ALLOW);
  }
  return p.assemble();
}
