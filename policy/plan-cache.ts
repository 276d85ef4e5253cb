// Compiled plans, remembered between runs. Validating a policy means loading the YAML parser and
// the zod schema, about a third of `tsbox run`'s start-up; the plan they produce depends only on
// the file's bytes, its location and the host paths it names. So a plan is cached per (tsbox
// build, policy path), together with the exact bytes it was compiled from and the host paths it
// checked, and reused only for the same bytes and while every one of those paths still resolves
// to the same place. Any doubt: the policy is loaded anew. (Comparing the bytes themselves needs
// no hash: loading node:crypto alone took ~6 ms of every start-up.)
// The cache lives outside the project ($XDG_CACHE_HOME/tsbox/plans); failing to use it is silent.
import { mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostPathCheck } from './compile.js';
import type { Plan } from './plan.js';

const MAX_ENTRIES = 500;

interface CacheEntry {
  stamp: string;
  file: string;
  /** The policy's bytes (latin1), compared in full before the plan is reused. */
  source: string;
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

/** FNV-1a, 32 bits, as hex: names the entry's file; a collision only costs a cache miss. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

const entryName = (stamp: string, file: string) => `${fnv1a(`${stamp}\0${file}`)}.json`;

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
    const stamp = buildStamp();
    const abs = resolve(file);
    const entry = JSON.parse(readFileSync(join(cacheDir(), entryName(stamp, abs)), 'utf8')) as CacheEntry;
    if (entry.stamp !== stamp || entry.file !== abs || entry.source !== Buffer.from(bytes).toString('latin1')) return null;
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
    const stamp = buildStamp();
    const abs = resolve(file);
    const target = join(dir, entryName(stamp, abs));
    const temp = `${target}.${process.pid}.tmp`;
    const source = Buffer.from(bytes).toString('latin1');
    writeFileSync(temp, JSON.stringify({ stamp, file: abs, source, plan, checks } satisfies CacheEntry), { mode: 0o600 });
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
