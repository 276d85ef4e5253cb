// Compiled plans, remembered between runs. Validating a policy means loading the YAML parser and
// the zod schema, about a third of `tsbox run`'s start-up; the plan they produce depends only on
// the file's bytes, its location and the host paths it names. So a plan is cached under a key of
// (tsbox build, policy path, sha256 of its bytes) with the host paths it checked, and reused only
// while every one of them still resolves to the same place. Any doubt: the policy is loaded anew.
// The cache lives outside the project ($XDG_CACHE_HOME/tsbox/plans); failing to use it is silent.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostPathCheck } from './compile.js';
import type { Plan } from './plan.js';

const MAX_ENTRIES = 500;

interface CacheEntry {
  plan: Plan;
  checks: HostPathCheck[];
}

function cacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'tsbox', 'plans');
}

/** Changes whenever tsbox is rebuilt: a plan from another build is never reused. */
function buildStamp(): string {
  try {
    const self = fileURLToPath(import.meta.url);
    return `${statSync(self).mtimeMs}:${self}`;
  } catch {
    return 'unknown';
  }
}

function keyFor(file: string, bytes: Uint8Array): string {
  return createHash('sha256').update(buildStamp()).update('\0').update(resolve(file)).update('\0').update(bytes).digest('hex');
}

function stillValid(check: HostPathCheck): boolean {
  try {
    return realpathSync(check.abs) === check.real && (!check.folder || statSync(check.real).isDirectory());
  } catch {
    return false;
  }
}

/** The cached plan for this policy file's current bytes, or null. */
export function cachedPlan(file: string, bytes: Uint8Array): Plan | null {
  try {
    const entry = JSON.parse(readFileSync(join(cacheDir(), keyFor(file, bytes)), 'utf8')) as CacheEntry;
    return entry.checks.every(stillValid) ? entry.plan : null;
  } catch {
    return null;
  }
}

export function storePlan(file: string, bytes: Uint8Array, plan: Plan, checks: HostPathCheck[]): void {
  try {
    const dir = cacheDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Bounded: past MAX_ENTRIES plans (policies of old runs, old builds), start over.
    if (readdirSync(dir).length > MAX_ENTRIES) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    }
    const target = join(dir, keyFor(file, bytes));
    const temp = `${target}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ plan, checks } satisfies CacheEntry), { mode: 0o600 });
    renameSync(temp, target);
  } catch {
    /* a cache we cannot write is only slower */
  }
}

/** loadPolicy, through the cache: the YAML parser and the schema load only on a miss. */
export async function loadPolicyCached(file: string): Promise<Plan> {
  let bytes: Uint8Array | null = null;
  try {
    bytes = readFileSync(file);
  } catch {
    /* load.ts reports an unreadable file properly */
  }
  const hit = bytes && cachedPlan(file, bytes);
  if (hit) return hit;
  const { compilePolicySource, loadPolicy } = await import('./load.js');
  if (!bytes) return loadPolicy(file);
  const checks: HostPathCheck[] = [];
  const plan = compilePolicySource(bytes, file, (c) => checks.push(c));
  storePlan(file, bytes, plan, checks);
  return plan;
}
