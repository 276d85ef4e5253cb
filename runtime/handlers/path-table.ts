// Which argument of which syscall is a path, what it is relative to, whether a final symlink is
// followed, and what the call does to it (for `access: ro / none`). One row per path-taking
// syscall on Linux; a syscall missing here would let a program name host paths directly.

export type Intent = 'read' | 'write' | 'create' | 'delete' | 'exec';

/** Follow the final symlink: always, never, or unless / only if a flag bit is set in an argument. */
export type Follow = 'yes' | 'no' | { arg: number; unlessSet?: number; onlyIfSet?: number };

export interface PathArg {
  path: number;
  /** Argument holding the directory fd the path is relative to (absent: the cwd). */
  dirfd?: number;
  follow: Follow;
  intent: Intent;
  /** The pointer may be NULL (utimensat, fanotify_mark): then there is no path to look at. */
  nullable?: boolean;
  /** An empty path is allowed when this bit is set in this argument (AT_EMPTY_PATH): an fd op. */
  emptyPath?: { arg: number; bit: number };
}

export type Emulation = 'stat' | 'statx' | 'access' | 'readlink' | 'statfs' | 'getxattr' | 'listxattr';

export interface PathSyscall {
  args: PathArg[];
  /** The supervisor answers the call itself (a query with no lasting effect): one stop, no rewrite. */
  emulate?: Emulation;
  /** Argument with open(2) flags, which decide the intent (read, write or create). */
  openFlags?: number;
  /** Argument pointing to struct open_how (openat2). */
  openHow?: number;
  /** Argument with access(2)'s mode (W_OK makes it a write check). */
  accessMode?: number;
  /** Restore rewritten arguments only on failure (execve: on success the registers are new). */
  exec?: boolean;
}

export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_SYMLINK_FOLLOW = 0x400;
export const AT_EMPTY_PATH = 0x1000;
export const O_NOFOLLOW = 0o400000;
const IN_DONT_FOLLOW = 0x02000000;

const at = (dirfd: number, path: number, follow: Follow, intent: Intent, extra: Partial<PathArg> = {}): PathArg =>
  ({ dirfd, path, follow, intent, ...extra });
const plain = (path: number, follow: Follow, intent: Intent, extra: Partial<PathArg> = {}): PathArg =>
  ({ path, follow, intent, ...extra });
const nofollowFlag = (arg: number): Follow => ({ arg, unlessSet: AT_SYMLINK_NOFOLLOW });
const emptyOk = (arg: number) => ({ emptyPath: { arg, bit: AT_EMPTY_PATH } });

