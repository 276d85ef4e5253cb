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
import { enforcementStatus } from './enforcement.js';
import { FS, SCOPE } from './landlock-rules.js';

const FS_NAMES = Object.entries(FS);
function rightsText(rights: bigint, all: bigint): string {
  if (rights === all) return 'all';
  return FS_NAMES.filter(([, bit]) => rights & bit).map(([name]) => name.toLowerCase()).join(',');
}

/** Per rule: is it backed by the kernel on this machine, and with which Landlock grants. */
function describeLandlock(plan: Plan): string[] {
  const status = enforcementStatus(plan);
  const out: string[] = [];
  if (status.abi === 0) {
    out.push('landlock: unavailable on this kernel: every path rule below is enforced by the supervisor only (racy)');
  } else {
    const rules = status.rules;
    out.push(`landlock: ABI ${status.abi} (policy needs ${status.neededAbi}); ${rules.grants.length} rules, installed before exec`);
    for (const p of plan.paths) {
      out.push(`  kernel-enforced (landlock): ${p.guest} ${p.access}${p.access === 'none' ? ' (names inside stay listable by a racing thread; contents are not readable)' : ''}`);
    }
    const shown = rules.grants.slice(0, 40);
    for (const g of shown) out.push(`  grant ${g.host}: ${rightsText(g.rights, rules.handledFs)}`);
    if (rules.grants.length > shown.length) out.push(`  … and ${rules.grants.length - shown.length} more grants`);
    if (plan.root !== null) out.push('  grant $TMPDIR/tsbox-run-* (made for each run: process names, command lines): read_file');
    out.push(`  signals to processes outside the sandbox: ${rules.scoped & SCOPE.SIGNAL ? 'refused by the kernel' : 'not scoped'}`);
    if (plan.network === 'none') {
      out.push(`  network none: TCP bind/connect ${rules.handledNet ? 'refused by landlock' : 'not covered by landlock'}; abstract unix sockets ${rules.scoped & SCOPE.ABSTRACT_UNIX_SOCKET ? 'scoped' : 'not scoped'}`);
    }
  }
  for (const gap of status.gaps) out.push(`  NOT kernel-enforced: ${gap}`);
  out.push(`enforcement: ${plan.enforcement}${status.gaps.length && plan.enforcement === 'strict' ? ' — tsbox run will refuse to start on this machine' : ''}`);
  return out;
}

/**
 * The syscalls `tsbox run` traps for this plan, ascending, and those trapped only when an
 * argument is non-zero (argument index by number), from the handlers `tsbox run` installs.
 */
export function supervisorTraps(plan: Plan): { trapped: number[]; trapOnlyIfSet: ReadonlyMap<number, number> } {
  const sv = new Supervisor(plan, createMemory('vm'), createEventLog(createLogger('silent', null, plan.name), false), {
    add() {}, remove() {},
  });
  installHandlers(sv);
  return { trapped: [...sv.trappedSyscalls()].sort((a, b) => a - b), trapOnlyIfSet: sv.trapOnlyIfSet };
}

export function describeEnforcement(plan: Plan): string[] {
  const arch = hostArch();
  const { trapped, trapOnlyIfSet } = supervisorTraps(plan);
  const filter = buildSeccompFilter({ plan, trapped: new Set(trapped), trapOnlyIfSet });
  return [
    `kernel (seccomp BPF, ${filter.length} instructions): foreign architectures killed, x32 refused (ENOSYS)`,
    trapped.length === 0
      ? 'supervisor stops: none (every allowed syscall runs at full speed)'
      : `supervisor stops (${trapped.length} syscalls, one stop each): ${trapped.map((nr) => arch.syscallName(nr)).join(' ')}`,
    ...describeLandlock(plan),
  ];
}
