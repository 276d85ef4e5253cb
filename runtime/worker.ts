// The supervisor thread. ptrace requests must come from the thread that attached, and waitpid
// blocks: both live here, so the main thread stays free for signals, the timeout and logging.
import { parentPort, workerData } from 'node:worker_threads';
import type { Plan } from '../policy/plan.js';
import { encodeFilter } from './bpf.js';
import { createEventLog, createLogger } from './event-log.js';
import { buildEnvironment, guestCwdFor } from './environment.js';
import { installHandlers } from './handlers/index.js';
import { launch, LaunchError } from './launch.js';
import { liveSetOver } from './live-set.js';
import { createMemory, type MemoryMode } from './memory.js';
import { buildSeccompFilter } from './seccomp-filter.js';
import { Supervisor } from './supervisor.js';
import { prepareLandlock } from './enforcement.js';
import { closeRuleset } from './landlock.js';
import { RunDir } from './run-dir.js';
import { observe, type Observation, type ObserveOptions, type ObservedRun } from './observation.js';
import { signalModulesLoaded } from './supervisor-thread.js';

export interface WorkerInput {
  plan: Plan;
  command: string[];
  /** The caller's environment, which the policy's `process.env` edits. */
  callerEnv: Record<string, string | undefined>;
  memoryMode: MemoryMode;
  logFile: string | null;
  logLevel: string;
  live: SharedArrayBuffer;
  /** Trace, report, learn and progress (observation.ts). */
  observe: ObserveOptions;
}

export type WorkerMessage =
  | { type: 'prepared'; guestCwd: string; home: string | null }
  | { type: 'started'; pid: number; trapped: number; filterLength: number }
  | { type: 'done'; exitCode: number | null; signal: number | null; stops: number; observed?: ObservedRun }
  | { type: 'error'; message: string; setup: boolean; observed?: ObservedRun };

const post = (m: WorkerMessage) => parentPort!.postMessage(m);

// Everything above is loaded (koffi included): an exit of the main thread is safe from here on.
signalModulesLoaded((workerData as { loaded?: SharedArrayBuffer } | null)?.loaded);

// The Worker is started before the policy is loaded (its modules load meanwhile); the work
// arrives as one message.
parentPort!.once('message', (input: WorkerInput) => {
  let observation: Observation | null = null;
  let sv: Supervisor | null = null;
  let runDir: RunDir | null = null;
  try {
    const logger = createLogger(input.logLevel, input.logFile, input.plan.name);
    const nothing = { trace: null, collect: false, learn: false, progress: null };
    observation = observe(input.plan, createEventLog(logger, input.plan.log.denials), logger, input.observe ?? nothing);
    const plan = observation.plan; // the policy's, with errno denials traced when a report counts them
    const memory = createMemory(input.memoryMode);
    sv = new Supervisor(plan, memory, observation.events, liveSetOver(input.live));
    observation.attach(sv); // the observer goes in before the handlers and the filter are built
    installHandlers(sv);
    const trapped = sv.trappedSyscalls();
    const filter = encodeFilter(buildSeccompFilter({ plan, trapped, trapOnlyIfSet: sv.trapOnlyIfSet }));
    const guestCwd = guestCwdFor(plan, sv.translator);
    const env = buildEnvironment(plan, input.callerEnv, guestCwd);
    post({ type: 'prepared', guestCwd, home: env.find((e) => e.startsWith('HOME='))?.slice(5) ?? null });
    // Under a guest root, programs run through the guest's loader: see run-dir.ts.
    if (plan.root !== null) runDir = sv.runDir = RunDir.create(logger);
    const landlock = prepareLandlock(input.plan, logger, runDir ? [runDir.path] : []);
    sv.lockedFolders = landlock.locked;
    let pid: number;
    try {
      pid = launch({
        command: input.command, env, guestCwd, filter, limits: input.plan.limits, memory,
        inheritFds: landlock.rulesetFd === undefined ? [] : [landlock.rulesetFd], beforeSeccomp: landlock.inject,
      });
    } finally {
      if (landlock.rulesetFd !== undefined) closeRuleset(landlock.rulesetFd);
    }
    observation.launched(pid);
    post({ type: 'started', pid, trapped: trapped.size, filterLength: filter.length / 8 });
    const result = sv.run(pid);
    runDir?.dispose();
    logger.debug({ seccompStops: result.stops }, 'every process ended');
    post({ type: 'done', ...result, observed: observation.finish(sv) });
  } catch (e) {
    runDir?.dispose();
    let observed: ObservedRun | undefined;
    try {
      observed = observation?.finish(sv);
    } catch { /* the error matters more than the summary */ }
    post({ type: 'error', message: e instanceof Error ? e.message : String(e), setup: e instanceof LaunchError, observed });
  }
});
