// The command's environment and working directory, per the policy's `process` section. Computed
// on the supervisor thread, which has the path translator (and the FFI it needs) loaded anyway.
import { statSync } from 'node:fs';
import type { Plan } from '../policy/plan.js';
import { LaunchError } from './launch.js';
import type { PathTranslator } from './paths.js';

/**
 * The guest cwd: the policy's, else the caller's own folder if the guest sees it at some path
 * (and that path is not shadowed by a bind), else "/".
 */
export function guestCwdFor(plan: Plan, translator: PathTranslator): string {
  let guest = plan.process.cwd;
  if (guest === null) {
    const seen = translator.toGuest(process.cwd());
    guest = seen !== null && translator.toHost(seen) === process.cwd() ? seen : '/';
  }
  const r = translator.resolve(guest, { guest: '/', host: '/' }, true, process.pid);
  if ('errno' in r) throw new LaunchError(`process.cwd ${guest} cannot be resolved in the sandbox`);
  let isDir = false;
  try {
    isDir = statSync(Buffer.from(r.host, 'latin1')).isDirectory();
  } catch { /* reported below */ }
  if (!isDir) throw new LaunchError(`process.cwd ${guest} is not a folder in the sandbox (host path ${r.host})`);
  if (r.rule?.access === 'none') throw new LaunchError(`process.cwd ${guest} is hidden by the policy (access: none)`);
  return guest;
}

const SAVED_CA_CERTS = 'TSBOX_NODE_EXTRA_CA_CERTS';

export function buildEnvironment(plan: Plan, callerEnv: NodeJS.ProcessEnv, guestCwd: string): string[] {
  const env = new Map<string, string>();
  if (!plan.process.env.clear) {
    for (const [k, v] of Object.entries(callerEnv)) if (v !== undefined) env.set(k, v);
    // bin/tsbox moved NODE_EXTRA_CA_CERTS aside for tsbox's own Node.js: the command gets it back.
    const caCerts = env.get(SAVED_CA_CERTS);
    if (caCerts !== undefined) {
      env.set('NODE_EXTRA_CA_CERTS', caCerts);
      env.delete(SAVED_CA_CERTS);
    }
  }
  for (const k of plan.process.env.unset) env.delete(k);
  for (const [k, v] of Object.entries(plan.process.env.set)) env.set(k, v);
  if (!env.has('PATH')) env.set('PATH', '/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin');
  env.set('PWD', guestCwd); // the guest's view, not the host folder behind it
  return [...env].map(([k, v]) => `${k}=${v}`);
}
