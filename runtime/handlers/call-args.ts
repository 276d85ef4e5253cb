// A trapped call's arguments as the program meant them: path arguments read from its memory
// and, when needed, resolved in guest terms against the right base (the cwd or the call's dirfd,
// per path-table.ts); other arguments as numbers. For log lines and path-conditioned remaps.
import type { Supervisor } from '../supervisor.js';
import type { Tracee } from '../tracee.js';
import { AT_FDCWD, resolveNamed } from './bases.js';
import { PATH_SYSCALLS } from './path-table.js';

/** The first three arguments; path arguments as the strings the program passed. */
export function describeArgs(sv: Supervisor, t: Tracee, syscall: string): Array<number | string | null> {
  const pathArgs = new Set(PATH_SYSCALLS[syscall]?.args.map((a) => a.path) ?? []);
  return [0, 1, 2].map((i) => (pathArgs.has(i) ? sv.memory.readCString(t.pid, sv.regs.arg(i)) : sv.regs.arg(i)));
}

/** The canonical guest path named by argument `index` (the final symlink not followed), or null. */
export function guestPathArg(sv: Supervisor, t: Tracee, syscall: string, index: number): string | null {
  const raw = sv.memory.readCString(t.pid, sv.regs.arg(index));
  if (raw === null || raw === '') return null;
  const spec = PATH_SYSCALLS[syscall]?.args.find((a) => a.path === index);
  const dirfd = spec?.dirfd === undefined ? AT_FDCWD : sv.regs.argInt(spec.dirfd);
  const r = resolveNamed(sv.translator, t.pid, raw, dirfd, false);
  return typeof r === 'number' ? null : r.guest;
}
