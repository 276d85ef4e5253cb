// `tsbox run` on the main thread: prepare what the supervisor Worker needs, forward signals to
// the sandboxed command, enforce the wall-clock timeout, and turn the outcome into an exit
// status (POLICY.md): the command's own, 128+N after signal N, 124 on timeout, 125 when tsbox
// could not start it.
import { isatty } from 'node:tty';
import type { Worker } from 'node:worker_threads';
import type { Plan } from '../policy/plan.js';
import { createLiveBuffer, liveSetOver } from './live-set.js';
import type { MemoryMode } from './memory.js';
import type { WorkerInput, WorkerMessage } from './worker.js';
import type { ObservedRun } from './observation.js';
import { createProgressBuffer, progressCounters, startProgress } from './progress.js';
import { buildReport, writeReport } from './report/build.js';
import type { Report } from './report/schema.js';
import type { TraceClass } from './trace/classes.js';

export const EXIT_TIMEOUT = 124;
export const EXIT_SETUP = 125;

export class SetupError extends Error {}

export interface RunOptions {
  plan: Plan;
  command: string[];
  memoryMode: MemoryMode;
  logFile: string | null;
  logLevel: string;
  /** --trace: the classes to trace ('all': every trapped call), or null. */
  trace?: TraceClass[] | 'all' | null;
  /** --report: the report is written here whatever the outcome (failure, kill, timeout). */
  reportFile?: string | null;
  /** Called with the report when the run ends (learn); setting it collects like --report. */
  onReport?: (report: Report) => void;
  /** learn: also trap the dangerous syscalls to see which were used. */
  learn?: boolean;
  /** The status line on a terminal (default on; drawn only when stderr is a TTY). */
  /** true: always on a terminal; false: never; undefined: on a terminal unless stdin is one too. */
  progress?: boolean;
}

const FORWARDED = ['SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const;

/** Runs the command on `worker` (a thread from supervisor-thread.ts that has not been used yet). */
export function runSandboxed(worker: Worker, opts: RunOptions): Promise<number> {
  const { plan } = opts;
  const startedAt = new Date();
  const clock = performance.now();
  const collecting = !!opts.reportFile || !!opts.onReport || !!opts.learn;
  // Known once the supervisor thread has worked them out ('prepared'), for the report.
  let guestCwd = '/';
  let home: string | null = null;
  /** Writes the report (--report) and hands it over (learn); never throws past a warning. */
  const summarize = (status: number, m: { exitCode: number | null; signal: number | null; stops: number } | null,
    timedOut: boolean, error: string | null, observed: ObservedRun | undefined) => {
    if (!collecting) return;
    const report = buildReport({
      plan, command: opts.command, cwd: guestCwd, home, startedAt, wallMs: performance.now() - clock, status,
      exitCode: m?.exitCode ?? null, signal: m?.signal ?? null, timedOut, error, seccompStops: m?.stops ?? 0,
    }, observed);
    if (opts.reportFile) {
      try {
        writeReport(opts.reportFile, report);
      } catch (e) {
        process.stderr.write(`tsbox: cannot write the report ${opts.reportFile}: ${(e as Error).message}\n`);
      }
    }
    opts.onReport?.(report);
  };
  const live = createLiveBuffer();
  // Trace lines on the terminal and a status line redrawn over them would garble each other. By
  // default the line is also left out when stdin is a terminal: the command may be interactive
  // (a shell, an editor) and a line redrawn under it would garble its screen. --progress forces it.
  // isatty, not process.stderr.isTTY: that would build the stream objects (and load node:net
  // for a pipe) on every run, for nothing when no line is drawn.
  const progressOn = opts.progress !== false && isatty(2) && !(opts.trace && opts.logFile === null)
    && (opts.progress === true || !isatty(0));
  const progressBuffer = progressOn ? createProgressBuffer() : null;
  const input: WorkerInput = {
    plan, command: opts.command, callerEnv: { ...process.env },
    memoryMode: opts.memoryMode, logFile: opts.logFile, logLevel: opts.logLevel, live,
    observe: { trace: opts.trace ?? null, collect: collecting, learn: !!opts.learn, progress: progressBuffer },
  };
  worker.postMessage(input);
  const pids = liveSetOver(live);
  let rootPid = 0;
  let timedOut = false;

  // A signal that arrives before the command exists (tsbox is still starting) is kept and given
  // to the command as soon as it starts: a Ctrl-C or a kill during start-up must not be lost.
  const early: NodeJS.Signals[] = [];
  const forward = (signal: NodeJS.Signals) => {
    if (rootPid === 0) early.push(signal);
    else try { process.kill(rootPid, signal); } catch { /* already gone */ }
  };
  const handlers = FORWARDED.map((s) => [s, () => forward(s)] as const);
  // Ctrl-C on a terminal reaches the command through its process group already; forward SIGINT
  // only when it was sent to tsbox alone, or when the command did not exist yet to receive it.
  const onInt = () => { if (rootPid === 0 || !isatty(0)) forward('SIGINT'); };
  for (const [s, h] of handlers) process.on(s, h);
  process.on('SIGINT', onInt);

  let timer: NodeJS.Timeout | undefined;
  if (plan.limits.timeoutMs !== undefined) {
    timer = setTimeout(() => {
      timedOut = true;
      for (const pid of pids.all()) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }, plan.limits.timeoutMs);
  }

  const progress = progressBuffer
    ? startProgress(process.stderr, { counters: progressCounters(progressBuffer), tasks: () => pids.all() })
    : null;

  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      progress?.stop();
      for (const [s, h] of handlers) process.off(s, h);
      process.off('SIGINT', onInt);
    };
    const fail = (e: Error, observed?: ObservedRun) => {
      cleanup();
      summarize(EXIT_SETUP, null, timedOut, e.message, observed); // the CLI exits 125 on any failure of its own
      reject(e);
    };
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'prepared') ({ guestCwd, home } = m);
      else if (m.type === 'started') {
        rootPid = m.pid;
        for (const signal of early.splice(0)) forward(signal);
      }
      else if (m.type === 'error') {
        if (m.setup || rootPid === 0) fail(new SetupError(m.message), m.observed);
        else fail(new Error(m.message), m.observed);
      } else if (m.type === 'done') {
        const code = timedOut ? EXIT_TIMEOUT : m.exitCode ?? 128 + (m.signal ?? 0);
        cleanup();
        summarize(code, m, timedOut, null, m.observed);
        resolve(code);
      }
    });
    worker.on('error', (e) => fail(rootPid === 0 ? new SetupError(e.message) : e));
  });
}
