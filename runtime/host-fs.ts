// The two host lookups path resolution makes for every component: lstat (is it a symlink, a
// folder, missing?) and readlink. Direct libc calls into memory allocated once: this runs on
// every trapped stop, where building a fs.Stats object per component is measurable.
import { hostArch } from '../arch/index.js';
import { allocNative, freeNative, lastErrno, lstatRaw, readlinkRaw, syscall6, type NativeMemory } from './ffi.js';

const arch = hostArch();
const S_IFMT = 0o170000, S_IFDIR = 0o040000, S_IFLNK = 0o120000, S_IFREG = 0o100000;
const ENOTDIR = 20, ENAMETOOLONG = 36;

const pathMem = allocNative(8192);
const statMem = allocNative(256);
const linkMem = allocNative(8192);

function put(path: string): void {
  const n = pathMem.bytes.write(path, 'latin1');
  pathMem.bytes[n] = 0;
}

/** 'toolong': a component longer than NAME_MAX (the kernel's ENAMETOOLONG). */
export type HostKind = 'missing' | 'notdir' | 'toolong' | 'dir' | 'symlink' | 'other';

// The path whose lstat result statMem holds, within the current stop (see reuseLstat).
let lstatOf: string | null = null;

export function lookupHost(path: string): HostKind {
  put(path);
  lstatOf = null;
  if (lstatRaw(pathMem.ptr, statMem.ptr) !== 0) {
    const errno = lastErrno();
    return errno === ENOTDIR ? 'notdir' : errno === ENAMETOOLONG ? 'toolong' : 'missing';
  }
  const mode = statMem.view.getUint32(arch.statModeOffset, true) & S_IFMT;
  lstatOf = path;
  return mode === S_IFDIR ? 'dir' : mode === S_IFLNK ? 'symlink' : 'other';
}

/** Called at every stop: an lstat result is reused only within the stop that made it. */
export function forgetLstat(): void {
  lstatOf = null;
}

/**
 * Copies the struct stat of `path` into `into` when this stop already lstat'ed it and it is not
 * a symlink (so stat and lstat agree): resolving a followed path looks at its last component,
 * and an emulated stat() of it then needs no second syscall.
 */
