// Syscall classes for `--trace=file,process,network`: which syscalls each class names, and the
// numbers a trace of those classes must add to the seccomp filter's TRACE set.
import { hostArch } from '../../arch/index.js';
import { PATH_SYSCALLS } from '../handlers/path-table.js';

export const TRACE_CLASSES = ['file', 'process', 'network'] as const;
export type TraceClass = (typeof TRACE_CLASSES)[number];

// sendto stops only when it names a destination (unix-sockets.ts sets that filter condition).
const NETWORK = ['socket', 'socketpair', 'connect', 'bind', 'listen', 'accept', 'accept4', 'sendto'];
const PROCESS = ['clone', 'clone3', 'fork', 'vfork', 'execve', 'execveat', 'exit', 'exit_group', 'kill', 'tkill', 'tgkill', 'wait4'];
// Every syscall that names a path (path-table.ts) except the exec family (that is `process`), plus
// getcwd and fchdir, which decide what later relative paths mean.
const FILE = [...Object.keys(PATH_SYSCALLS).filter((n) => n !== 'execve' && n !== 'execveat'), 'getcwd', 'fchdir'];

const BY_CLASS: Readonly<Record<TraceClass, readonly string[]>> = { file: FILE, process: PROCESS, network: NETWORK };

/** The class of a syscall name, or null when it is in none (e.g. a remapped getuid). */
export function classOf(name: string): TraceClass | null {
  for (const c of TRACE_CLASSES) if (BY_CLASS[c].includes(name)) return c;
  return null;
}

/** The syscall numbers of these classes on this machine. */
export function syscallsOf(classes: readonly TraceClass[]): number[] {
  const table = hostArch().syscalls;
  const out: number[] = [];
  for (const c of classes) for (const name of BY_CLASS[c]) if (table[name] !== undefined) out.push(table[name]);
  return [...new Set(out)];
}

/**
 * Parses `--trace` / `--trace=file,network`: `all` (or nothing) selects every trapped syscall,
 * including those in no class; a list selects only those classes. Throws on an unknown class.
 */
export function parseTraceClasses(value: string | true): TraceClass[] | 'all' {
  if (value === true || value === '' || value === 'all') return 'all';
  const parts = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of parts) {
    if (!(TRACE_CLASSES as readonly string[]).includes(p)) {
      throw new Error(`unknown trace class "${p}" (known: ${TRACE_CLASSES.join(', ')}, or all)`);
    }
  }
  return [...new Set(parts)] as TraceClass[];
}
