// `tsbox run` itself, and the helpers every subcommand shares: one clear line on stderr and exit
// 125 for any failure of tsbox's own. Kept apart from commands.ts so that the common form
// `tsbox run POLICY [--] COMMAND...` starts without loading the option parser (cli.ts).
import type { Worker } from 'node:worker_threads';
import { loadPolicyCached } from '../policy/plan-cache.js';
import { isPolicyError } from '../policy/errors.js';
import type { MemoryMode } from './memory.js';
import { EXIT_SETUP, runSandboxed, SetupError } from './run.js';
import { exitProcess, startSupervisorThread } from './supervisor-thread.js';
import { parseTraceClasses, type TraceClass } from './trace/classes.js';

export function fail(message: string): never {
  process.stderr.write(`tsbox: ${message}\n`);
  exitProcess(EXIT_SETUP);
}

/** Runs a subcommand; any error is one line on stderr and exit 125. */
export async function failOnError(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
}

/** The policy's plan, or exit 125 with its errors. `check` always validates anew (fresh: true). */
export async function loadOrFail(file: string, fresh = false) {
  try {
    return fresh ? await (await import('../policy/load.js')).loadPolicy(file) : await loadPolicyCached(file);
  } catch (e) {
    if (isPolicyError(e)) {
      process.stderr.write(`${e.format()}\n`);
      exitProcess(EXIT_SETUP);
    }
    throw e;
  }
}

export function traceOption(value: string | true | undefined): TraceClass[] | 'all' | null {
  if (value === undefined) return null;
  try {
    return parseTraceClasses(value);
  } catch (e) {
    fail((e as Error).message);
  }
}

export interface RunCommandOptions {
  memory: MemoryMode;
  logFile?: string;
  logLevel?: string;
  trace?: string | true;
  report?: string;
  progress?: boolean;
}

/** `tsbox run POLICY COMMAND...`: exits with the command's status (POLICY.md). */
export async function runCommand(early: Worker | null, policyFile: string, command: string[], opts: RunCommandOptions): Promise<void> {
  const trace = traceOption(opts.trace);
  const worker = early ?? startSupervisorThread();
  const plan = await loadOrFail(policyFile);
  if (command[0] === '--') command = command.slice(1);
  const argv = command.length > 0 ? command : plan.process.args;
  if (!argv || argv.length === 0) fail(`no command: give one after -- or set process.args in ${policyFile}`);
  try {
    const code = await runSandboxed(worker, {
      plan, command: argv, memoryMode: opts.memory, logFile: opts.logFile ?? null, logLevel: opts.logLevel ?? plan.log.level,
      trace, reportFile: opts.report ?? null, progress: opts.progress,
    });
    exitProcess(code);
  } catch (e) {
    fail(e instanceof SetupError ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
}
