// Assembling the report on the main thread from what the supervisor Worker collected and what
// only the main thread knows (wall time, the exit status it computed, a timeout, a setup error),
// and writing it. Runs whatever the outcome: a failed, killed or timed-out command, and a tsbox
// that could not start it, all get a report.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Plan } from '../../policy/plan.js';
import type { ObservedRun } from '../observation.js';
import { signalName } from '../trace/decode.js';
import type { CollectedPath } from './collector.js';
import { REPORT_SCHEMA_VERSION, type DecisionEntry, type PathCount, type Report } from './schema.js';

let version: string | null = null;
function tsboxVersion(): string {
  if (version !== null) return version;
  // dist/runtime/report/build.js or dist/bundle/*.js: the package.json is two or three levels up.
  for (const up of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'tsbox' && pkg.version) return (version = pkg.version);
    } catch { /* next */ }
  }
  return (version = 'unknown');
}

export interface RunFacts {
  plan: Plan;
  command: string[];
  cwd: string;
  home: string | null;
  startedAt: Date;
  wallMs: number;
  status: number;
  exitCode: number | null;
  signal: number | null;
  timedOut: boolean;
  error: string | null;
  seccompStops: number;
}

const byCountThenPath = (a: PathCount, b: PathCount) => b.count - a.count || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

function listOf(paths: CollectedPath[], key: 'read' | 'written' | 'executed' | 'created' | 'deleted' | 'writeChecks' | 'denied'): PathCount[] {
  return paths.filter((p) => p[key] > 0).map((p) => ({ path: p.path, count: p[key] })).sort(byCountThenPath);
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

export function buildReport(facts: RunFacts, observed: ObservedRun | undefined): Report {
  const c = observed?.collected;
  const paths = c?.paths ?? [];
  const usage = process.resourceUsage();
  const decisions = (action: string): DecisionEntry[] =>
    (c?.decisions ?? [])
      .filter((d) => d.action === action)
      .map((d) => ({ syscall: d.syscall, args: d.args, detail: d.detail, count: d.count, pids: d.pids }))
      .sort((a, b) => b.count - a.count);
  const syscalls = Object.fromEntries(Object.entries(c?.syscalls ?? {}).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tsbox: tsboxVersion(),
    command: facts.command,
    cwd: facts.cwd,
    home: facts.home,
    policy: { name: facts.plan.name, file: facts.plan.policyFile, digest: facts.plan.policyDigest },
    startedAt: facts.startedAt.toISOString(),
    exit: {
      status: facts.status,
      code: facts.exitCode,
      signal: facts.signal === null ? null : signalName(facts.signal),
      timedOut: facts.timedOut,
      error: facts.error,
    },
    time: {
      wallMs: round(facts.wallMs),
      cpu: observed?.children ? { userMs: observed.children.userMs, systemMs: observed.children.systemMs } : null,
      maxRssKiB: observed?.children?.maxRssKiB ?? null,
      tsbox: { userMs: round(usage.userCPUTime / 1000), systemMs: round(usage.systemCPUTime / 1000) },
    },
    supervisor: {
      seccompStops: facts.seccompStops,
      exitStops: c?.exitStops ?? 0,
      busyMs: round(observed?.supervisorMs ?? 0),
      trapped: c?.trapped ?? [],
    },
    processes: [...(c?.processes ?? [])].sort((a, b) => a.startMs - b.startMs || a.pid - b.pid),
    files: {
      read: listOf(paths, 'read'),
      written: listOf(paths, 'written'),
      executed: listOf(paths, 'executed'),
      created: listOf(paths, 'created'),
      deleted: listOf(paths, 'deleted'),
      writeChecked: listOf(paths, 'writeChecks'),
      denied: listOf(paths, 'denied'),
      failed: paths
        .map((p) => ({ path: p.path, count: Object.values(p.failed).reduce((n, k) => n + k, 0), errno: p.failed, writes: p.failedWrites }))
        .filter((p) => p.count > 0)
        .sort(byCountThenPath),
    },
    network: { sockets: c?.sockets ?? [], addresses: c?.addresses ?? [] },
    denials: decisions('denied'),
    remaps: decisions('remapped'),
    syscalls,
  };
}

export function writeReport(file: string, report: Report): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
