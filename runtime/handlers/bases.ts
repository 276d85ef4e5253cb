// The directory a relative path starts from: the tracee's cwd or one of its directory fds. The
// kernel knows both as host paths (/proc/<pid>/cwd, /proc/<pid>/fd/<n>); the guest view is their
// translation. Read on demand: threads share a cwd, fchdir and chdir need no tracking this way.
import type { Base, PathTranslator, Resolved } from '../paths.js';
import { ERRNO } from '../../arch/index.js';
import { readHostLink } from '../host-fs.js';

export const AT_FDCWD = -100;

export const hostLink = readHostLink;

/** The base for `dirfd` of task `pid`, or an errno (EBADF for a closed fd). */
export function baseOf(translator: PathTranslator, pid: number, dirfd: number): Base | number {
  const host = hostLink(dirfd === AT_FDCWD ? `/proc/${pid}/cwd` : `/proc/${pid}/fd/${dirfd}`);
  if (host === null || !host.startsWith('/')) return dirfd === AT_FDCWD ? ERRNO.ENOENT : ERRNO.EBADF;
  return { host, guest: translator.toGuest(host) ?? '/' };
}

/** Absolute paths start from the guest "/" (no lookup of the tracee's cwd needed). */
const ROOT_BASE: Base = { guest: '/', host: '/' };

/**
 * Resolves a path a tracee named, absolute or relative to `dirfd` (or its cwd), in guest terms:
 * the one way every handler turns a program's path into a Resolved, or an errno.
 */
export function resolveNamed(translator: PathTranslator, pid: number, raw: string, dirfd: number, follow: boolean): Resolved | number {
  const base = raw.startsWith('/') ? ROOT_BASE : baseOf(translator, pid, dirfd);
  if (typeof base === 'number') return base;
  const r = translator.resolve(raw, base, follow, pid);
  return 'errno' in r ? r.errno : r;
}
