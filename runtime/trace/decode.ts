// Turning a stopped call's raw registers into what a person reads: paths as strings, flags as
// their symbolic names (O_WRONLY|O_CREAT, AT_FDCWD, AF_INET, CLONE_VM|…), socket addresses as
// "10.0.0.1:443" or a unix path, results with their errno name. Values are x86_64 Linux's.
// Used by the tracer (every argument) and the report (socket addresses); never on the fast path.
import { constants } from 'node:os';
import { ERRNO } from '../../arch/index.js';
import type { Supervisor } from '../supervisor.js';
import type { Tracee } from '../tracee.js';

// ---- names of numbers -----------------------------------------------------------------------

const errnoNames: string[] = [];
for (const [name, n] of Object.entries(ERRNO)) if (errnoNames[n] === undefined) errnoNames[n] = name;
// Aliases the generated table lists first but strace and people use the other name for.
errnoNames[ERRNO.EAGAIN!] = 'EAGAIN';
errnoNames[ERRNO.EDEADLK!] = 'EDEADLK';

/** "ENOENT" for 2, "E123" when unknown. */
export const errnoName = (n: number): string => errnoNames[n] ?? `E${n}`;

const signalNames: string[] = [];
for (const [name, n] of Object.entries(constants.signals)) if (signalNames[n] === undefined) signalNames[n] = name;

/** "SIGTERM" for 15, "SIG42" when unknown. */
export const signalName = (n: number): string => signalNames[n] ?? `SIG${n}`;

type FlagTable = ReadonlyArray<readonly [name: string, bits: number]>;

function flags(value: number, table: FlagTable, zero = '0'): string {
  const out: string[] = [];
  let rest = value >>> 0;
  for (const [name, bits] of table) {
    if (bits !== 0 && (rest & bits) === bits) {
      out.push(name);
      rest = (rest & ~bits) >>> 0;
    }
  }
  if (rest !== 0) out.push(`0x${rest.toString(16)}`);
  return out.length > 0 ? out.join('|') : zero;
}

// Multi-bit flags first so that O_SYNC is not shown as O_DSYNC|0x100000.
const OPEN_FLAGS: FlagTable = [
  ['O_TMPFILE', 0o20200000], ['O_SYNC', 0o4010000], ['O_CREAT', 0o100], ['O_EXCL', 0o200], ['O_NOCTTY', 0o400],
  ['O_TRUNC', 0o1000], ['O_APPEND', 0o2000], ['O_NONBLOCK', 0o4000], ['O_DSYNC', 0o10000], ['O_ASYNC', 0o20000],
  ['O_DIRECT', 0o40000], ['O_LARGEFILE', 0o100000], ['O_DIRECTORY', 0o200000], ['O_NOFOLLOW', 0o400000],
  ['O_NOATIME', 0o1000000], ['O_CLOEXEC', 0o2000000], ['O_PATH', 0o10000000],
];
const O_ACCMODE = 3;
const O_CREAT = 0o100;
const O_TMPFILE = 0o20200000;

/** open(2) flags: "O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC". */
export function openFlags(value: number): string {
  const mode = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_ACCMODE'][value & O_ACCMODE]!;
  const rest = value & ~O_ACCMODE;
  return rest === 0 ? mode : `${mode}|${flags(rest, OPEN_FLAGS)}`;
}

/** Whether open flags carry a mode argument (O_CREAT or O_TMPFILE). */
const takesMode = (value: number): boolean => (value & O_CREAT) !== 0 || (value & O_TMPFILE) === O_TMPFILE;

const AT_FLAGS: FlagTable = [
  ['AT_SYMLINK_NOFOLLOW', 0x100], ['AT_SYMLINK_FOLLOW', 0x400], ['AT_NO_AUTOMOUNT', 0x800], ['AT_EMPTY_PATH', 0x1000],
  ['AT_STATX_FORCE_SYNC', 0x2000], ['AT_STATX_DONT_SYNC', 0x4000], ['AT_RECURSIVE', 0x8000],
];

