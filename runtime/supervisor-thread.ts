// Starts the supervisor Worker (worker.ts). Started as early as possible: its modules load while
// the main thread parses the command line and the policy.
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

export function startSupervisorThread(): Worker {
  // In dist/bundle the Worker is a CommonJS bundle (scripts/bundle.mjs says why); in dist/runtime
  // it is the compiled ES module.
  const bundled = new URL('./worker.cjs', import.meta.url);
  return new Worker(existsSync(bundled) ? bundled : new URL('./worker.js', import.meta.url));
}
