// Remaps: the policy says what a syscall returns, and the supervisor answers in one stop by
// skipping the call (number -1, result in the return register: the mainline form of UMView's
// PTRACE_VM). Conditions on scalar arguments compare the raw register; conditions on a path
// argument compare the canonical guest path the program named.
import { hostArch, ERRNO } from '../../arch/index.js';
import type { RemapCondition, RemapRule } from '../../policy/plan.js';
import type { Supervisor } from '../supervisor.js';
import type { Tracee } from '../tracee.js';
import { describeArgs, guestPathArg } from './call-args.js';

const arch = hostArch();

function scalarHolds(arg: bigint, op: string, value: bigint, mask: bigint): boolean {
  switch (op) {
    case 'eq': return arg === value;
    case 'ne': return arg !== value;
    case 'lt': return arg < value;
    case 'le': return arg <= value;
    case 'gt': return arg > value;
    case 'ge': return arg >= value;
    case 'masked_eq': return (arg & mask) === value;
    default: return false;
  }
}

function conditionHolds(sv: Supervisor, t: Tracee, syscall: string, c: RemapCondition): boolean {
  if (c.kind === 'path') {
    const guest = guestPathArg(sv, t, syscall, c.index);
    return c.op === 'eq' ? guest === c.path : guest !== c.path;
  }
  const value = BigInt.asUintN(64, BigInt(c.value));
  return scalarHolds(sv.regs.argBig(c.index), c.op, value, BigInt.asUintN(64, BigInt(c.mask ?? '0')));
}

function answer(sv: Supervisor, t: Tracee, nr: number, rule: RemapRule): boolean {
  const result = rule.result.kind === 'return' ? rule.result.value : -rule.result.errno;
  sv.log.decision(t.pid, arch.syscallName(nr), describeArgs(sv, t, arch.syscallName(nr)), 'remapped',
    rule.result.kind === 'return' ? `return ${rule.result.value}` : rule.result.errnoName);
  return sv.skip(t, result);
}

/** getresuid/getresgid write three ids through pointers: answered by writing them. */
function installResIds(sv: Supervisor, uid: number, gid: number): void {
  const ids = (id: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, id, true);
    return b;
  };
  for (const [name, id] of [['getresuid', uid], ['getresgid', gid]] as const) {
    sv.on(arch.syscalls[name], (s, t) => {
      for (let i = 0; i < 3; i++) if (!s.memory.write(t.pid, s.regs.arg(i), ids(id))) return s.skip(t, -ERRNO.EFAULT);
      s.log.decision(t.pid, name, [s.regs.arg(0), s.regs.arg(1), s.regs.arg(2)], 'remapped', `${id}`);
      return s.skip(t, 0);
    });
  }
}

export function installRemapHandlers(sv: Supervisor): void {
  const byNr = new Map<number, RemapRule[]>();
  for (const rule of sv.plan.syscalls.remap) {
    for (const sc of rule.syscalls) byNr.set(sc.nr, [...(byNr.get(sc.nr) ?? []), rule]);
  }
  for (const [nr, rules] of byNr) {
    sv.on(nr, (s, t) => {
      const name = arch.syscallName(nr);
      for (const rule of rules) if (rule.args.every((c) => conditionHolds(s, t, name, c))) return answer(s, t, nr, rule);
      return false;
    });
  }
  if (sv.plan.identity) installResIds(sv, sv.plan.identity.uid, sv.plan.identity.gid);
}
