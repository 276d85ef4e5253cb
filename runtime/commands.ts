// The subcommands: `tsbox run`, `tsbox check`, `tsbox schema`, `tsbox report`, `tsbox learn`. Thin on purpose: they parse
// arguments, load the policy, and hand over to run.ts. Every failure of tsbox itself is one
// clear line on stderr and exit 125; never a stack trace.
import type { Worker } from 'node:worker_threads';
import { Command, CommanderError, Option } from 'commander';
import { isPolicyError } from '../policy/errors.js';
import { EXIT_SETUP, SetupError } from './run.js';
import { exitProcess, startSupervisorThread } from './supervisor-thread.js';
import type { MemoryMode } from './memory.js';
import { fail, failOnError, loadOrFail, runCommand, traceOption, type RunCommandOptions } from './command-run.js';
// Subcommands other than `run` are imported when used: `tsbox run` starts without loading them.

/** Options of run and learn that take a value (the token after them is not the policy). */
const VALUE_OPTIONS = new Set(['--memory', '--log-file', '--log-level', '--report', '-o', '--output', '--base']);

/**
 * `--trace` alone means every class. Commander would take the next word (the policy file) as its
 * value, so a bare `--trace` before the first positional argument becomes `--trace=all`.
 */
export function normalizeTraceFlag(argv: string[]): string[] {
  if (argv[0] !== 'run' && argv[0] !== 'learn') return argv;
  const out = [...argv];
  for (let i = 1; i < out.length; i++) {
    const a = out[i]!;
    if (a === '--' || !a.startsWith('-')) break;
    if (a === '--trace') out[i] = '--trace=all';
    else if (VALUE_OPTIONS.has(a)) i++;
  }
  return out;
}

export function program(early: Worker | null): Command {
  const cli = new Command('tsbox')
    .description('Rootless sandbox runtime: runs a command under a YAML policy (ptrace + seccomp-BPF)')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  cli
    .command('run')
    .description('run COMMAND under POLICY (arguments after -- are the command; they replace process.args)')
    .argument('<policy>', 'policy file (YAML)')
    .argument('[command...]', 'the command and its arguments')
    .addOption(new Option('--memory <mode>', 'how tracee memory is read: vm (process_vm_readv) or peek (PTRACE_PEEKDATA)').choices(['vm', 'peek']).default('vm'))
    .option('--log-file <file>', 'write logs to this file instead of stderr')
    .addOption(new Option('--log-level <level>', 'override the policy log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']))
    .option('--trace [classes]', 'log every trapped call, decoded (strace-like), through the log; classes: file,process,network (default: all)')
    .option('--report <file>', 'write a JSON report of the run (schema: docs/REPORT.md), also when the command fails or is killed')
    .option('--progress', 'a status line on the terminal even when stdin is one (default: only for non-interactive runs)')
    .option('--no-progress', 'no status line on a terminal')
    .passThroughOptions()
    .action((policyFile: string, command: string[], opts: RunCommandOptions) => runCommand(early, policyFile, command, opts));

  cli
    .command('check')
    .description('validate POLICY and print what will be enforced, and how')
    .argument('<policy>', 'policy file (YAML)')
    .action(async (policyFile: string) => {
      const plan = await loadOrFail(policyFile, true);
      const [{ describePlan }, { describeEnforcement }] = await Promise.all([import('../policy/describe.js'), import('./describe-runtime.js')]);
      process.stdout.write(`${[...describePlan(plan), ...describeEnforcement(plan)].join('\n')}\n`);
    });

  cli
    .command('rootfs')
    .description('guest root filesystems (runtime/rootfs/README.md)')
    .command('import')
    .description('unpack a docker export tarball, an OCI image layout or a docker save archive into DIR (no root needed)')
    .argument('<source>', 'docker export tarball (plain or gzip), OCI image layout (folder or tar), or docker save archive')
    .argument('<dir>', 'a new or empty folder')
    .option('--ref <name>', 'the image to take when SOURCE holds several (tag or OCI ref name)')
    .action((source: string, dir: string, opts: { ref?: string }) => failOnError(async () => {
      const { rootfsImportCommand } = await import('./rootfs/command.js');
      await rootfsImportCommand(source, dir, opts);
    }));

  cli
    .command('report')
    .description('summarize a report written by `tsbox run --report` (denials first), or turn it into one HTML page')
    .argument('<file>', 'the JSON report')
    .option('--html <out>', 'write a self-contained HTML page (process tree, file-access tree) instead')
    .action((file: string, opts: { html?: string }) => failOnError(async () => {
      const { reportCommand } = await import('./report/command.js');
      reportCommand(file, opts);
    }));

  cli
    .command('learn')
    .description('run COMMAND permissively, observe it, and write a least-privilege policy for it')
    .requiredOption('-o, --output <policy>', 'where to write the learned policy (YAML, commented)')
    .option('--base <policy>', 'start from this policy (its binds, root, env, limits…); the learned rules are added')
    .option('--report <file>', 'also write the JSON report of the learning run')
    .option('--trace [classes]', 'also trace the learning run (see run --trace)')
    .addOption(new Option('--memory <mode>', 'how tracee memory is read').choices(['vm', 'peek']).default('vm'))
    .option('--log-file <file>', 'write logs to this file instead of stderr')
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']))
    .argument('<command...>', 'the command and its arguments (after --)')
    .passThroughOptions()
    .action(async (command: string[], opts: {
      output: string; base?: string; report?: string; trace?: string | true; memory: MemoryMode; logFile?: string; logLevel?: string;
    }) => {
      const trace = traceOption(opts.trace);
      const worker = early ?? startSupervisorThread();
      if (command[0] === '--') command = command.slice(1);
      if (command.length === 0) fail('no command: give one after --');
      const base = opts.base ? { file: opts.base, plan: await loadOrFail(opts.base) } : null;
      try {
        const { learn } = await import('./learn/command.js');
        const r = await learn(worker, {
          out: opts.output, base, command, memoryMode: opts.memory, logFile: opts.logFile ?? null, logLevel: opts.logLevel ?? null,
          reportFile: opts.report ?? null, trace,
        });
        const rules = r.policyText.split('\n').filter((l) => /^\s+- guest:/.test(l)).length;
        process.stderr.write(`tsbox: learned policy written to ${opts.output} (${rules} path rules)` +
          (r.status !== 0 ? `; note: the command failed (exit status ${r.status}), so the policy reflects a failed run` : '') + '\n');
        exitProcess(r.status);
      } catch (e) {
        if (isPolicyError(e)) fail(`the learned policy does not load (a bug in tsbox learn):\n${e.format()}`);
        fail(e instanceof SetupError ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`);
      }
    });

  cli
    .command('schema')
    .description('print the policy format as JSON Schema')
    .action(async () => {
      const { policyJsonSchema } = await import('../policy/json-schema.js');
      process.stdout.write(`${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
    });
  return cli;
}

export function runCli(argv: string[], early: Worker | null): void {
  program(early)
    .parseAsync(normalizeTraceFlag(argv), { from: 'user' })
    .catch((e: unknown) => {
      if (e instanceof CommanderError) exitProcess(e.exitCode === 0 ? 0 : EXIT_SETUP);
      fail(e instanceof Error ? e.message : String(e));
    });
}
