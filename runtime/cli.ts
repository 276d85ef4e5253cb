// Entry point of the `tsbox` command. For `tsbox run` the supervisor thread starts before the
// rest of tsbox is even loaded, so the two load in parallel; then the subcommands take over.
import { startSupervisorThread } from './supervisor-thread.js';

export async function main(argv: string[]): Promise<void> {
  const early = argv[0] === 'run' || argv[0] === 'learn' ? startSupervisorThread() : null;
  // `tsbox run POLICY [--] COMMAND...` with no option: nothing for the option parser to do (after
  // the policy every word is the command's), so it is not loaded; ~10 ms of every start-up.
  if (argv[0] === 'run' && argv.length >= 2 && !argv[1]!.startsWith('-')) {
    const { fail, runCommand } = await import('./command-run.js');
    await runCommand(early, argv[1]!, argv.slice(2), { memory: 'vm' }).catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
    return;
  }
  const { runCli } = await import('./commands.js');
  runCli(argv, early);
}
