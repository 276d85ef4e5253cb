// The runtime's part of `tsbox check`: which syscalls reach the supervisor for this plan, and
// how long the kernel filter is. Built from the same handler registry and filter builder that
// `tsbox run` uses, so what it prints is what runs.
import { hostArch } from '../arch/index.js';
import type { Plan } from '../policy/plan.js';
import { createEventLog, createLogger } from './event-log.js';
import { installHandlers } from './handlers/index.js';
import { createMemory } from './memory.js';
import { buildSeccompFilter } from './seccomp-filter.js';
import { Supervisor } from './supervisor.js';

export function describeEnforcement(plan: Plan): string[] {
  const arch = hostArch();
  const sv = new Supervisor(plan, createMemory('vm'), createEventLog(createLogger('silent', null, plan.name), false), {
    add() {}, remove() {},
  });
  installHandlers(sv);
  const trapped = [...sv.trappedSyscalls()].sort((a, b) => a - b);
  const filter = buildSeccompFilter({ plan, trapped: new Set(trapped) });
  return [
    `kernel (seccomp BPF, ${filter.length} instructions): foreign architectures killed, x32 refused (ENOSYS)`,
    trapped.length === 0
      ? 'supervisor stops: none (every allowed syscall runs at full speed)'
      : `supervisor stops (${trapped.length} syscalls, one stop each): ${trapped.map((nr) => arch.syscallName(nr)).join(' ')}`,
    'landlock: not installed by this version (path rules are enforced by the supervisor only)',
  ];
}
