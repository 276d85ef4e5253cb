// Named constants a policy may use as a syscall argument value (`value: AF_UNIX`), and the parser
// for argument values. The table is deliberately small: the families people filter on.
// Values are Linux x86_64's. Note for a future aarch64 port: O_DIRECTORY, O_NOFOLLOW, O_DIRECT and
// O_LARGEFILE differ there (asm-generic vs arm64 fcntl.h) and would need their own table.

import { didYouMean } from './suggest.js';

const families: Record<string, Record<string, bigint>> = {
  // socket(2) domain: <linux/socket.h>
  AF: {
    AF_UNSPEC: 0n, AF_UNIX: 1n, AF_LOCAL: 1n, AF_INET: 2n, AF_AX25: 3n, AF_IPX: 4n,
    AF_APPLETALK: 5n, AF_X25: 9n, AF_INET6: 10n, AF_KEY: 15n, AF_NETLINK: 16n, AF_PACKET: 17n,
    AF_RDS: 21n, AF_IRDA: 23n, AF_CAN: 29n, AF_TIPC: 30n, AF_BLUETOOTH: 31n, AF_ALG: 38n,
    AF_VSOCK: 40n, AF_KCM: 41n, AF_XDP: 44n, AF_MCTP: 45n,
  },
  // socket(2) type and its flags: <linux/net.h>, <asm-generic/fcntl.h>
  SOCK: {
    SOCK_STREAM: 1n, SOCK_DGRAM: 2n, SOCK_RAW: 3n, SOCK_RDM: 4n, SOCK_SEQPACKET: 5n,
    SOCK_PACKET: 10n, SOCK_NONBLOCK: 0o4000n, SOCK_CLOEXEC: 0o2000000n,
  },
  // open(2) flags: <asm-generic/fcntl.h> as used by x86_64
  O: {
    O_RDONLY: 0n, O_WRONLY: 1n, O_RDWR: 2n, O_ACCMODE: 3n, O_CREAT: 0o100n, O_EXCL: 0o200n,
    O_NOCTTY: 0o400n, O_TRUNC: 0o1000n, O_APPEND: 0o2000n, O_NONBLOCK: 0o4000n,
    O_DSYNC: 0o10000n, O_ASYNC: 0o20000n, O_DIRECT: 0o40000n, O_LARGEFILE: 0o100000n,
    O_DIRECTORY: 0o200000n, O_NOFOLLOW: 0o400000n, O_NOATIME: 0o1000000n, O_CLOEXEC: 0o2000000n,
    O_SYNC: 0o4010000n, O_PATH: 0o10000000n, O_TMPFILE: 0o20200000n,
  },
  // clone(2) flags: <linux/sched.h>
  CLONE: {
    CLONE_VM: 0x100n, CLONE_FS: 0x200n, CLONE_FILES: 0x400n, CLONE_SIGHAND: 0x800n,
    CLONE_PIDFD: 0x1000n, CLONE_PTRACE: 0x2000n, CLONE_VFORK: 0x4000n, CLONE_PARENT: 0x8000n,
    CLONE_THREAD: 0x10000n, CLONE_NEWNS: 0x20000n, CLONE_SYSVSEM: 0x40000n,
    CLONE_SETTLS: 0x80000n, CLONE_PARENT_SETTID: 0x100000n, CLONE_CHILD_CLEARTID: 0x200000n,
    CLONE_UNTRACED: 0x800000n, CLONE_CHILD_SETTID: 0x1000000n, CLONE_NEWCGROUP: 0x2000000n,
    CLONE_NEWUTS: 0x4000000n, CLONE_NEWIPC: 0x8000000n, CLONE_NEWUSER: 0x10000000n,
    CLONE_NEWPID: 0x20000000n, CLONE_NEWNET: 0x40000000n, CLONE_IO: 0x80000000n,
  },
  // *at(2) directory fd and flags: <linux/fcntl.h>. AT_FDCWD is -100 as a 64-bit register.
  AT: {
    AT_FDCWD: (1n << 64n) - 100n, AT_SYMLINK_NOFOLLOW: 0x100n, AT_REMOVEDIR: 0x200n,
    AT_SYMLINK_FOLLOW: 0x400n, AT_NO_AUTOMOUNT: 0x800n, AT_EMPTY_PATH: 0x1000n,
  },
};

/** Every name a policy may use, flattened: "AF_UNIX" → 1n. */
export const CONSTANTS: Readonly<Record<string, bigint>> = Object.assign({}, ...Object.values(families));

/** The prefixes documented for users (AF_, SOCK_, O_, CLONE_, AT_). */
export const CONSTANT_FAMILIES: readonly string[] = Object.keys(families).map((f) => `${f}_`);

const U64 = (1n << 64n) - 1n;

export type ValueParse = { ok: true; value: bigint } | { ok: false; message: string; hint: string };

/**
 * An argument value as a policy writes it: an integer (negative ones become their 64-bit two's
 * complement, as the register holds them), a decimal/hex/octal string, a constant name, or
 * constants joined with "|" ("O_WRONLY|O_CREAT").
 */
export function parseArgValue(raw: number | string): ValueParse {
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw)) {
      return { ok: false, message: `${raw} is not an exact integer`, hint: 'write large values as a string, e.g. "0xffffffffffffffff"' };
    }
    return inRange(BigInt(raw));
  }
  let total = 0n;
  for (const part of raw.split('|').map((p) => p.trim())) {
    if (/^-?(0x[0-9a-f]+|0o[0-7]+|\d+)$/i.test(part)) {
      const neg = part.startsWith('-');
      const n = BigInt(neg ? part.slice(1) : part);
      const r = inRange(neg ? -n : n);
      if (!r.ok) return r;
      total |= r.value;
      continue;
    }
    const c = CONSTANTS[part];
    if (c === undefined) {
      return { ok: false, message: `unknown constant "${part}"`, hint: constantHint(part) };
    }
    total |= c;
  }
  return { ok: true, value: total };
}

function inRange(v: bigint): ValueParse {
  if (v < -(1n << 63n) || v > U64) return { ok: false, message: `${v} does not fit in 64 bits`, hint: '' };
  return { ok: true, value: v < 0n ? (v + (1n << 64n)) & U64 : v };
}

function constantHint(word: string): string {
  return didYouMean(word, Object.keys(CONSTANTS), `known constants start with ${CONSTANT_FAMILIES.join(', ')}; or write a number`);
}