export const PATH_SYSCALLS: Readonly<Record<string, PathSyscall>> = {
  open: { args: [plain(0, { arg: 1, unlessSet: O_NOFOLLOW }, 'read')], openFlags: 1 },
  openat: { args: [at(0, 1, { arg: 2, unlessSet: O_NOFOLLOW }, 'read')], openFlags: 2 },
  openat2: { args: [at(0, 1, 'yes', 'read')], openHow: 2 },
  creat: { args: [plain(0, 'yes', 'create')] },
  stat: { args: [plain(0, 'yes', 'read')], emulate: 'stat' },
  lstat: { args: [plain(0, 'no', 'read')], emulate: 'stat' },
  newfstatat: { args: [at(0, 1, nofollowFlag(3), 'read', emptyOk(3))], emulate: 'stat' },
  statx: { args: [at(0, 1, nofollowFlag(2), 'read', emptyOk(2))], emulate: 'statx' },
  access: { args: [plain(0, 'yes', 'read')], emulate: 'access', accessMode: 1 },
  faccessat: { args: [at(0, 1, 'yes', 'read')], emulate: 'access', accessMode: 2 },
  faccessat2: { args: [at(0, 1, nofollowFlag(3), 'read', emptyOk(3))], emulate: 'access', accessMode: 2 },
  readlink: { args: [plain(0, 'no', 'read')], emulate: 'readlink' },
  readlinkat: { args: [at(0, 1, 'no', 'read', { emptyPath: { arg: 0, bit: 0 } })], emulate: 'readlink' },
  execve: { args: [plain(0, 'yes', 'exec')], exec: true },
  execveat: { args: [at(0, 1, nofollowFlag(4), 'exec', emptyOk(4))], exec: true },
  chdir: { args: [plain(0, 'yes', 'read')] },
  chroot: { args: [plain(0, 'yes', 'read')] },
  mkdir: { args: [plain(0, 'no', 'create')] },
  mkdirat: { args: [at(0, 1, 'no', 'create')] },
  mknod: { args: [plain(0, 'no', 'create')] },
  mknodat: { args: [at(0, 1, 'no', 'create')] },
  unlink: { args: [plain(0, 'no', 'delete')] },
  unlinkat: { args: [at(0, 1, 'no', 'delete')] },
  rmdir: { args: [plain(0, 'no', 'delete')] },
  rename: { args: [plain(0, 'no', 'delete'), plain(1, 'no', 'create')] },
  renameat: { args: [at(0, 1, 'no', 'delete'), at(2, 3, 'no', 'create')] },
  renameat2: { args: [at(0, 1, 'no', 'delete'), at(2, 3, 'no', 'create')] },
  // A hard link to a read-only file in a writable folder would make it writable: the source
  // needs write access too.
  link: { args: [plain(0, 'no', 'write'), plain(1, 'no', 'create')] },
  linkat: { args: [at(0, 1, { arg: 4, onlyIfSet: AT_SYMLINK_FOLLOW }, 'write', emptyOk(4)), at(2, 3, 'no', 'create')] },
  symlink: { args: [plain(1, 'no', 'create')] }, // arg 0 is the link's content, not a path to translate
  symlinkat: { args: [at(1, 2, 'no', 'create')] },
  chmod: { args: [plain(0, 'yes', 'write')] },
  fchmodat: { args: [at(0, 1, 'yes', 'write')] },
  fchmodat2: { args: [at(0, 1, nofollowFlag(3), 'write', emptyOk(3))] },
  chown: { args: [plain(0, 'yes', 'write')] },
  lchown: { args: [plain(0, 'no', 'write')] },
  fchownat: { args: [at(0, 1, nofollowFlag(4), 'write', emptyOk(4))] },
  truncate: { args: [plain(0, 'yes', 'write')] },
  utime: { args: [plain(0, 'yes', 'write')] },
  utimes: { args: [plain(0, 'yes', 'write')] },
  futimesat: { args: [at(0, 1, 'yes', 'write', { nullable: true })] },
  utimensat: { args: [at(0, 1, nofollowFlag(3), 'write', { nullable: true, ...emptyOk(3) })] },
  setxattr: { args: [plain(0, 'yes', 'write')] },
  lsetxattr: { args: [plain(0, 'no', 'write')] },
  removexattr: { args: [plain(0, 'yes', 'write')] },
  lremovexattr: { args: [plain(0, 'no', 'write')] },
  getxattr: { args: [plain(0, 'yes', 'read')], emulate: 'getxattr' },
  lgetxattr: { args: [plain(0, 'no', 'read')], emulate: 'getxattr' },
  listxattr: { args: [plain(0, 'yes', 'read')], emulate: 'listxattr' },
  llistxattr: { args: [plain(0, 'no', 'read')], emulate: 'listxattr' },
  setxattrat: { args: [at(0, 1, nofollowFlag(2), 'write', emptyOk(2))] },
  getxattrat: { args: [at(0, 1, nofollowFlag(2), 'read', emptyOk(2))] },
  listxattrat: { args: [at(0, 1, nofollowFlag(2), 'read', emptyOk(2))] },
  removexattrat: { args: [at(0, 1, nofollowFlag(2), 'write', emptyOk(2))] },
  statfs: { args: [plain(0, 'yes', 'read')], emulate: 'statfs' },
  inotify_add_watch: { args: [plain(1, { arg: 2, unlessSet: IN_DONT_FOLLOW }, 'read')] },
  fanotify_mark: { args: [at(3, 4, 'yes', 'read', { nullable: true })] },
  name_to_handle_at: { args: [at(0, 1, { arg: 4, onlyIfSet: AT_SYMLINK_FOLLOW }, 'read', emptyOk(4))] },
  uselib: { args: [plain(0, 'yes', 'exec')] },
  acct: { args: [plain(0, 'yes', 'write', { nullable: true })] },
  swapon: { args: [plain(0, 'yes', 'write')] },
  swapoff: { args: [plain(0, 'yes', 'write')] },
  mount: { args: [plain(1, 'yes', 'write')] },
  umount2: { args: [plain(0, 'no', 'write')] },
  pivot_root: { args: [plain(0, 'yes', 'write'), plain(1, 'yes', 'write')] },
  open_tree: { args: [at(0, 1, 'yes', 'read', emptyOk(2))] },
  move_mount: { args: [at(0, 1, 'yes', 'write', emptyOk(4)), at(2, 3, 'yes', 'write', emptyOk(4))] },
  fspick: { args: [at(0, 1, 'yes', 'read', emptyOk(2))] },
  mount_setattr: { args: [at(0, 1, 'yes', 'write', emptyOk(2))] },
};
