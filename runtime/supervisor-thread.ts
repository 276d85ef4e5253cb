// Starts the supervisor Worker (worker.ts). Started as early as possible: its modules load while
// the main thread parses the command line and the policy.
//
// An early exit of the main thread (a bad option, a policy error) can come while the Worker is
// still loading its modules, koffi's native addon among them: exiting then aborts Node.js (the
// addon throws into an environment being torn down: SIGABRT instead of exit 125). So the main
// thread exits through exitProcess, which first waits, briefly, for the Worker to say its modules
// are loaded. The flag sits on globalThis: the CLI's bundles each have their own copy of this
// module (scripts/bundle.mjs), and any of them may be the one that exits.
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

const LOADED = Symbol.for('tsbox.supervisorModulesLoaded');
const MAX_WAIT_MS = 2000; // a Worker that died while loading never says so

export function startSupervisorThread(): Worker {
  const loaded = new Int32Array(new SharedArrayBuffer(4));
  (globalThis as Record<symbol, unknown>)[LOADED] = loaded;
  // In dist/bundle the Worker is a CommonJS bundle (scripts/bundle.mjs says why); in dist/runtime
  // it is the compiled ES module.
  const bundled = new URL('./worker.cjs', import.meta.url);
  return new Worker(existsSync(bundled) ? bundled : new URL('./worker.js', import.meta.url), { workerData: { loaded: loaded.buffer } });
}

/** In the Worker, once its modules are loaded: the main thread may now exit safely. */
export function signalModulesLoaded(flag: SharedArrayBuffer | undefined): void {
  if (flag === undefined) return;
  const loaded = new Int32Array(flag);
  Atomics.store(loaded, 0, 1);
  Atomics.notify(loaded, 0);
}

/** process.exit, once no Worker is half-way through loading its modules. */
export function exitProcess(code: number): never {
  const loaded = (globalThis as Record<symbol, unknown>)[LOADED];
  if (loaded instanceof Int32Array) Atomics.wait(loaded, 0, 0, MAX_WAIT_MS);
  process.exit(code);
}
