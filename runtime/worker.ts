// The supervisor thread. ptrace requests must come from the thread that attached, and waitpid
// blocks: both live here, so the main thread stays free for signals, the timeout and logging.
import { parentPort } from 'node:worker_threads';
import type { Plan } from '../policy/plan.js';
import { encodeFilter } from './bpf.js';
import { createEventLog, createLogger } from './event-log.js';
import { installHandlers } from './handlers/index.js';
import { launch, LaunchError } from './launch.js';
import { liveSetOver } from './live-set.js';
import { createMemory, type MemoryMode } from './memory.js';
import { buildSeccompFilter } from './seccomp-filter.js';
import { Supervisor } from './supervisor.js';
import { prepareLandlock } from './enforcement.js';

export interface WorkerInput {
  plan: Plan;
  command: string[];
  env: string[];
  guestCwd: string;
  memoryMode: MemoryMode;
  logFile: string | null;
  logLevel: string;
  live: SharedArrayBuffer;
}

export type WorkerMessage =
  | { type: 'started'; pid: number; trapped: number; filterLength: number }
  | { type: 'done'; exitCode: number | null; signal: number | null; stops: number }
  | { type: 'error'; message: string; setup: boolean };

const post = (m: WorkerMessage) => parentPort!.postMessage(m);

// The Worker is started before the policy is loaded (its modules load meanwhile); the work
// arrives as one message.
parentPort!.once('message', (input: WorkerInput) => {
  try {
    const logger = createLogger(input.logLevel, input.logFile, input.plan.name);
    const events = createEventLog(logger, input.plan.log.denials);
    const memory = createMemory(input.memoryMode);
    const sv = new Supervisor(input.plan, memory, events, liveSetOver(input.live));
    installHandlers(sv);
    const trapped = sv.trappedSyscalls();
    const filter = encodeFilter(buildSeccompFilter({ plan: input.plan, trapped }));
    const landlock = prepareLandlock(input.plan, logger);
    const pid = launch({
      command: input.command, env: input.env, guestCwd: input.guestCwd, filter, limits: input.plan.limits, memory,
      beforeSeccomp: landlock,
    });
    post({ type: 'started', pid, trapped: trapped.size, filterLength: filter.length / 8 });
    const result = sv.run(pid);
    post({ type: 'done', ...result });
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e), setup: e instanceof LaunchError });
  }
});
