// The one module that binds libc through koffi. Every foreign call tsbox makes is declared here,
// so the unsafe surface is one short, reviewable file. Callers pass NativeMemory (memory the FFI
// allocated once, whose address never moves) where the C side keeps or fills a pointer.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type Koffi from 'koffi';

/**
 * koffi's entry point finds its prebuilt addon by reading node's own ELF header to tell glibc
 * from musl: ~13 ms of every start-up on this machine. On x86_64 glibc Linux, the platform tsbox
 * runs on, the addon is known by name, so it is loaded directly (after the same version check
 * koffi makes); anywhere else, or if that fails, through the entry point.
 */
function loadKoffi(): typeof Koffi {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('koffi');
  if (process.platform === 'linux' && process.arch === 'x64' && process.versions.napi !== undefined) {
    try {
      const native = createRequire(entry)('@koromix/koffi-linux-x64/linux_x64/koffi.node') as typeof Koffi & { version: string };
      const { version } = JSON.parse(readFileSync(join(dirname(entry), 'package.json'), 'utf8')) as { version: string };
      if (native.version === version) return native;
    } catch { /* not this layout: the entry point knows */ }
  }
  return require(entry) as typeof Koffi;
}

const koffi = loadKoffi();
const libc = koffi.load('libc.so.6');

/** A block of C memory with a stable address and a JS view over it. */
export interface NativeMemory {
  readonly ptr: unknown; // koffi pointer, passed to C functions
  readonly address: bigint;
  /** The same address as a Number (exact: user addresses are below 2^47), cheaper to pass. */
  readonly addr: number;
  readonly size: number;
  readonly view: DataView;
  readonly bytes: Buffer;
}

export function allocNative(size: number): NativeMemory {
  const ptr = koffi.alloc('uint8', size);
  const buffer = koffi.view(ptr, size);
  const address = koffi.address(ptr);
  return { ptr, address, addr: Number(address), size, view: new DataView(buffer), bytes: Buffer.from(buffer) };
}

/** Releases memory from allocNative (only for blocks not kept for the life of the thread). */
export const freeNative = (m: NativeMemory): void => koffi.free(m.ptr);

/** errno of the last failed call on this thread; read it right after the call. */
export const lastErrno = (): number => koffi.errno();

// ptrace is variadic in glibc; a fixed prototype is fine on x86_64 for integer arguments.
// PEEKDATA goes through raw syscall() so the word lands in *data instead of the return value.
export const ptrace = libc.func('long ptrace(long request, int pid, uintptr_t addr, uintptr_t data)') as (
  request: number, pid: number, addr: number | bigint, data: number | bigint) => number;
const rawSyscall4 = libc.func('long syscall(long nr, long a, long b, uintptr_t c, uintptr_t d)') as (
  nr: number, a: number, b: number, c: number | bigint, d: number | bigint) => number;
export const syscall4 = rawSyscall4;
/** A raw syscall with up to six integer/address arguments (addresses as bigint). */
export const syscall6 = libc.func('long syscall(long nr, uintptr_t a, uintptr_t b, uintptr_t c, uintptr_t d, uintptr_t e, uintptr_t f)') as (
  nr: number, a: number | bigint, b: number | bigint, c: number | bigint, d: number | bigint, e: number | bigint, f: number | bigint) => number;

export const waitpid = libc.func('int waitpid(int pid, void *status, int options)') as (
  pid: number, status: unknown, options: number) => number;
export const kill = libc.func('int kill(int pid, int sig)') as (pid: number, sig: number) => number;
export const tgkill = libc.func('int tgkill(int tgid, int tid, int sig)') as (tgid: number, tid: number, sig: number) => number;
export const getpid = libc.func('int getpid()') as () => number;
export const gettid = libc.func('int gettid()') as () => number;

export const processVmReadv = libc.func(
  'intptr_t process_vm_readv(int pid, void *local, unsigned long liovcnt, void *remote, unsigned long riovcnt, unsigned long flags)',
) as (pid: number, local: unknown, lcnt: number, remote: unknown, rcnt: number, flags: number) => number;
export const processVmWritev = libc.func(
  'intptr_t process_vm_writev(int pid, void *local, unsigned long liovcnt, void *remote, unsigned long riovcnt, unsigned long flags)',
) as (pid: number, local: unknown, lcnt: number, remote: unknown, rcnt: number, flags: number) => number;

// Paths are passed as NUL-terminated bytes in NativeMemory (file names need not be UTF-8).
export const lstatRaw = libc.func('int lstat(void *path, void *buf)') as (path: unknown, buf: unknown) => number;
export const readlinkRaw = libc.func('intptr_t readlink(void *path, void *buf, size_t size)') as (
  path: unknown, buf: unknown, size: number) => number;
export const fcntl3 = libc.func('int fcntl(int fd, int cmd, long arg)') as (fd: number, cmd: number, arg: number) => number;
export const prlimit = libc.func('int prlimit(int pid, int resource, void *newLimit, void *oldLimit)') as (
  pid: number, resource: number, newLimit: unknown, oldLimit: unknown) => number;

// posix_spawn and its helpers. argv/envp are JS string arrays ending in null.
export const posixSpawn = libc.func(
  'int posix_spawn(void *pid, const char *path, void *fileActions, void *attr, const char **argv, const char **envp)',
) as (pid: unknown, path: string, fa: unknown, attr: unknown, argv: (string | null)[], envp: (string | null)[]) => number;
export const spawnFileActionsInit = libc.func('int posix_spawn_file_actions_init(void *fa)') as (fa: unknown) => number;
export const spawnFileActionsAddDup2 = libc.func('int posix_spawn_file_actions_adddup2(void *fa, int fd, int newfd)') as (
  fa: unknown, fd: number, newfd: number) => number;
export const spawnFileActionsDestroy = libc.func('int posix_spawn_file_actions_destroy(void *fa)') as (fa: unknown) => number;
export const spawnAttrInit = libc.func('int posix_spawnattr_init(void *attr)') as (attr: unknown) => number;
export const spawnAttrSetFlags = libc.func('int posix_spawnattr_setflags(void *attr, short flags)') as (attr: unknown, flags: number) => number;
export const spawnAttrSetSigDefault = libc.func('int posix_spawnattr_setsigdefault(void *attr, void *set)') as (attr: unknown, set: unknown) => number;
export const spawnAttrSetSigMask = libc.func('int posix_spawnattr_setsigmask(void *attr, void *set)') as (attr: unknown, set: unknown) => number;
export const spawnAttrDestroy = libc.func('int posix_spawnattr_destroy(void *attr)') as (attr: unknown) => number;
export const sigFillSet = libc.func('int sigfillset(void *set)') as (set: unknown) => number;
export const sigEmptySet = libc.func('int sigemptyset(void *set)') as (set: unknown) => number;
