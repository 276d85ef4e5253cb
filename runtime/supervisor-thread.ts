// Starts the supervisor Worker (worker.ts). Started as early as possible: its modules load while
// the main thread parses the command line and the policy.
import { Worker } from 'node:worker_threads';

export function startSupervisorThread(): Worker {
  return new Worker(new URL('./worker.js', import.meta.url));
}
