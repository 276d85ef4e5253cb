// Entry point of the `tsbox` command. For `tsbox run` the supervisor thread starts before the
// rest of tsbox is even loaded, so the two load in parallel; then the subcommands take over.
import { startSupervisorThread } from './supervisor-thread.js';

export async function main(argv: string[]): Promise<void> {
  const early = argv[0] === 'run' || argv[0] === 'learn' ? startSupervisorThread() : null;
  const { runCli } = await import('./commands.js');
  runCli(argv, early);
}
