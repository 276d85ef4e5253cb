// The two host lookups path resolution makes for every component: lstat (is it a symlink, a
// folder, missing?) and readlink. Direct libc calls into memory allocated once: this runs on
// every trapped stop, where building a fs.Stats object per component is measurable.
import { hostArch } from '../arch/index.js';
import { allocNative, lastErrno, lstatRaw, readlinkRaw, syscall6 } from './ffi.js';

const arch = hostArch();
const S_IFMT = 0o170000, S_IFDIR = 0o040000, S_IFLNK = 0o120000;
const ENOTDIR = 20;

const pathMem = allocNative(8192);
const statMem = allocNative(256);
const linkMem = allocNative(8192);

function put(path: string): void {
  const n = pathMem.bytes.write(path, 'latin1');
  pathMem.bytes[n] = 0;
}

export type HostKind = 'missing' | 'notdir' | 'dir' | 'symlink' | 'other';

export function lookupHost(path: string): HostKind {
  put(path);
  if (lstatRaw(pathMem.ptr, statMem.ptr) !== 0) return lastErrno() === ENOTDIR ? 'notdir' : 'missing';
  const mode = statMem.view.getUint32(arch.statModeOffset, true) & S_IFMT;
  return mode === S_IFDIR ? 'dir' : mode === S_IFLNK ? 'symlink' : 'other';
}

/** The target of a host symlink as a byte string, or null. */
export function readHostLink(path: string): string | null {
  put(path);
  const n = readlinkRaw(pathMem.ptr, linkMem.ptr, linkMem.size);
  return n < 0 ? null : linkMem.bytes.toString('latin1', 0, n);
}

const AT_FDCWD = BigInt.asUintN(64, -100n);

/** faccessat2 on a host path with the supervisor's credentials (the tracee's are the same): 0 or an errno. */
export function hostAccess(path: string, mode: number): number {
  put(path);
  return syscall6(arch.syscalls.faccessat2, AT_FDCWD, pathMem.address, mode, 0, 0, 0) === 0 ? 0 : lastErrno();
}