/** *at(2) flags; 0x200 is AT_REMOVEDIR for unlinkat and AT_EACCESS elsewhere. */
export function atFlags(value: number, syscall: string): string {
  const table: FlagTable = [[syscall === 'unlinkat' ? 'AT_REMOVEDIR' : 'AT_EACCESS', 0x200], ...AT_FLAGS];
  return flags(value, table);
}

/** access(2) mode: "F_OK", "R_OK|W_OK". */
export const accessMode = (value: number): string =>
  value === 0 ? 'F_OK' : flags(value, [['R_OK', 4], ['W_OK', 2], ['X_OK', 1]]);

const FAMILIES: Record<number, string> = {
  0: 'AF_UNSPEC', 1: 'AF_UNIX', 2: 'AF_INET', 10: 'AF_INET6', 16: 'AF_NETLINK', 17: 'AF_PACKET',
  29: 'AF_CAN', 31: 'AF_BLUETOOTH', 38: 'AF_ALG', 40: 'AF_VSOCK', 44: 'AF_XDP',
};

/** socket(2) domain: "AF_INET". */
export const socketFamily = (value: number): string => FAMILIES[value] ?? `AF_${value}`;

const SOCK_TYPES: Record<number, string> = {
  1: 'SOCK_STREAM', 2: 'SOCK_DGRAM', 3: 'SOCK_RAW', 4: 'SOCK_RDM', 5: 'SOCK_SEQPACKET', 10: 'SOCK_PACKET',
};

/** socket(2) type: "SOCK_STREAM|SOCK_CLOEXEC". */
export function socketType(value: number): string {
  const base = SOCK_TYPES[value & 0xf] ?? `${value & 0xf}`;
  const rest = value & ~0xf;
  return rest === 0 ? base : `${base}|${flags(rest, [['SOCK_NONBLOCK', 0o4000], ['SOCK_CLOEXEC', 0o2000000]])}`;
}

const CLONE_FLAGS: FlagTable = [
  ['CLONE_VM', 0x100], ['CLONE_FS', 0x200], ['CLONE_FILES', 0x400], ['CLONE_SIGHAND', 0x800],
  ['CLONE_PIDFD', 0x1000], ['CLONE_PTRACE', 0x2000], ['CLONE_VFORK', 0x4000], ['CLONE_PARENT', 0x8000],
  ['CLONE_THREAD', 0x10000], ['CLONE_NEWNS', 0x20000], ['CLONE_SYSVSEM', 0x40000], ['CLONE_SETTLS', 0x80000],
  ['CLONE_PARENT_SETTID', 0x100000], ['CLONE_CHILD_CLEARTID', 0x200000], ['CLONE_UNTRACED', 0x800000],
  ['CLONE_CHILD_SETTID', 0x1000000], ['CLONE_NEWCGROUP', 0x2000000], ['CLONE_NEWUTS', 0x4000000],
  ['CLONE_NEWIPC', 0x8000000], ['CLONE_NEWUSER', 0x10000000], ['CLONE_NEWPID', 0x20000000],
  ['CLONE_NEWNET', 0x40000000], ['CLONE_IO', 0x80000000],
];

/** clone(2) flags, with the exit signal in the low byte: "CLONE_VM|CLONE_VFORK|SIGCHLD". */
export function cloneFlags(value: number): string {
  const signal = value & 0xff;
  const rest = (value & ~0xff) >>> 0;
  const parts = rest === 0 ? [] : [flags(rest, CLONE_FLAGS)];
  if (signal !== 0) parts.push(signalName(signal));
  return parts.length > 0 ? parts.join('|') : '0';
}

const RENAME_FLAGS: FlagTable = [['RENAME_NOREPLACE', 1], ['RENAME_EXCHANGE', 2], ['RENAME_WHITEOUT', 4]];

/** A permission mode in octal, as C writes it: 0644. */
export const octal = (value: number): string => `0${(value >>> 0).toString(8)}`;

