// With `log.denials`, errno denials still take no decision in the supervisor, but they must be
// seen to be logged: the filter returns SECCOMP_RET_TRACE with the rule's number in the action's
// data instead of SECCOMP_RET_ERRNO, and this handler logs and skips with the rule's errno.
// Kill rules stay in the kernel (a supervisor-sent signal could be caught; SIGSYS from seccomp
// cannot), so they are not logged here.
import { hostArch } from '../../arch/index.js';
import type { Plan } from '../../policy/plan.js';
import { getEventMsg } from '../ptrace.js';
import type { Supervisor } from '../supervisor.js';
import { describeArgs } from './call-args.js';

const arch = hostArch();

/** Whether the filter should trace (and so log) errno denials for this plan. */
export const tracesDenials = (plan: Plan): boolean => plan.log.denials;

export function installDenyLog(sv: Supervisor): void {
  if (!tracesDenials(sv.plan)) return;
  const rules = sv.plan.syscalls.deny;
  const nrs = new Set(rules.filter((r) => r.action.kind === 'errno').flatMap((r) => r.syscalls.map((s) => s.nr)));
  for (const nr of nrs) {
    sv.on(nr, (s, t) => {
      const data = getEventMsg(t.pid); // SECCOMP_RET_DATA: 1 + the rule's index, 0 for plain traps
      const rule = data > 0 ? rules[data - 1] : undefined;
      if (!rule || rule.action.kind !== 'errno') return false;
      const args = describeArgs(s, t, arch.syscallName(nr));
      s.log.decision(t.pid, arch.syscallName(nr), args, 'denied', rule.action.errnoName);
      return s.skip(t, -rule.action.errno);
    });
  }
}