export function reuseLstat(path: string, into: NativeMemory): boolean {
  if (lstatOf !== path) return false;
  if ((statMem.view.getUint32(arch.statModeOffset, true) & S_IFMT) === S_IFLNK) return false;
  into.bytes.set(statMem.bytes.subarray(0, arch.statSize));
  return true;
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

// struct open_how { u64 flags; u64 mode; u64 resolve; }
const openHow = allocNative(24);
const O_PATH = 0o10000000, O_CLOEXEC = 0o2000000;
const RESOLVE_NO_SYMLINKS = 0x04;
const ENOENT = 2;
openHow.view.setBigUint64(0, BigInt(O_PATH | O_CLOEXEC), true);
openHow.view.setBigUint64(16, BigInt(RESOLVE_NO_SYMLINKS), true);

/**
 * True when the kernel meets no symlink walking `path` (one openat2 with RESOLVE_NO_SYMLINKS
 * instead of one lstat per component). A missing component counts as "no symlink": the kernel
 * stops there too, and everything before it was a real folder.
 */
export function noSymlinksIn(path: string): boolean {
  put(path);
  const fd = syscall6(arch.syscalls.openat2, AT_FDCWD, pathMem.address, openHow.address, 24, 0, 0);
  if (fd >= 0) {
    closeFd(fd);
    return true;
  }
  const errno = lastErrno();
  return errno === ENOENT; // ELOOP: a symlink on the way (ENOTDIR etc.: let the walk report it)
}

const closeFd = (fd: number) => syscall6(arch.syscalls.close, fd, 0, 0, 0, 0, 0);

const O_RDONLY = 0, O_NONBLOCK = 0o4000;
const headMem = allocNative(65536);

/**
 * The first bytes of programs exec'd recently, by host path, with the identity of the file they
 * were read from (device, inode, size, modification and change times): every exec needs them
 * (#! line, ELF header), and one lstat, often already made by this stop's path resolution,
 * replaces an open, a read and a close. Timestamps can be coarser than two quick writes, so
 * every open for writing, create or remove by a sandboxed program forgets them all.
 */
const heads = new Map<string, { identity: string; length: number; head: Buffer }>();
const MAX_HEADS = 256;

function identityOfLstat(): string {
  let id = '';
  for (const [at, len] of arch.statIdentity) id += statMem.bytes.toString('latin1', at, at + len);
  return id;
}

export function forgetHeads(): void {
  heads.clear();
}

/**
 * readHostFile(path, length) for the start of a program, remembered while the file is the same;
 * 'irregular' for what is there but no regular file (a folder, a FIFO: opening one to read would
 * wait for a writer), which the kernel refuses to run.
 */
export function readHostHead(path: string, length: number): Buffer | 'irregular' | null {
  if (lstatOf !== path) lookupHost(path);
  if (lstatOf !== path) return null; // missing, or not reachable
  const type = statMem.view.getUint32(arch.statModeOffset, true) & S_IFMT;
  if (type === S_IFLNK) return readHostFile(path, length); // /proc/PID/exe: the kernel follows it
  if (type !== S_IFREG) return 'irregular';
  const identity = identityOfLstat();
  const known = heads.get(path);
  if (known !== undefined && known.identity === identity && known.length >= length) {
    return known.head.length > length ? known.head.subarray(0, length) : known.head;
  }
  const head = readHostFile(path, length);
  if (head === null) return null;
  if (heads.size >= MAX_HEADS) heads.clear();
  heads.set(path, { identity, length, head });
  return head;
}

/**
 * Up to `length` bytes of a host file from `offset` (fewer at its end), or null: three raw
 * syscalls into memory allocated once (node:fs costs ~20 µs more per exec, where this runs).
 */
export function readHostFile(path: string, length: number, offset = 0): Buffer | null {
  const into = length <= headMem.size ? headMem : allocNative(length); // an ELF with a huge header table
  try {
    put(path);
    // O_NONBLOCK: a FIFO a sandboxed program put where a file was expected must not hold the
    // supervisor until someone writes to it (its read then fails: null).
    const fd = syscall6(arch.syscalls.openat, AT_FDCWD, pathMem.address, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0, 0, 0);
    if (fd < 0) return null;
    const n = syscall6(arch.syscalls.pread64, fd, into.addr, length, offset, 0, 0);
    closeFd(fd);
    return n < 0 ? null : Buffer.from(into.bytes.subarray(0, n)); // a copy: the next call reuses the memory
  } finally {
    if (into !== headMem) freeNative(into);
  }
}

// Facts about host paths remembered between stops: forgotten whenever a sandboxed program
// creates, removes or renames anything (a folder could have become a symlink), and after
// CLEAN_FOLDER_MS in any case, to bound what a change made outside the sandbox could leave stale.
const CLEAN_FOLDER_MS = 1000;
const untilChanged: Array<Map<string, unknown>> = [];

export function forgetCleanFolders(): void {
  for (const cache of untilChanged) cache.clear();
}

/** A cache with that lifetime (clean folders here, walks through symlinked folders in paths.ts). */
export class UntilChanged<T> {
  private readonly entries = new Map<string, { until: number; value: T }>();
  constructor() {
    untilChanged.push(this.entries);
  }
  get(key: string): T | undefined {
    const e = this.entries.get(key);
    return e !== undefined && e.until > Date.now() ? e.value : undefined;
  }
  set(key: string, value: T): void {
    if (this.entries.size > 4096) this.entries.clear();
    this.entries.set(key, { until: Date.now() + CLEAN_FOLDER_MS, value });
  }
}

/**
 * Folders recently seen free of symlinks (paths in them need only their last component looked
 * at), and folders recently seen with one on the way (/bin, /lib on a merged-/usr system: their
 * paths take the walk, itself remembered, without an openat2 that fails each time).
 */
const cleanFolders = new UntilChanged<boolean>();

/** noSymlinksIn for a folder, remembered for a while. */
export function folderHasNoSymlinks(folder: string): boolean {
  const known = cleanFolders.get(folder);
  if (known !== undefined) return known;
  const clean = noSymlinksIn(folder);
  cleanFolders.set(folder, clean);
  return clean;
}
