// Queries the supervisor answers itself (stat, access, readlink, statfs, xattr reads): it runs
// the call on the resolved host path and copies the result into the tracee, then skips the
// syscall. One stop and no register rewrite, where running the call in the tracee would need a
// rewrite and a second (exit) stop to put the program's pointer back.
import { hostArch, ERRNO } from '../../arch/index.js';
import { allocNative, lastErrno, syscall6 } from '../ffi.js';
import type { Supervisor } from '../supervisor.js';
import type { Tracee } from '../tracee.js';
import { isMagicLink, type Resolved } from '../paths.js';
import type { Emulation } from './path-table.js';
import { AT_SYMLINK_NOFOLLOW } from './path-table.js';
import { reuseLstat } from '../host-fs.js';

const arch = hostArch();
const sys = arch.syscalls;
const AT_FDCWD = BigInt.asUintN(64, -100n);
const XATTR_MAX = 65536;
const STATX_SIZE = 256;

const pathBuf = allocNative(8192);
const nameBuf = allocNative(512);
const outBuf = allocNative(XATTR_MAX);

function putPath(host: string): number {
  const n = pathBuf.bytes.write(host, 'latin1');
  pathBuf.bytes[n] = 0;
  return pathBuf.addr;
}

/** Result of a raw syscall: the value, or a negative errno. */
const raw = (r: number): number => (r === -1 ? -lastErrno() : r);

function copyOut(sv: Supervisor, t: Tracee, addr: number, len: number): boolean {
  return len === 0 || sv.memory.writeNative(t.pid, addr, outBuf, len);
}

/** What a /proc magic link shows in the guest: its program for exe, "/" for root, else the translation. */
function guestLinkTarget(sv: Supervisor, link: string, hostTarget: string): string {
  const [, , pid, what] = link.split('/');
  if (what === 'exe') {
    const exe = sv.tracees.get(Number(pid))?.exe;
    if (exe) return exe;
  }
  if (what === 'root' && sv.plan.root !== null) return '/';
  return sv.runDir?.shownAs(hostTarget) ?? sv.translator.toGuest(hostTarget) ?? hostTarget;
}

export function emulate(sv: Supervisor, t: Tracee, kind: Emulation, nr: number, target: Resolved, follow: boolean): void {
  const regs = sv.regs;
  const name = arch.syscallName(nr);
  const path = putPath(target.host);
  const nofollow = follow ? 0 : AT_SYMLINK_NOFOLLOW;
  let result: number;
  switch (kind) {
    case 'stat': {
      const bufArg = name === 'newfstatat' ? 2 : 1;
      result = follow && reuseLstat(target.host, outBuf) ? 0 : raw(syscall6(sys.newfstatat, AT_FDCWD, path, outBuf.addr, nofollow, 0, 0));
      if (result === 0 && !copyOut(sv, t, regs.arg(bufArg), arch.statSize)) result = -ERRNO.EFAULT;
      break;
    }
    case 'statx': {
      const flags = regs.argInt(2) & ~AT_SYMLINK_NOFOLLOW;
      result = raw(syscall6(sys.statx, AT_FDCWD, path, flags | nofollow, regs.argInt(3) >>> 0, outBuf.addr, 0));
      if (result === 0 && !copyOut(sv, t, regs.arg(4), STATX_SIZE)) result = -ERRNO.EFAULT;
      break;
    }
    case 'access': {
      const modeArg = name === 'access' ? 1 : 2;
      const flags = name === 'faccessat2' ? regs.argInt(3) & 0x200 /* AT_EACCESS */ : 0;
      result = raw(syscall6(sys.faccessat2, AT_FDCWD, path, regs.argInt(modeArg), flags | nofollow, 0, 0));
      break;
    }
    case 'readlink': {
      const [bufArg, sizeArg] = name === 'readlink' ? [1, 2] : [2, 3];
      const size = regs.argInt(sizeArg);
      if (size <= 0) {
        result = -ERRNO.EINVAL;
        break;
      }
      result = raw(syscall6(sys.readlinkat, AT_FDCWD, path, outBuf.addr, XATTR_MAX, 0, 0));
      if (result >= 0) {
        let text = Buffer.from(outBuf.bytes.subarray(0, result)).toString('latin1');
        // /proc magic links name host paths: show them as the guest sees them.
        if ((target.magic || isMagicLink(target.host)) && text.startsWith('/')) text = guestLinkTarget(sv, target.host, text);
        const n = Math.min(size, outBuf.bytes.write(text, 'latin1'));
        result = copyOut(sv, t, regs.arg(bufArg), n) ? n : -ERRNO.EFAULT;
      }
      break;
    }
    case 'statfs':
      result = raw(syscall6(sys.statfs, path, outBuf.addr, 0, 0, 0, 0));
      if (result === 0 && !copyOut(sv, t, regs.arg(1), arch.statfsSize)) result = -ERRNO.EFAULT;
      break;
    case 'getxattr': {
      const attr = sv.memory.readCString(t.pid, regs.arg(1));
      if (attr === null) {
        result = -ERRNO.EFAULT;
        break;
      }
      const n = nameBuf.bytes.write(attr.slice(0, 255), 'latin1');
      nameBuf.bytes[n] = 0;
      const size = Math.min(regs.arg(3), XATTR_MAX);
      result = raw(syscall6(follow ? sys.getxattr : sys.lgetxattr, path, nameBuf.addr, outBuf.addr, size, 0, 0));
      if (result > 0 && size > 0 && !copyOut(sv, t, regs.arg(2), result)) result = -ERRNO.EFAULT;
      break;
    }
    case 'listxattr': {
      const size = Math.min(regs.arg(2), XATTR_MAX);
      result = raw(syscall6(follow ? sys.listxattr : sys.llistxattr, path, outBuf.addr, size, 0, 0, 0));
      if (result > 0 && size > 0 && !copyOut(sv, t, regs.arg(1), result)) result = -ERRNO.EFAULT;
      break;
    }
  }
  sv.skip(t, result);
}
