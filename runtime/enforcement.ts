// `enforcement: strict | best-effort`: whether the kernel can back the policy's path, network
// and signal rules with Landlock on this machine, and what to do when it cannot.
import type { Logger } from 'pino';
import type { Plan } from '../policy/plan.js';
import type { Injector } from './inject.js';
import { LaunchError } from './launch.js';
import { createRuleset, injectRestrict, landlockAbi } from './landlock.js';
import { landlockPlan, type LandlockPlan } from './landlock-rules.js';

export interface EnforcementStatus {
  abi: number;
  neededAbi: number;
  rules: LandlockPlan;
  /** One line per missing guarantee; empty when everything is kernel-enforced. */
  gaps: string[];
}

export function enforcementStatus(plan: Plan, readable: readonly string[] = []): EnforcementStatus {
  const abi = landlockAbi();
  const rules = landlockPlan(plan, Math.max(abi, 1), readable);
  const needed = rules.neededAbi;
  const gaps: string[] = [];
  if (abi === 0) gaps.push('Landlock is not available on this kernel: path, network and signal rules are enforced by the supervisor only');
  else {
    if (abi < 3 && (plan.root !== null || plan.paths.some((p) => p.access !== 'rw'))) gaps.push(`Landlock ABI ${abi} < 3: truncate() of read-only files is not refused by the kernel`);
    if (abi < 4 && plan.network === 'none') gaps.push(`Landlock ABI ${abi} < 4: TCP bind/connect rules unavailable (seccomp still refuses IP sockets)`);
    if (abi < 6) gaps.push(`Landlock ABI ${abi} < 6: signals and abstract unix sockets to processes outside the sandbox are not scoped`);
  }
  return { abi, neededAbi: needed, rules, gaps };
}

export interface PreparedLandlock {
  /** The ruleset, built in the supervisor, for the stub to inherit (none without Landlock). */
  rulesetFd?: number;
  /** The injection step for launch: restrict the stub with the inherited ruleset. */
  inject?: (inj: Injector) => void;
  /** Host folders where entries cannot be created or removed (host path → why), for messages. */
  locked: Map<string, string>;
}

/**
 * Checks the policy's enforcement mode; returns what launch and the supervisor need. `readable`:
 * tsbox's own folders the sandbox may read files in (landlockPlan).
 */
export function prepareLandlock(plan: Plan, logger: Logger, readable: readonly string[] = []): PreparedLandlock {
  const status = enforcementStatus(plan, readable);
  if (status.gaps.length > 0) {
    if (plan.enforcement === 'strict') {
      throw new LaunchError(`the kernel cannot enforce this policy (enforcement: strict): ${status.gaps.join('; ')}. Set enforcement: best-effort to run anyway.`);
    }
    logger.warn({ gaps: status.gaps }, 'enforcement: best-effort: some rules are not kernel-enforced');
  }
  if (status.abi === 0) return { locked: new Map() };
  const locked = new Map(status.rules.grants.filter((g) => g.locked).map((g) => [g.host, g.locked!.join('; ')]));
  const rulesetFd = createRuleset(status.rules, status.abi);
  return { rulesetFd, inject: (inj) => injectRestrict(inj, rulesetFd), locked };
}
