// The progress line on a terminal: processes alive, syscalls trapped, denials so far, elapsed
// time, redrawn in place at most four times a second by the main thread. The supervisor Worker
// counts into a SharedArrayBuffer (plain stores, one writer); the main thread only reads it. When
// stderr is not a terminal nothing is ever written.
import { readdirSync } from 'node:fs';

/** Slots of the shared counters (Int32). */
export const SLOT = { stops: 0, denials: 1, remaps: 2 } as const;
const SLOTS = 4;
const FIRST_DRAW_MS = 1000;

export function createProgressBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(SLOTS * 4);
}

export function progressCounters(buffer: SharedArrayBuffer): Int32Array {
  return new Int32Array(buffer);
}

/** Live tasks that are processes: /proc lists thread-group leaders only, never other threads. */
function processesAlive(tasks: number[]): number {
  if (tasks.length === 0) return 0;
  let leaders: Set<string>;
  try {
    leaders = new Set(readdirSync('/proc'));
  } catch {
    return tasks.length;
  }
  return tasks.filter((pid) => leaders.has(String(pid))).length;
}

function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export interface ProgressSource {
  counters: Int32Array;
  /** Every live tracee (threads included). */
  tasks(): number[];
}

export interface Progress {
  stop(): void;
}

/**
 * Starts the status line on `stream` if it is a terminal; otherwise does nothing. `stop` erases
 * the line (call it before printing anything else and before exiting).
 */
export function startProgress(stream: NodeJS.WriteStream, source: ProgressSource, intervalMs = 250): Progress {
  if (!stream.isTTY) return { stop() {} };
  const started = Date.now();
  let shown = '';
  const draw = () => {
    const c = source.counters;
    const denied = Atomics.load(c, SLOT.denials);
    const remapped = Atomics.load(c, SLOT.remaps);
    const parts = [
      `${processesAlive(source.tasks())} processes`,
      `${Atomics.load(c, SLOT.stops).toLocaleString('en-US')} syscalls trapped`,
      `${denied} denied`,
      ...(remapped > 0 ? [`${remapped} remapped`] : []),
      elapsed(Date.now() - started),
    ];
    let line = `tsbox: ${parts.join(' · ')}`;
    const width = stream.columns || 80; // 0 on a terminal with no size set (e.g. script(1))
    if (line.length >= width) line = line.slice(0, Math.max(0, width - 1));
    if (line === shown) return;
    shown = line;
    stream.write(`\r\x1b[2K${line}`);
  };
  // Only long runs get a line: nothing is drawn during the first second.
  const timer = setInterval(() => Date.now() - started >= FIRST_DRAW_MS && draw(), intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      if (shown !== '') stream.write('\r\x1b[2K');
      shown = '';
    },
  };
}
