// The subcommands: `tsbox run`, `tsbox check`, `tsbox schema`. Thin on purpose: they parse
// arguments, load the policy, and hand over to run.ts. Every failure of tsbox itself is one
// clear line on stderr and exit 125; never a stack trace.
import type { Worker } from 'node:worker_threads';
import { Command, CommanderError, Option } from 'commander';
import { loadPolicy } from '../policy/load.js';
import { PolicyError } from '../policy/errors.js';
import { describePlan } from '../policy/describe.js';
import { policyJsonSchema } from '../policy/json-schema.js';
import { describeEnforcement } from './describe-runtime.js';
import { EXIT_SETUP, runSandboxed, SetupError } from './run.js';
import { startSupervisorThread } from './supervisor-thread.js';
import type { MemoryMode } from './memory.js';
import { rootfsImportCommand } from './rootfs/command.js';

function fail(message: string): never {
  process.stderr.write(`tsbox: ${message}\n`);
  process.exit(EXIT_SETUP);
}

async function loadOrFail(file: string) {
  try {
    return await loadPolicy(file);
  } catch (e) {
    if (e instanceof PolicyError) {
      process.stderr.write(`${e.format()}\n`);
      process.exit(EXIT_SETUP);
    }
    throw e;
  }
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
    .passThroughOptions()
    .action(async (policyFile: string, command: string[], opts: { memory: MemoryMode; logFile?: string; logLevel?: string }) => {
      const worker = early ?? startSupervisorThread();
      const plan = await loadOrFail(policyFile);
      if (command[0] === '--') command = command.slice(1);
      const argv = command.length > 0 ? command : plan.process.args;
      if (!argv || argv.length === 0) fail(`no command: give one after -- or set process.args in ${policyFile}`);
      try {
        const code = await runSandboxed(worker, {
          plan, command: argv, memoryMode: opts.memory, logFile: opts.logFile ?? null, logLevel: opts.logLevel ?? plan.log.level,
        });
        process.exit(code);
      } catch (e) {
        fail(e instanceof SetupError ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`);
      }
    });

  cli
    .command('check')
    .description('validate POLICY and print what will be enforced, and how')
    .argument('<policy>', 'policy file (YAML)')
    .action(async (policyFile: string) => {
      const plan = await loadOrFail(policyFile);
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
    .action(async (source: string, dir: string, opts: { ref?: string }) => {
      try {
        await rootfsImportCommand(source, dir, opts);
      } catch (e) {
        fail(e instanceof Error ? e.message : String(e));
      }
    });

  cli
    .command('schema')
    .description('print the policy format as JSON Schema')
    .action(() => {
      process.stdout.write(`${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
    });
  return cli;
}

export function runCli(argv: string[], early: Worker | null): void {
  program(early)
    .parseAsync(argv, { from: 'user' })
    .catch((e: unknown) => {
      if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : EXIT_SETUP);
      fail(e instanceof Error ? e.message : String(e));
    });
}
