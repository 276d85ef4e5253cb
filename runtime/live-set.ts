// The pids of every live tracee, shared between the supervisor Worker (which adds and removes)
// and the main thread (which kills them all on timeout while the Worker is blocked in waitpid).
import type { LiveSet } from './supervisor.js';

const SLOTS = 8192;

export function createLiveBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(SLOTS * 4);
}

export function liveSetOver(buffer: SharedArrayBuffer): LiveSet & { all(): number[] } {
  const slots = new Int32Array(buffer);
  return {
    add(pid) {
      for (let i = 0; i < SLOTS; i++) if (Atomics.compareExchange(slots, i, 0, pid) === 0) return;
    },
    remove(pid) {
      for (let i = 0; i < SLOTS; i++) if (Atomics.compareExchange(slots, i, pid, 0) === pid) return;
    },
    all() {
      const pids: number[] = [];
      for (let i = 0; i < SLOTS; i++) {
        const pid = Atomics.load(slots, i);
        if (pid !== 0) pids.push(pid);
      }
      return pids;
    },
  };
}
