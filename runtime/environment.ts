// The command's environment and working directory, per the policy's `process` section.
import type { Plan } from '../policy/plan.js';

export function buildEnvironment(plan: Plan, callerEnv: NodeJS.ProcessEnv, guestCwd: string): string[] {
  const env = new Map<string, string>();
  if (!plan.process.env.clear) {
    for (const [k, v] of Object.entries(callerEnv)) if (v !== undefined) env.set(k, v);
  }
  for (const k of plan.process.env.unset) env.delete(k);
  for (const [k, v] of Object.entries(plan.process.env.set)) env.set(k, v);
  if (!env.has('PATH')) env.set('PATH', '/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin');
  env.set('PWD', guestCwd); // the guest's view, not the host folder behind it
  return [...env].map(([k, v]) => `${k}=${v}`);
}
