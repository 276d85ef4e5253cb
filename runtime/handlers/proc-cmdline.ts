// /proc/PID/cmdline in guest terms. A program run through the guest's loader was exec'd as
//     ld.so --argv0 NAME PROGRAM ARGS...
// and the kernel shows exactly those strings; natively (and under PRoot) it shows NAME ARGS....
// An open of such a process's cmdline is pointed at a snapshot of it without the loader's part
// (run-dir.ts); taken at open time, so a program that later rewrites its own arguments
// (setproctitle) shows what it had when it was opened.
import { readFileSync } from 'node:fs';
import type { Supervisor } from '../supervisor.js';

const CMDLINE = /^\/proc\/(\d+)\/(?:task\/\d+\/)?cmdline$/;
const LOADER_OPTION = '--argv0'; // the loader's own option between its path and NAME

/** The guest's view of a loader command line: NAME ARGS... out of ld.so --argv0 NAME PROGRAM ARGS.... */
export function guestCmdline(raw: Buffer): Buffer | null {
  const ends: number[] = [];
  for (let at = raw.indexOf(0); at >= 0 && ends.length < 4; at = raw.indexOf(0, at + 1)) ends.push(at);
  if (ends.length < 4) return null;
  const option = raw.subarray(ends[0] + 1, ends[1]).toString('latin1');
  if (option !== LOADER_OPTION) return null;
  const name = raw.subarray(ends[1] + 1, ends[2] + 1); // NAME and its NUL
  return Buffer.concat([name, raw.subarray(ends[3] + 1)]);
}

/**
 * For an open of `host` for reading: the host path of a snapshot to open instead, or null to
 * open `host` itself (not a cmdline, not a process started through the loader, or gone).
 */
export function cmdlineSnapshot(sv: Supervisor, host: string): string | null {
  const runDir = sv.runDir;
  if (runDir === null || !host.endsWith('/cmdline')) return null; // every open under root asks
  const m = CMDLINE.exec(host);
  if (m === null || sv.tracees.get(Number(m[1]))?.viaLoader !== true) return null;
  let raw: Buffer;
  try {
    raw = readFileSync(host);
  } catch {
    return null; // the process ended: the kernel gives the program the same answer
  }
  const guest = guestCmdline(raw);
  return guest === null ? null : runDir.snapshot(guest, sv.translator.toGuest(host) ?? host);
}
