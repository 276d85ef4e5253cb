// `tsbox learn -o POLICY [--base BASE] -- CMD ARGS`: runs CMD permissively (the base's paths all
// read-write, no syscall or network denial; tsbox's baseline stays), observes everything, and
// writes the learned policy. The policy is checked by loading it before it is written.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { parse } from 'yaml';
import { compilePolicySource } from '../../policy/load.js';
import type { Plan } from '../../policy/plan.js';
import type { MemoryMode } from '../memory.js';
import type { Report } from '../report/schema.js';
import { runSandboxed } from '../run.js';
import type { TraceClass } from '../trace/classes.js';
import { learnFromReport, listGuestFolder } from './learn.js';
import { writePolicy, type BasePolicy } from './write-policy.js';

/** The plan the learning run uses: nothing refused, so everything the command wants is seen. */
export function permissive(plan: Plan): Plan {
  return {
    ...plan,
    paths: plan.paths.map((r) => ({ ...r, access: 'rw' as const })),
    syscalls: { ...plan.syscalls, default: 'allow', defaultErrno: null, allow: [], deny: [] },
    network: 'host',
  };
}

export interface LearnOptions {
  out: string;
  base: { file: string; plan: Plan } | null;
  command: string[];
  memoryMode: MemoryMode;
  logFile: string | null;
  logLevel: string | null;
  reportFile: string | null;
  trace: TraceClass[] | 'all' | null;
}

export interface LearnOutcome {
  status: number;
  policyText: string;
  report: Report;
}

export async function learn(worker: Worker, o: LearnOptions): Promise<LearnOutcome> {
  const plan = o.base?.plan ?? compilePolicySource('version: 1\nname: learn\n', 'learn.yaml');
  let report: Report | null = null;
  const status = await runSandboxed(worker, {
    plan: permissive(plan),
    command: o.command,
    memoryMode: o.memoryMode,
    logFile: o.logFile,
    logLevel: o.logLevel ?? plan.log.level,
    learn: true,
    reportFile: o.reportFile,
    trace: o.trace,
    onReport: (r) => { report = r; },
  });
  if (report === null) throw new Error('the learning run produced no report');
  const r: Report = report;
  const homeEntries = r.home ? listGuestFolder(plan, r.home) : [];
  const learned = learnFromReport(r, homeEntries);
  let base: BasePolicy | null = null;
  if (o.base) {
    const data = parse(readFileSync(o.base.file, 'utf8')) as Record<string, unknown>;
    base = { file: o.base.file, data, plan: o.base.plan };
  }
  const text = writePolicy(learned, base);
  compilePolicySource(text, o.out); // a policy tsbox cannot load must never be written
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, text);
  return { status, policyText: text, report: r };
}
