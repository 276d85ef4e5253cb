// `tsbox run` on the main thread: prepare what the supervisor Worker needs, forward signals to
// the sandboxed command, enforce the wall-clock timeout, and turn the outcome into an exit
// status (POLICY.md): the command's own, 128+N after signal N, 124 on timeout, 125 when tsbox
// could not start it.
import { statSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import type { Plan } from '../policy/plan.js';
import { buildEnvironment } from './environment.js';
import { createLiveBuffer, liveSetOver } from './live-set.js';
import type { MemoryMode } from './memory.js';
import { PathTranslator } from './paths.js';
import type { WorkerInput, WorkerMessage } from './worker.js';

export const EXIT_TIMEOUT = 124;
export const EXIT_SETUP = 125;

export class SetupError extends Error {}

export interface RunOptions {
  plan: Plan;
  command: string[];
  memoryMode: MemoryMode;
  logFile: string | null;
  logLevel: string;
}

/**
 * The guest cwd: the policy's, else the caller's own folder if the guest sees it at some path
 * (and that path is not shadowed by a bind), else "/".
 */
function guestCwdFor(plan: Plan, translator: PathTranslator): string {
  let guest = plan.process.cwd;
  if (guest === null) {
    const seen = translator.toGuest(process.cwd());
    guest = seen !== null && translator.toHost(seen) === process.cwd() ? seen : '/';
  }
  const r = translator.resolve(guest, { guest: '/', host: '/' }, true, process.pid);
  if ('errno' in r) throw new SetupError(`process.cwd ${guest} cannot be resolved in the sandbox`);
  let isDir = false;
  try {
    isDir = statSync(Buffer.from(r.host, 'latin1')).isDirectory();
  } catch { /* reported below */ }
  if (!isDir) throw new SetupError(`process.cwd ${guest} is not a folder in the sandbox (host path ${r.host})`);
  if (r.rule?.access === 'none') throw new SetupError(`process.cwd ${guest} is hidden by the policy (access: none)`);
  return guest;
}

const FORWARDED = ['SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'] as const;

/** Runs the command on `worker` (a thread from supervisor-thread.ts that has not been used yet). */
export function runSandboxed(worker: Worker, opts: RunOptions): Promise<number> {
  const { plan } = opts;
  const translator = new PathTranslator(plan.paths, plan.root);
  const guestCwd = guestCwdFor(plan, translator);
  const live = createLiveBuffer();
  const input: WorkerInput = {
    plan, command: opts.command, env: buildEnvironment(plan, process.env, guestCwd), guestCwd,
    memoryMode: opts.memoryMode, logFile: opts.logFile, logLevel: opts.logLevel, live,
  };
  worker.postMessage(input);
  const pids = liveSetOver(live);
  let rootPid = 0;
  let timedOut = false;

  const forward = (signal: NodeJS.Signals) => {
    if (rootPid) try { process.kill(rootPid, signal); } catch { /* already gone */ }
  };
  const handlers = FORWARDED.map((s) => [s, () => forward(s)] as const);
  // Ctrl-C on a terminal reaches the command through its process group already; forward SIGINT
  // only when it was sent to tsbox alone.
  const onInt = () => { if (!process.stdin.isTTY) forward('SIGINT'); };
  for (const [s, h] of handlers) process.on(s, h);
  process.on('SIGINT', onInt);

  let timer: NodeJS.Timeout | undefined;
  if (plan.limits.timeoutMs !== undefined) {
    timer = setTimeout(() => {
      timedOut = true;
      for (const pid of pids.all()) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }, plan.limits.timeoutMs);
  }

  return new Promise((resolve, reject) => {
    const finish = (code: number) => {
      clearTimeout(timer);
      for (const [s, h] of handlers) process.off(s, h);
      process.off('SIGINT', onInt);
      resolve(code);
    };
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'started') rootPid = m.pid;
      else if (m.type === 'error') {
        if (m.setup || rootPid === 0) reject(new SetupError(m.message));
        else reject(new Error(m.message));
      } else if (m.type === 'done') {
        if (timedOut) finish(EXIT_TIMEOUT);
        else finish(m.exitCode ?? 128 + (m.signal ?? 0));
      }
    });
    worker.on('error', (e) => reject(rootPid === 0 ? new SetupError(e.message) : e));
  });
}