/** A directory fd argument: AT_FDCWD or the number. */
export const dirfd = (value: number): string => (value === -100 ? 'AT_FDCWD' : String(value));

// ---- socket addresses ---------------------------------------------------------------------

export interface SockAddr {
  family: string;
  /** IPv4 or IPv6 address, for AF_INET / AF_INET6. */
  address?: string;
  port?: number;
  /** AF_UNIX: the path ("@name" for an abstract socket, "" for an unnamed one). */
  path?: string;
}

function ipv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  // ::ffff:a.b.c.d, as people write IPv4-mapped addresses.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  }
  // The longest run of two or more zero groups becomes "::" (RFC 5952).
  let bestAt = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestAt = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestAt < 0) return hex.join(':');
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLen).join(':')}`;
}

/** Decodes a struct sockaddr of `bytes.length` bytes (the length the program passed). */
export function decodeSockaddr(bytes: Uint8Array): SockAddr {
  if (bytes.length < 2) return { family: 'AF_UNSPEC' };
  const family = bytes[0]! | (bytes[1]! << 8);
  const name = socketFamily(family);
  const port = bytes.length >= 4 ? (bytes[2]! << 8) | bytes[3]! : 0;
  if (family === 2 && bytes.length >= 8) return { family: name, address: Array.from(bytes.subarray(4, 8)).join('.'), port };
  if (family === 10 && bytes.length >= 24) return { family: name, address: ipv6(bytes.subarray(8, 24)), port };
  if (family === 1) {
    const raw = bytes.subarray(2);
    if (raw.length === 0) return { family: name, path: '' };
    if (raw[0] === 0) return { family: name, path: `@${Buffer.from(raw.subarray(1)).toString('latin1').replace(/\0+$/, '')}` };
    const end = raw.indexOf(0);
    return { family: name, path: Buffer.from(end < 0 ? raw : raw.subarray(0, end)).toString('latin1') };
  }
  return { family: name };
}

/** "10.0.0.1:443", "[::1]:80", "/run/x.sock", "@abstract", or the family alone. */
export function formatSockaddr(a: SockAddr): string {
  if (a.path !== undefined) return a.path === '' ? `{${a.family}, unnamed}` : JSON.stringify(a.path);
  if (a.address !== undefined) return a.family === 'AF_INET6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
  return `{${a.family}}`;
}

/** Reads and decodes the sockaddr a call points to, or null (NULL pointer, bad length, fault). */
export function readSockaddr(sv: Supervisor, t: Tracee, pointer: number, length: number): SockAddr | null {
  if (pointer === 0 || length < 2 || length > 128) return null;
  const bytes = sv.memory.read(t.pid, pointer, length);
  return bytes === null ? null : decodeSockaddr(Uint8Array.from(bytes));
}

// ---- whole calls --------------------------------------------------------------------------

type ArgKind =
  | 'path' | 'str' | 'dirfd' | 'fd' | 'int' | 'uint' | 'hex' | 'ptr' | 'oflags' | 'mode' | 'amode' | 'atflags'
  | 'argv' | 'family' | 'socktype' | 'sockaddr' | 'clone' | 'signal' | 'rename' | 'how' | 'pid';

const S: Record<string, readonly ArgKind[]> = {
  open: ['path', 'oflags', 'mode'],
  openat: ['dirfd', 'path', 'oflags', 'mode'],
  openat2: ['dirfd', 'path', 'how', 'uint'],
  creat: ['path', 'mode'],
  stat: ['path', 'ptr'], lstat: ['path', 'ptr'], newfstatat: ['dirfd', 'path', 'ptr', 'atflags'],
  statx: ['dirfd', 'path', 'atflags', 'hex', 'ptr'],
  access: ['path', 'amode'], faccessat: ['dirfd', 'path', 'amode'], faccessat2: ['dirfd', 'path', 'amode', 'atflags'],
  readlink: ['path', 'ptr', 'uint'], readlinkat: ['dirfd', 'path', 'ptr', 'uint'],
  execve: ['path', 'argv', 'ptr'], execveat: ['dirfd', 'path', 'argv', 'ptr', 'atflags'],
  chdir: ['path'], fchdir: ['fd'], chroot: ['path'], getcwd: ['ptr', 'uint'],
  mkdir: ['path', 'mode'], mkdirat: ['dirfd', 'path', 'mode'],
  mknod: ['path', 'mode', 'hex'], mknodat: ['dirfd', 'path', 'mode', 'hex'],
  unlink: ['path'], unlinkat: ['dirfd', 'path', 'atflags'], rmdir: ['path'],
  rename: ['path', 'path'], renameat: ['dirfd', 'path', 'dirfd', 'path'],
  renameat2: ['dirfd', 'path', 'dirfd', 'path', 'rename'],
  link: ['path', 'path'], linkat: ['dirfd', 'path', 'dirfd', 'path', 'atflags'],
  symlink: ['str', 'path'], symlinkat: ['str', 'dirfd', 'path'],
  chmod: ['path', 'mode'], fchmodat: ['dirfd', 'path', 'mode'], fchmodat2: ['dirfd', 'path', 'mode', 'atflags'],
  chown: ['path', 'int', 'int'], lchown: ['path', 'int', 'int'], fchownat: ['dirfd', 'path', 'int', 'int', 'atflags'],
  truncate: ['path', 'int'], utime: ['path', 'ptr'], utimes: ['path', 'ptr'],
  futimesat: ['dirfd', 'path', 'ptr'], utimensat: ['dirfd', 'path', 'ptr', 'atflags'],
  setxattr: ['path', 'str', 'ptr', 'uint', 'hex'], lsetxattr: ['path', 'str', 'ptr', 'uint', 'hex'],
  getxattr: ['path', 'str', 'ptr', 'uint'], lgetxattr: ['path', 'str', 'ptr', 'uint'],
  listxattr: ['path', 'ptr', 'uint'], llistxattr: ['path', 'ptr', 'uint'],
  removexattr: ['path', 'str'], lremovexattr: ['path', 'str'],
  statfs: ['path', 'ptr'], inotify_add_watch: ['fd', 'path', 'hex'],
  getdents64: ['fd', 'ptr', 'uint'],
  socket: ['family', 'socktype', 'int'], socketpair: ['family', 'socktype', 'int', 'ptr'],
  connect: ['fd', 'sockaddr', 'uint'], bind: ['fd', 'sockaddr', 'uint'], listen: ['fd', 'int'],
  accept: ['fd', 'ptr', 'ptr'], accept4: ['fd', 'ptr', 'ptr', 'socktype'],
  sendto: ['fd', 'ptr', 'uint', 'hex', 'sockaddr', 'uint'],
  clone: ['clone', 'ptr', 'ptr', 'ptr', 'hex'], clone3: ['ptr', 'uint'], fork: [], vfork: [],
  exit: ['int'], exit_group: ['int'], kill: ['pid', 'signal'], tkill: ['pid', 'signal'], tgkill: ['pid', 'pid', 'signal'],
  wait4: ['pid', 'ptr', 'hex', 'ptr'],
  getuid: [], geteuid: [], getgid: [], getegid: [], getgroups: ['int', 'ptr'], getresuid: ['ptr', 'ptr', 'ptr'],
  getresgid: ['ptr', 'ptr', 'ptr'], setuid: ['int'], setgid: ['int'], fchown: ['fd', 'int', 'int'],
};

const MAX_ARGV = 32;
const MAX_STRING = 256;

function clipString(s: string): string {
  return JSON.stringify(s.length > MAX_STRING ? s.slice(0, MAX_STRING) : s) + (s.length > MAX_STRING ? '...' : '');
}

function readArgv(sv: Supervisor, t: Tracee, pointer: number): string {
  if (pointer === 0) return 'NULL';
  const items: string[] = [];
  for (let i = 0; i < MAX_ARGV + 1; i++) {
    const word = sv.memory.read(t.pid, pointer + i * 8, 8);
    if (word === null) return `0x${pointer.toString(16)}`;
    const p = Number(new DataView(word.buffer, word.byteOffset, 8).getBigUint64(0, true));
    if (p === 0) return `[${items.join(', ')}]`;
    if (i === MAX_ARGV) break;
    const s = sv.memory.readCString(t.pid, p);
    items.push(s === null ? `0x${p.toString(16)}` : clipString(s));
  }
  return `[${items.join(', ')}, ...]`;
}

export interface DecodedCall {
  name: string;
  /** Each argument as text, in the program's own terms (a path as the program wrote it). */
  args: string[];
  /** The socket address a connect/bind names, when there is one. */
  sockaddr?: SockAddr;
}

/** Decodes the call `sv.regs` holds (at a seccomp stop, before any handler rewrote it). */
export function decodeCall(sv: Supervisor, t: Tracee, name: string): DecodedCall {
  const regs = sv.regs;
  const kinds = S[name] ?? (['hex', 'hex', 'hex'] as const);
  const out: DecodedCall = { name, args: [] };
  kinds.forEach((kind, i) => {
    const raw = regs.arg(i);
    const int = regs.argInt(i);
    let text: string;
    switch (kind) {
      case 'path':
      case 'str': {
        if (raw === 0) text = 'NULL';
        else {
          const s = sv.memory.readCString(t.pid, raw);
          text = s === null ? `0x${raw.toString(16)}` : clipString(s);
        }
        break;
      }
      case 'dirfd': text = dirfd(int); break;
      case 'fd': case 'int': case 'pid': text = String(int); break;
      case 'uint': text = String(raw); break;
      case 'hex': text = `0x${raw.toString(16)}`; break;
      case 'ptr': text = raw === 0 ? 'NULL' : `0x${raw.toString(16)}`; break;
      case 'oflags': text = openFlags(int); break;
      case 'mode':
        // open's mode only means something with O_CREAT / O_TMPFILE; strace leaves it out otherwise.
        if ((name === 'open' || name === 'openat') && !takesMode(regs.argInt(name === 'open' ? 1 : 2))) return;
        text = octal(int & 0o7777);
        break;
      case 'amode': text = accessMode(int); break;
      case 'atflags': text = atFlags(int, name); break;
      case 'argv': text = readArgv(sv, t, raw); break;
      case 'family': text = socketFamily(int); break;
      case 'socktype': text = socketType(int); break;
      case 'clone': text = cloneFlags(Number(regs.argBig(i) & 0xffffffffn)); break;
      case 'signal': text = int === 0 ? '0' : signalName(int); break;
      case 'rename': text = flags(int, RENAME_FLAGS); break;
      case 'how': {
        const how = raw === 0 ? null : sv.memory.read(t.pid, raw, 24);
        if (how === null) text = `0x${raw.toString(16)}`;
        else {
          const v = new DataView(how.buffer, how.byteOffset, 24);
          const f = Number(v.getBigUint64(0, true) & 0xffffffffn);
          text = `{flags=${openFlags(f)}, mode=${octal(Number(v.getBigUint64(8, true)))}, resolve=0x${v.getBigUint64(16, true).toString(16)}}`;
        }
        break;
      }
      case 'sockaddr': {
        const a = readSockaddr(sv, t, raw, regs.argInt(i + 1));
        if (a) out.sockaddr = a;
        text = a ? formatSockaddr(a) : raw === 0 ? 'NULL' : `0x${raw.toString(16)}`;
        break;
      }
    }
    out.args.push(text);
  });
  return out;
}

/** A result as strace shows it: "3", "-1 ENOENT", or "?" when the call never returned. */
export function formatResult(result: number | null): string {
  if (result === null) return '?';
  if (result < 0 && result >= -4095) return `-1 ${errnoName(-result)}`;
  return String(result);
}
